/**
 * Option series names in the Deribit convention, `UNDERLYING-DMMMYY-STRIKE-C|P`, e.g.
 * `ETH-26DEC26-3200-C`: a European call on one unit of ETH, strike 3200 USD, expiring on
 * 26 December 2026 at 08:00 UTC. A fractional strike writes its decimal point as `d`
 * (`XRP-27JUN25-0d625-P`). The contract size is one unit of the underlying.
 */
import type { OptionKind } from "./black76";

/** A parsed option series name. */
export interface OptionSeries {
  instrument: string;
  /** Symbol of the underlying, as priced in market.json. */
  underlying: string;
  /** Expiry, Unix seconds (08:00 UTC on the named day). */
  expiry: number;
  /** Strike in USD per unit of the underlying. */
  strike: number;
  kind: OptionKind;
}

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const NAME = new RegExp(
  `^([A-Za-z0-9._]+)-([0-9]{1,2})(${MONTHS.join("|")})([0-9]{2})-(0|[1-9][0-9]*)(?:d([0-9]+))?-([CP])$`,
);

/** Deribit options expire at 08:00 UTC. */
export const EXPIRY_HOUR_UTC = 8;

/** The rule a name breaks, for error messages. */
export const OPTION_NAME_RULE =
  "must be named UNDERLYING-DMMMYY-STRIKE-C or -P (Deribit convention), e.g. ETH-26DEC26-3200-C";

/** Parses an option series name, or says which rule it breaks. */
export function parseOptionSeries(
  instrument: string,
): { ok: true; series: OptionSeries } | { ok: false; rule: string } {
  const match = NAME.exec(instrument);
  if (match === null) return { ok: false, rule: OPTION_NAME_RULE };
  const [, underlying, dayText, monthText, yearText, whole, fraction, kindLetter] = match;
  const day = Number(dayText);
  const month = MONTHS.indexOf(monthText);
  const year = 2000 + Number(yearText);
  const expiryMs = Date.UTC(year, month, day, EXPIRY_HOUR_UTC);
  if (day < 1 || new Date(expiryMs).getUTCDate() !== day) {
    return { ok: false, rule: `expiry day ${day} ${monthText} 20${yearText} does not exist` };
  }
  const strike = Number(fraction === undefined ? whole : `${whole}.${fraction}`);
  if (!(strike > 0)) return { ok: false, rule: "the strike must be greater than 0" };
  return {
    ok: true,
    series: {
      instrument,
      underlying,
      expiry: expiryMs / 1000,
      strike,
      kind: kindLetter === "C" ? "call" : "put",
    },
  };
}
