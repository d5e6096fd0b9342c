/**
 * The option series of a round: every quoted name parsed (Deribit convention), checked against
 * the policy's series and underlyings, and not expired at the round's time.
 */
import { InputError } from "../errors";
import type { Policy } from "../inputs";
import { formatPath } from "../inputs/issues";
import { parseOptionSeries, type OptionSeries } from "./option-series";
import type { RoundQuotes } from "./types";

/** Which files errors name. */
export interface QuoteFiles {
  market: string;
  policy: string;
}

/** The parsed series of every option quoted in `market`, in market order. */
export function optionSeriesOf(
  market: RoundQuotes,
  policy: Policy,
  files: QuoteFiles,
): OptionSeries[] {
  for (const option of policy.options) {
    const parsed = parseOptionSeries(option.instrument);
    const path = formatPath(["options", option.instrument]);
    if (!parsed.ok) throw new InputError(files.policy, path, parsed.rule);
    if (parsed.series.underlying !== option.underlying) {
      throw new InputError(
        files.policy,
        formatPath(["options", option.instrument, "underlying"]),
        `must be ${parsed.series.underlying}, the underlying the series' name gives`,
      );
    }
    if (!market.options.has(option.instrument)) {
      throw new InputError(files.market, path, "missing: the policy's option series needs a quote");
    }
  }
  return [...market.options.keys()].map((instrument) => {
    const path = formatPath(["options", instrument]);
    const parsed = parseOptionSeries(instrument);
    if (!parsed.ok) throw new InputError(files.market, path, parsed.rule);
    if (parsed.series.expiry <= Number(market.timestamp)) {
      const at = new Date(parsed.series.expiry * 1000).toISOString();
      throw new InputError(
        files.market,
        path,
        `expired (${at}) at or before the round's timestamp`,
      );
    }
    return parsed.series;
  });
}
