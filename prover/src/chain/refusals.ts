/**
 * Every custom error of MarketBook, PolicyRegistry and MarginRegistry (and the OpenZeppelin
 * errors they inherit) in words: what was refused, why, and what to do about it. The one place
 * that turns a revert into a sentence, used by every CLI verb, the watcher and the proving
 * service. A new custom error gets its entry in {@link REFUSALS}; test/refusals.test.ts fails
 * for any error of the compiled ABIs that has none.
 */
import { keccak256, toUtf8Bytes, ZeroHash, type Interface } from "ethers";
import { seconds, unixTime } from "../time";
import { decodeRevert, type DecodedRevert } from "./revert";

/** A custom error's arguments by their ABI parameter names. */
export type RefusalArgs = Record<string, unknown>;

/** Words for one custom error, from its named arguments. */
export type RefusalWords = (args: RefusalArgs) => string;

/** A decoded refusal: the error, its arguments and the sentence. */
export interface Refusal extends DecodedRevert {
  /** The arguments by their ABI names (unnamed ones as `arg0`, `arg1`, ...). */
  values: RefusalArgs;
  /** `Name(arg, ...)`, as the contract raised it. */
  call: string;
  /** What it means, in words (without the error's name). */
  sentence: string;
}

/** The roles of the contracts by their hash, for "does not hold ROLE". */
const ROLE_NAMES = new Map<string, string>([
  [ZeroHash, "DEFAULT_ADMIN_ROLE (the contract's default admin)"],
  ...["PUBLISHER_ROLE", "POLICY_ADMIN_ROLE", "CUSTODIAN_ADMIN_ROLE"].map(
    (role): [string, string] => [keccak256(toUtf8Bytes(`zkmargin.${role}`)), role],
  ),
]);

/** A role hash by name, or "role 0x…" (scoped roles, such as a policy's venue role, are hashes). */
function roleName(role: unknown): string {
  const hash = String(role).toLowerCase();
  return (
    ROLE_NAMES.get(hash) ??
    `role ${hash} (a feed's publisher role, a policy's venue role or another)`
  );
}

const time = (value: unknown) => unixTime(BigInt(value as bigint));
const secs = (value: unknown) => seconds(BigInt(value as bigint));
const str = (value: unknown) => String(value);

/** Shared wordings of errors several contracts raise under the same name. */
const unknownPolicy: RefusalWords = (a) =>
  `policy ${str(a.policyId)} is not registered in the PolicyRegistry (check the policy id and the deployment)`;
const custodianNotRegistered: RefusalWords = (a) =>
  `${str(a.custodian)} is not a registered custodian at venue ${str(a.venue)} ` +
  "(the custodian admin adds custodians: zkmargin deploy policy --custodian)";
const zeroFeed: RefusalWords = () => "the feed id is zero";

/**
 * The sentence of every custom error, by name. Errors of the same name in two contracts take
 * the same words (their arguments differ only by what the sentence can name).
 */
export const REFUSALS: Readonly<Record<string, RefusalWords>> = {
  // MarginRegistry: the policy and the round.
  ZeroAddress: () => "a constructor argument is the zero address",
  ZeroAccount: () => "the account is the zero address",
  UnknownPolicy: unknownPolicy,
  PolicyRetired: (a) =>
    `policy ${str(a.policyId)} is retired: it takes no proofs or margin calls, and its statuses no longer count`,
  UnknownRound: (a) =>
    `round ${str(a.round)} was never posted to ${a.feed === undefined ? "the policy's feed" : `feed ${str(a.feed)}`}: ` +
    "the publisher has not posted it yet (wait for it), or the market file is another feed's",
  RoundInvalidated: (a) =>
    `round ${str(a.round)} was invalidated by the publisher: prove on the next round the publisher posts`,
  RoundSuperseded: (a) =>
    `round ${str(a.round)} is superseded: a newer round was posted and the policy's superseded grace ` +
    "is over (or two newer rounds were); prove on the feed's latest round",
  RoundBeforeStatus: (a) =>
    `round ${str(a.round)} is older than round ${str(a.statusRound)} of the account's current status: ` +
    "a status never moves back to an older round",
  StaleRound: (a) =>
    `round ${str(a.round)} is stale: its timestamp ${time(a.roundTimestamp)} is more than the policy's ` +
    `maxRoundAge of ${secs(a.maxRoundAge)} before this block; the publisher must post a fresh round ` +
    "(zkmargin publish) and the proof be made on it",
  // The nonce and the proof.
  NonceNotIncreasing: (a) =>
    `nonce ${str(a.nonce)} is not above the account's last accepted nonce ${str(a.lastNonce)} under this ` +
    `policy (a replay, or a proof made with an old nonce): prove again with a nonce above ${str(a.lastNonce)}`,
  NonceStepTooLarge: (a) =>
    `nonce ${str(a.nonce)} is more than 2^32 above the account's last nonce ${str(a.lastNonce)}: ` +
    "use a smaller nonce (the next one is the last plus one)",
  CommitmentCount: (a) =>
    `the proof carries ${str(a.given)} portfolio commitment(s), and the policy's circuit has ` +
    `${str(a.expected)} pledge slot(s): give one commitment per slot (0 in the unused ones)`,
  PortfolioCommitmentOutOfField: (a) =>
    `portfolio commitment ${str(a.slot)} is not below the BN254 scalar field modulus: it is not a prover's commitment`,
  DuplicateCommitment: (a) =>
    `slot ${str(a.slot)} repeats an earlier slot's portfolio commitment ${str(a.portfolioCommitment)}: ` +
    "the same sub-portfolio would count twice",
  ProofCoordinateOutOfField: (a) =>
    `proof coordinate ${str(a.index)} (in the order a0 a1 b00 b01 b10 b11 c0 c1) is not below the ` +
    "base field modulus: the proof is malformed",
  InvalidProof: () =>
    "the verifier rejected the proof for the public inputs rebuilt from chain state: it was made for " +
    "another account, nonce, round (market commitment), policy or portfolio commitments, or with " +
    "another verification key",
  // The pledges.
  PledgeMissing: () =>
    "the policy requires a custodian's pledge and none was given (the custodian signs one: zkmargin attest)",
  TooManyPledges: (a) =>
    `${str(a.given)} pledges for a policy whose circuit has ${str(a.slots)} pledge slot(s): one pledge per used slot at most`,
  UnpledgedCommitment: (a) =>
    `slot ${str(a.slot)} carries commitment ${str(a.portfolioCommitment)} and no pledge: a sub-portfolio ` +
    "no custodian pledged cannot count (an unused slot's commitment is 0)",
  UnexpectedPledges: (a) =>
    `the policy requires no pledges, and ${str(a.given)} were given: submit the proof without them`,
  RegistryCallFailed: () =>
    "the PolicyRegistry did not answer a custodian registration read (never expected: check the deployment)",
  MalformedPledge: (a) =>
    `pledge ${str(a.slot)} is not a valid encoding (a custodian above 160 bits, or terms with ` +
    "unused bits set)",
  DuplicateCustodian: (a) =>
    `custodian ${str(a.custodian)} pledges slot ${str(a.slot)} after an earlier slot of the same proof: ` +
    "one custodian pledges one sub-portfolio per proof (it pledges their sum instead)",
  PledgeExpired: (a) =>
    `pledge ${str(a.slot)} expired at ${time(a.validUntil)}: have the custodian pledge again (zkmargin attest)`,
  PledgeForOtherVenue: (a) =>
    `pledge ${str(a.slot)} is to venue ${str(a.pledgeVenue)}, and the policy is venue ${str(a.policyVenue)}'s: ` +
    "a pledge counts only at the venue it names",
  CustodianNotRegistered: custodianNotRegistered,
  PledgeRegistrationEnded: (a) =>
    `pledge ${str(a.slot)} was signed under the custodian's registration ${str(a.registration)}, which ` +
    `ended (its current registration is ${str(a.current)}${BigInt(a.current as bigint) === 0n ? ": it is not registered" : ""}): ` +
    "what it pledged before a removal never counts again; have it pledge anew",
  PledgeRevoked: (a) =>
    `the custodian revoked pledge ${str(a.slot)}: it was signed under epoch ${str(a.epoch)}, and the ` +
    `custodian's epoch for the account and venue is now ${str(a.current)}; have it pledge the current holdings again`,
  InvalidPledgeSignature: (a) =>
    `pledge ${str(a.slot)}'s signature is not its custodian's over this account, venue, portfolio ` +
    "commitment, registration, epoch and times for this registry and chain",
  // Relayed proofs.
  RequestExpired: (a) => `the relayed request's deadline ${time(a.deadline)} has passed`,
  InvalidAccountSignature: () => "the relayed request is not signed by the account",
  // Batches of relayed proofs (proveBatch).
  EmptyBatch: () => "the batch has no item: give at least one proof",
  InvalidBatchProof: () =>
    "the batched check of the admitted proofs failed: at least one of them is invalid for the public " +
    "inputs rebuilt from chain state (verify each proof locally first: zkmargin verify), and nothing " +
    "of the batch was recorded",
  BatchVerifierMismatch: (a) =>
    `the item's policy uses verifier ${str(a.actual)}, and the batch's first admitted item ` +
    `verifier ${str(a.expected)}: a batch is checked by one verifier; submit the item in a batch of its own`,
  // Revocations.
  ZeroVenue: () => "the venue id is zero",
  // Margin calls.
  NotVenue: (a) =>
    `${str(a.caller)} does not hold the venue role of policy ${str(a.policyId)} ` +
    "(the default admin grants it: zkmargin deploy policy --venue)",
  MarginCallsDisabled: (a) =>
    `policy ${str(a.policyId)} takes no margin calls: its cure window is 0`,
  MarginCallOpen: (a) =>
    `${str(a.account)} already has an uncured margin call under this policy (called at ` +
    `${time(a.calledAt)}): a new call waits until it is cured (or the venue withdraws it)`,
  NoStatus: (a) =>
    `${str(a.account)} has never proven under policy ${str(a.policyId)}: there is no status to call ` +
    "margin on (a venue gates such an account on isMarginSufficient, which is false)",
  NoMarginCall: (a) =>
    `${str(a.account)} has no margin call under policy ${str(a.policyId)}: nothing to settle`,
  MarginCallPending: (a) =>
    `the margin call on ${str(a.account)} is still pending: not cured, and ` +
    (BigInt(a.deadline as bigint) === 0n
      ? "no round has followed the call yet, so its deadline has not started"
      : `its deadline ${time(a.deadline)} has not come`),
  MarginCallAlreadyExpired: (a) =>
    `the expiry of the margin call on ${str(a.account)} (deadline ${time(a.deadline)}) was already ` +
    "recorded; the call stays until the account proves on a later round",

  // MarketBook.
  ZeroFeed: zeroFeed,
  InvalidFirstRound: (a) =>
    `a feed's first round must be between 1 and 2^63 - 1, not ${str(a.round)}`,
  RoundNotContiguous: (a) =>
    `round ${str(a.round)} is not the feed's next round: rounds of a feed are contiguous, the next is ${str(a.expected)}`,
  TimestampBackwards: (a) =>
    `timestamp ${time(a.timestamp)} is before the feed's latest round's timestamp ${time(a.latestTimestamp)}`,
  TimestampInFuture: (a) =>
    `timestamp ${time(a.timestamp)} is after this block's time ${time(a.blockTimestamp)}: a round ` +
    "cannot be posted ahead of the chain's clock",
  ZeroTimestamp: () => "the round's timestamp is zero",
  InvalidMarketCommitment: () =>
    "the market commitment is zero or not below the BN254 scalar field modulus",
  RoundAlreadyInvalid: (a) => `round ${str(a.round)} of feed ${str(a.feed)} is already invalidated`,

  // PolicyRegistry.
  ZeroPolicyId: () => "the policy id is zero",
  PolicyAlreadyRegistered: (a) =>
    `policy id ${str(a.policyId)} was registered before (ids are never reused, even once retired): ` +
    "register a changed policy under a new id",
  PolicyIsRetired: (a) => `policy ${str(a.policyId)} is retired`,
  InvalidPolicyCommitment: () =>
    "the policy commitment is zero or not below the BN254 scalar field modulus",
  VerifierNotAContract: (a) => `the verifier ${str(a.verifier)} holds no contract code`,
  ZeroVerificationKeyHash: () => "the verification-key hash is zero",
  VerifierWithoutKeyHash: (a) =>
    `the verifier ${str(a.verifier)} does not answer verificationKeyHash(): it is not a zkmargin verifier`,
  VerificationKeyHashMismatch: (a) =>
    `the registered verification-key hash ${str(a.registered)} is not the one the verifier answers ` +
    `(${str(a.verifierHash)}): the policy names another key than its verifier's`,
  VerifierNotApproved: (a) =>
    `the verifier ${str(a.verifier)} (code hash ${str(a.codeHash)}) is not approved by the default admin ` +
    "(PolicyRegistry.approveVerifier)",
  UnknownVerifierApproval: (a) => `no verifier approval for code hash ${str(a.codeHash)}`,
  ZeroMaxRoundAge: () => "the policy's maxRoundAge is zero: no round would ever count",
  ZeroCustodian: () => "the custodian is the zero address",
  VerifierApprovalPending: (a) =>
    `the verifier ${str(a.verifier)} (code hash ${str(a.codeHash)}) is proposed but not approved: the ` +
    `default admin can approve it from ${time(a.effectiveAt)} (zkmargin deploy policy does once it is due)`,
  VerifierAlreadyProposed: (a) =>
    `the verifier code ${str(a.codeHash)} is already proposed or approved`,
  VerifierAlreadyApproved: (a) => `the verifier code ${str(a.codeHash)} is already approved`,
  VerifierApprovalNotYetEffective: (a) =>
    `the verifier code ${str(a.codeHash)} can be approved only from ${time(a.effectiveAt)}: a proposal ` +
    "waits out the approval delay, in public, before any policy can use it",
  VerifierIsDelegatedAccount: (a) =>
    `${str(a.verifier)} is an EIP-7702 delegated account: its key holder can re-point its code at any ` +
    "time, so it cannot be a verifier",
  ZeroApprovalDelay: () => "the verifier approval delay is zero: approvals must wait in public",
  CustodianAlreadyRegistered: (a) =>
    `${str(a.custodian)} is already a registered custodian at venue ${str(a.venue)}`,
  VerifierWithoutSignalCount: (a) =>
    `the verifier ${str(a.verifier)} does not answer publicSignalCount(): it is not a zkmargin verifier of this version`,
  UnsupportedSignalCount: (a) =>
    `the verifier ${str(a.verifier)} takes ${str(a.count)} public signals: a zkmargin circuit has 3 + C, ` +
    "with C from 1 to 8 pledge slots",
  TooManyCustodians: (a) =>
    `registrationsAt was asked for ${str(a.count)} custodians: at most eight fit in a word`,

  // SeparatedAdminRules (MarketBook, PolicyRegistry).
  AdminCannotHoldOperationalRole: (a) =>
    `the default admin ${str(a.admin)} cannot hold ${roleName(a.role)}: operational roles go to ` +
    "other keys, so no single key both approves code and uses it",
  OperatorCannotBecomeAdmin: (a) =>
    `${str(a.account)} holds ${str(a.operationalRoles)} operational role(s) and cannot become the ` +
    "default admin until it renounces them",
  // OpenZeppelin's AccessControlDefaultAdminRules (MarketBook, PolicyRegistry).
  AccessControlUnauthorizedAccount: (a) =>
    `${str(a.account)} does not hold ${roleName(a.neededRole)}: sign with the key of an account that holds it`,
  AccessControlBadConfirmation: () => "an account can only renounce its own roles",
  AccessControlEnforcedDefaultAdminRules: () =>
    "the default admin role moves only in two delayed steps (beginDefaultAdminTransfer, then acceptDefaultAdminTransfer)",
  AccessControlEnforcedDefaultAdminDelay: (a) =>
    `the default admin transfer's delay has not passed: it can be completed from ${time(a.schedule)}`,
  AccessControlInvalidDefaultAdmin: (a) =>
    `${str(a.defaultAdmin)} is not the pending default admin (or the default admin cannot be granted this way)`,
  SafeCastOverflowedUintDowncast: (a) =>
    `a value does not fit in ${str(a.bits)} bits (${str(a.value)})`,
  // OpenZeppelin's EIP712 (MarginRegistry's domain strings).
  InvalidShortString: () => "an EIP-712 domain string is malformed",
  StringTooLong: (a) => `an EIP-712 domain string is too long ("${str(a.str)}")`,
};

/** The arguments of `decoded` by name, from the first interface that declares it that way. */
function namedValues(decoded: DecodedRevert, interfaces: readonly Interface[]): RefusalArgs {
  for (const iface of interfaces) {
    const fragment = iface.getError(decoded.name);
    if (fragment !== null && fragment.inputs.length === decoded.args.length) {
      return Object.fromEntries(
        fragment.inputs.map((input, i) => [input.name || `arg${i}`, decoded.args[i]]),
      );
    }
  }
  return Object.fromEntries(decoded.args.map((value, i) => [`arg${i}`, value]));
}

/** The words of a decoded error: its entry in {@link REFUSALS}, or a plain note when it has none. */
export function refusalSentence(name: string, values: RefusalArgs): string {
  const words = REFUSALS[name];
  return words === undefined
    ? "a refusal this version of zkmargin has no words for"
    : words(values);
}

/**
 * The refusal in a failed call or transaction, decoded with `interfaces` and put in words;
 * undefined when the failure carries no custom error those interfaces know.
 */
export function explainRevert(
  error: unknown,
  interfaces: readonly Interface[],
): Refusal | undefined {
  const decoded = decodeRevert(error, interfaces);
  if (decoded === undefined) return undefined;
  const values = namedValues(decoded, interfaces);
  return {
    ...decoded,
    values,
    call: `${decoded.name}(${decoded.args.map((a) => String(a)).join(", ")})`,
    sentence: refusalSentence(decoded.name, values),
  };
}

/** "Name(args): sentence", the one-line form every verb prints. */
export function refusalText(refusal: Refusal): string {
  return `${refusal.call}: ${refusal.sentence}`;
}
