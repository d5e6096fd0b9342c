/**
 * The opening of a (sub-)portfolio commitment (`opening.json`): the private sub-portfolio, its
 * salt, its pledge slot and everything needed to recompute the proof's commitments and public
 * signals. A proof that sums several sub-portfolios has one opening per sub-portfolio, so each
 * custodian sees only its own. The holder keeps them and shows each only to its custodian or to
 * an auditor; they must never be printed or logged.
 */
import { getAddress } from "ethers";
import { z } from "zod";
import { commitments as computeCommitments, type Commitments } from "../commitments";
import { formatUnits } from "../decimal";
import { loadInstances, misfits, requiredDims, type InstanceDims } from "../encoding/instances";
import { MAX_PLEDGES, PRICE_DECIMALS, SNARK_SCALAR_FIELD } from "../encoding/widths";
import { InputError } from "../errors";
import { checkConsistency, formatPath, parsePortfolio } from "../inputs";
import { toInputError } from "../inputs/issues";
import { compareSignals, differingSignals, statementSignals } from "../inspect/signals";
import { uintString } from "./proof-files";
import { decodePublicSignals } from "./public-signals";
import type { Market, Policy, Portfolio } from "../inputs";

/**
 * Version of the opening format. Version 2 added the pledge slot and the proof's portfolio
 * commitments; a version-1 opening (one portfolio) reads as slot 1 of 1.
 */
export const OPENING_VERSION = 2;

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
  /** The pledge slot (1..C) whose sub-portfolio this opens. */
  slot: number;
  /** Hiding salt of this sub-portfolio's commitment (secret). */
  salt: string;
  /** The private sub-portfolio, as portfolio.json. */
  portfolio: PortfolioJson;
  /** The commitments, as in the proof's public signals. */
  commitments: {
    /** This sub-portfolio's commitment: `portfolios[slot - 1]`. */
    portfolio: string;
    /**
     * The proof's portfolio commitments, one per pledge slot (0 for an unused slot): public, so
     * the opening rebuilds every public signal of its proof; the other slots' holdings stay with
     * their own openings.
     */
    portfolios: string[];
    market: string;
    policy: string;
  };
}

/**
 * The file names of a proof's openings: `opening.json` for one portfolio, `opening-1.json` ..
 * `opening-K.json` for K sub-portfolios (one per custodian, in slot order).
 */
export function openingFileNames(count: number): string[] {
  return count === 1
    ? ["opening.json"]
    : Array.from({ length: count }, (_, k) => `opening-${k + 1}.json`);
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

const commonFields = {
  account: z.string(),
  policyId: z.string().min(1),
  round: uintString,
  instance: z.string().min(1),
  nonce: uintString,
  salt: fieldElement,
  portfolio: z.unknown(),
};

const openingSchema = z
  .object({
    version: z.literal(OPENING_VERSION),
    ...commonFields,
    slot: z.number().int().min(1).max(MAX_PLEDGES),
    commitments: z
      .object({
        portfolio: fieldElement,
        portfolios: z.array(fieldElement).min(1).max(MAX_PLEDGES),
        market: fieldElement,
        policy: fieldElement,
      })
      .strict(),
  })
  .strict();

/** Version 1: one portfolio, no slot. */
const openingV1Schema = z
  .object({
    version: z.literal(1),
    ...commonFields,
    commitments: z
      .object({ portfolio: fieldElement, market: fieldElement, policy: fieldElement })
      .strict(),
  })
  .strict();

/**
 * Shape-checks an opening.json object (the portfolio itself is checked by {@link checkOpening}):
 * the slot lies among the proof's commitments, and its commitment there is the opening's own. A
 * version-1 opening reads as slot 1 of a one-slot proof.
 */
export function parseOpening(json: unknown, file: string): Opening {
  if ((json as { version?: unknown } | null)?.version === 1) {
    const v1 = openingV1Schema.safeParse(json);
    if (!v1.success) throw toInputError(v1.error, file);
    const { commitments, ...rest } = v1.data;
    return {
      ...(rest as Omit<Opening, "version" | "slot" | "commitments">),
      version: OPENING_VERSION,
      slot: 1,
      commitments: { ...commitments, portfolios: [commitments.portfolio] },
    };
  }
  const parsed = openingSchema.safeParse(json);
  if (!parsed.success) throw toInputError(parsed.error, file);
  const opening = parsed.data as Opening;
  const { slot, commitments } = opening;
  if (slot > commitments.portfolios.length) {
    throw new InputError(
      file,
      "slot",
      `is past the proof's ${commitments.portfolios.length} pledge slot(s) (commitments.portfolios)`,
    );
  }
  if (commitments.portfolios[slot - 1] !== commitments.portfolio) {
    throw new InputError(
      file,
      `commitments.portfolios[${slot - 1}]`,
      "must equal commitments.portfolio (the opening's own commitment, at its slot)",
    );
  }
  return opening;
}

/** File names for the errors of {@link checkOpening} and its steps. */
export interface OpeningFiles {
  opening: string;
  /** Default `policy.json`. */
  policy?: string;
  /** Default `market.json`. */
  market?: string;
  /** The proof's public signals, when they are checked (default `public.json`). */
  public?: string;
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
 * page passes the instances it has keys for); refuses an unknown one, one the policy and market
 * do not fit, and one with another number of pledge slots than the opening's proof has.
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
  const slots = opening.commitments.portfolios.length;
  if (slots !== instance.pledges) {
    throw new InputError(
      file,
      "commitments.portfolios",
      `has ${slots} commitment(s), but instance "${opening.instance}" has ${instance.pledges} pledge slot(s)`,
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
 * The public signals of the opening's proof, rebuilt from the opening alone (account, nonce and
 * the commitments it records): `statementSignals`'s layout.
 */
export function openingSignals(opening: Opening): bigint[] {
  return statementSignals({
    account: opening.account,
    nonce: BigInt(opening.nonce),
    marketCommitment: BigInt(opening.commitments.market),
    policyCommitment: BigInt(opening.commitments.policy),
    portfolioCommitments: opening.commitments.portfolios.map((c) => BigInt(c)),
  });
}

/** The opening's field that records a public signal (by the signal's name). */
function openingField(signal: string): string {
  if (signal === "accountNonce") return "account, nonce";
  if (signal === "marketCommitment") return "commitments.market";
  if (signal === "policyCommitment") return "commitments.policy";
  const slot = /^portfolioCommitment(?:_(\d+))?$/.exec(signal);
  return slot === null ? signal : `commitments.portfolios[${Number(slot[1] ?? "1") - 1}]`;
}

/**
 * Checks that the opening belongs to the proof with `publicSignals` (public.json): the proof has
 * as many pledge slots as the opening records, every signal rebuilt from the opening (account and
 * nonce, market and policy commitments, each slot's portfolio commitment) equals the proof's, and
 * the proof holds the opening's own commitment at the opening's slot. Refuses with an {@link InputError} about the opening naming the first
 * field that differs.
 */
export function checkOpeningSignals(
  opening: Opening,
  publicSignals: unknown,
  files: Pick<OpeningFiles, "opening" | "public">,
): void {
  const source = files.public ?? "public.json";
  const decoded = decodePublicSignals(publicSignals, source);
  const proof = statementSignals(decoded);
  const slots = decoded.portfolioCommitments.length;
  if (slots !== opening.commitments.portfolios.length) {
    throw new InputError(
      files.opening,
      "commitments.portfolios",
      `has ${opening.commitments.portfolios.length} commitment(s), ${source} has ${slots} pledge slot(s)`,
    );
  }
  const [first] = differingSignals(compareSignals(proof, openingSignals(opening)));
  if (first !== undefined) {
    throw new InputError(files.opening, openingField(first), `differs from ${source}'s ${first}`);
  }
  const own = decoded.portfolioCommitments[opening.slot - 1];
  if (own === undefined || own !== BigInt(opening.commitments.portfolio)) {
    throw new InputError(
      files.opening,
      "slot",
      `${source} does not hold the opening's commitment (commitments.portfolio) at slot ${opening.slot}`,
    );
  }
}

/**
 * Checks an opening (one sub-portfolio's) against the public policy and market files it claims:
 * same policy id and round, a well-formed sub-portfolio for the stated account, an instance with
 * the opening's number of pledge slots, and all three commitments recomputed from the
 * sub-portfolio, the salt and the instance's slot layout (among `instances`, default
 * circuits/instances.json). Given the proof's `publicSignals`, also that the opening belongs to
 * that proof ({@link checkOpeningSignals}). Returns the parsed sub-portfolio. Errors name the file
 * and the field that does not hold.
 */
export async function checkOpening(
  opening: Opening,
  policy: Policy,
  market: Market,
  files: OpeningFiles,
  instances?: Record<string, InstanceDims>,
  publicSignals?: unknown,
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
  if (publicSignals !== undefined) checkOpeningSignals(opening, publicSignals, files);
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
