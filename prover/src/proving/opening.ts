/**
 * The opening of a portfolio commitment (`opening.json`): the private portfolio, the salt and
 * everything needed to recompute the proof's commitments. The holder keeps it and shows it only
 * to a custodian or an auditor; it must never be printed or logged.
 */
import { getAddress } from "ethers";
import { z } from "zod";
import { commitments as computeCommitments, type Commitments } from "../commitments";
import { formatUnits } from "../decimal";
import { loadInstances, misfits, requiredDims, type InstanceDims } from "../encoding/instances";
import { PRICE_DECIMALS, SNARK_SCALAR_FIELD } from "../encoding/widths";
import { InputError } from "../errors";
import { checkConsistency, formatPath, parsePortfolio } from "../inputs";
import { toInputError } from "../inputs/issues";
import { uintString } from "./proof-files";
import type { Market, Policy, Portfolio } from "../inputs";

/** Version of the opening format. */
export const OPENING_VERSION = 1;

/** A portfolio written back in the portfolio.json format (decimal strings, policy slot order). */
export interface PortfolioJson {
  account: string;
  collateral: Record<string, string>;
  perps: { instrument: string; size: string; entryPrice: string }[];
  options: { instrument: string; quantity: string }[];
}

/** The contents of opening.json; numbers are decimal strings. */
export interface Opening {
  version: typeof OPENING_VERSION;
  /** EIP-55 address the proof is bound to. */
  account: string;
  policyId: string;
  /** Market round the proof is for. */
  round: string;
  /** Circuit instance (circuits/instances.json) whose slot layout the commitments use. */
  instance: string;
  nonce: string;
  /** Hiding salt of the portfolio commitment (secret). */
  salt: string;
  /** The private portfolio, as portfolio.json. */
  portfolio: PortfolioJson;
  /** The three commitments, as in the proof's public signals. */
  commitments: { portfolio: string; market: string; policy: string };
}

/** Writes `portfolio` back in the portfolio.json format; {@link parsePortfolio} reads it back exactly. */
export function portfolioToJson(policy: Policy, portfolio: Portfolio): PortfolioJson {
  const collateral: Record<string, string> = {};
  for (const asset of policy.assets) {
    const amount = portfolio.collateral.get(asset.symbol);
    if (amount !== undefined) collateral[asset.symbol] = formatUnits(amount, asset.decimals);
  }
  const perps = policy.perps.flatMap((perp) => {
    const position = portfolio.perps.get(perp.instrument);
    if (position === undefined) return [];
    return [
      {
        instrument: perp.instrument,
        size: formatUnits(position.size, perp.sizeDecimals),
        entryPrice: formatUnits(position.entryPrice, PRICE_DECIMALS),
      },
    ];
  });
  const options = policy.options.flatMap((option) => {
    const quantity = portfolio.options.get(option.instrument);
    return quantity === undefined
      ? []
      : [{ instrument: option.instrument, quantity: `${quantity}` }];
  });
  return { account: portfolio.account, collateral, perps, options };
}

const fieldElement = uintString.refine((s) => BigInt(s) < SNARK_SCALAR_FIELD, {
  message: "must be below the BN254 field modulus",
});

const openingSchema = z
  .object({
    version: z.literal(OPENING_VERSION),
    account: z.string(),
    policyId: z.string().min(1),
    round: uintString,
    instance: z.string().min(1),
    nonce: uintString,
    salt: fieldElement,
    portfolio: z.unknown(),
    commitments: z
      .object({ portfolio: fieldElement, market: fieldElement, policy: fieldElement })
      .strict(),
  })
  .strict();

/** Shape-checks an opening.json object (the portfolio itself is checked by {@link checkOpening}). */
export function parseOpening(json: unknown, file: string): Opening {
  const parsed = openingSchema.safeParse(json);
  if (!parsed.success) throw toInputError(parsed.error, file);
  return parsed.data as Opening;
}

/** File names for the errors of {@link checkOpening} and its steps. */
export interface OpeningFiles {
  opening: string;
  /** Default `policy.json`. */
  policy?: string;
  /** Default `market.json`. */
  market?: string;
}

/** Refuses an opening whose policy id is not `policy`'s. */
export function checkOpeningPolicy(opening: Opening, policy: Policy, file: string): void {
  if (opening.policyId !== policy.id) {
    throw new InputError(file, "policyId", `is not the id of the given policy (${policy.id})`);
  }
}

/** Refuses an opening whose round is not `market`'s. */
export function checkOpeningRound(opening: Opening, market: Market, file: string): void {
  if (BigInt(opening.round) !== market.round) {
    throw new InputError(file, "round", `is not the round of the given market (${market.round})`);
  }
}

/**
 * The opening's circuit instance among `instances` (default: circuits/instances.json; the verify
 * page passes the instances it has keys for); refuses an unknown one or one the policy and market
 * do not fit.
 */
export function openingInstance(
  opening: Opening,
  policy: Policy,
  market: Market,
  file: string,
  instances: Record<string, InstanceDims> = loadInstances(),
): InstanceDims {
  const instance = instances[opening.instance];
  if (instance === undefined) {
    throw new InputError(
      file,
      "instance",
      `unknown circuit instance (known: ${Object.keys(instances).join(", ")})`,
    );
  }
  const problems = misfits(requiredDims(policy, market), instance);
  if (problems.length > 0) {
    throw new InputError(
      file,
      "instance",
      `does not fit the policy and market (${problems.join(", ")})`,
    );
  }
  return instance;
}

/**
 * The opening's portfolio, parsed against `policy` (error paths prefixed by `portfolio.`) and
 * checked for consistency with the policy and market.
 */
export function openingPortfolio(
  opening: Opening,
  policy: Policy,
  market: Market,
  files: OpeningFiles,
): Portfolio {
  const file = files.opening;
  let portfolio: Portfolio;
  try {
    portfolio = parsePortfolio(opening.portfolio, file, policy);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    const inner =
      error.path === "$" ? "" : error.path.startsWith("[") ? error.path : `.${error.path}`;
    throw new InputError(file, `portfolio${inner}`, error.rule);
  }
  checkConsistency(policy, market, portfolio, {
    policy: files.policy ?? "policy.json",
    market: files.market ?? "market.json",
    portfolio: file,
  });
  return portfolio;
}

/** The opening's account (EIP-55); refuses a malformed one or one that is not its portfolio's. */
export function openingAccount(opening: Opening, portfolio: Portfolio, file: string): string {
  let account: string;
  try {
    account = getAddress(opening.account);
  } catch {
    throw new InputError(file, "account", "must be an address with a valid EIP-55 checksum");
  }
  if (account !== portfolio.account) {
    throw new InputError(file, "portfolio.account", "differs from the opening's account");
  }
  return account;
}

/** The three commitments recomputed from the opened portfolio, its salt and `instance`'s layout. */
export function recomputeCommitments(
  opening: Opening,
  policy: Policy,
  market: Market,
  portfolio: Portfolio,
  instance: InstanceDims,
): Promise<Commitments> {
  return computeCommitments({ policy, market, portfolio, salt: BigInt(opening.salt), instance });
}

/** The opening's commitments, in the order they are checked, with the rule a mismatch breaks. */
export const OPENING_COMMITMENTS = [
  ["policy", "does not match the given policy file"],
  ["market", "does not match the given market file"],
  ["portfolio", "does not match the portfolio and salt"],
] as const;

/** The commitments the opening's `commitments` field claims wrongly, in check order. */
export function misclaimedCommitments(
  opening: Opening,
  recomputed: Commitments,
): (typeof OPENING_COMMITMENTS)[number][] {
  return OPENING_COMMITMENTS.filter(
    ([name]) => BigInt(opening.commitments[name]) !== recomputed[name],
  );
}

/**
 * Checks an opening against the public policy and market files it claims: same policy id and
 * round, a well-formed portfolio for the stated account, and all three commitments recomputed
 * from the portfolio, the salt and the instance's slot layout (among `instances`, default
 * circuits/instances.json). Returns the parsed portfolio. Errors name the file and the field that
 * does not hold.
 */
export async function checkOpening(
  opening: Opening,
  policy: Policy,
  market: Market,
  files: OpeningFiles,
  instances?: Record<string, InstanceDims>,
): Promise<Portfolio> {
  const file = files.opening;
  checkOpeningPolicy(opening, policy, file);
  checkOpeningRound(opening, market, file);
  const instance = openingInstance(opening, policy, market, file, instances);
  const portfolio = openingPortfolio(opening, policy, market, files);
  openingAccount(opening, portfolio, file);
  const recomputed = await recomputeCommitments(opening, policy, market, portfolio, instance);
  const [wrong] = misclaimedCommitments(opening, recomputed);
  if (wrong !== undefined) throw new InputError(file, `commitments.${wrong[0]}`, wrong[1]);
  return portfolio;
}

/**
 * The fields in which two portfolios over the same policy differ, as portfolio.json-style paths
 * (`account`, `collateral.ETH`, `perps.ETH-PERP.size`, `options.ETH-C.quantity`), in slot order.
 * A slot absent from one side counts as zero there. Values are never included.
 */
export function portfolioDifferences(policy: Policy, a: Portfolio, b: Portfolio): string[] {
  const differences: string[] = [];
  if (a.account !== b.account) differences.push("account");
  for (const { symbol } of policy.assets) {
    if ((a.collateral.get(symbol) ?? 0n) !== (b.collateral.get(symbol) ?? 0n)) {
      differences.push(formatPath(["collateral", symbol]));
    }
  }
  for (const { instrument } of policy.perps) {
    const [pa, pb] = [a.perps.get(instrument), b.perps.get(instrument)];
    if ((pa?.size ?? 0n) !== (pb?.size ?? 0n))
      differences.push(formatPath(["perps", instrument, "size"]));
    if ((pa?.entryPrice ?? 0n) !== (pb?.entryPrice ?? 0n)) {
      differences.push(formatPath(["perps", instrument, "entryPrice"]));
    }
  }
  for (const { instrument } of policy.options) {
    if ((a.options.get(instrument) ?? 0n) !== (b.options.get(instrument) ?? 0n)) {
      differences.push(formatPath(["options", instrument, "quantity"]));
    }
  }
  return differences;
}
