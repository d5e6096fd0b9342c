/**
 * The naive baseline circuit of the benchmark (`bench/baseline/baseline.circom`, documented in
 * `bench/baseline/README.md`): its main component for an instance's dimensions, its compilation,
 * the names of its public inputs, and its witness input built from the SDK's encoding.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { compileMain, PROJECT_ROOT, type CompiledArtifacts } from "../../build/compile";
import { pieceOf, type CircuitInput, type PortfolioSignals } from "../../encoding/circuit-input";
import { DIMENSIONS, type InstanceDims } from "../../encoding/instances";

/** The baseline's circom source. */
export const BASELINE_SOURCE = path.join(PROJECT_ROOT, "bench", "baseline", "baseline.circom");

/**
 * The baseline's market and policy inputs, in declaration order. Each names a
 * {@link CircuitInput} field of the same encoding. All are public, except on an instance without
 * joint scenario arrays (see {@link baselinePublicInputs}).
 */
export const BASELINE_VALUE_INPUTS = [
  "accountNonce",
  "price",
  "perpMark",
  "optionMark",
  "riskArray",
  "assetRisk",
  "perpRisk",
  "portfolioMargin",
  "minRatio",
  "buffer",
  "shortOptionMinimum",
  "groupShare",
  "assetActive",
  "assetDecimals",
  "assetWeight",
  "assetUpTo",
  "assetGroup",
  "perpActive",
  "perpSizeDecimals",
  "perpRate",
  "perpUpTo",
  "optionActive",
] as const satisfies readonly (keyof CircuitInput)[];

/** Inputs that exist only with joint scenario arrays (joint = 1). */
const JOINT_ONLY = ["assetRisk", "perpRisk", "portfolioMargin"] as const;

/**
 * The baseline's private inputs: one portfolio and the commitment's salt (the baseline has no
 * pledge slots; it proves the first sub-portfolio of the SDK's encoding).
 */
export const BASELINE_PRIVATE_INPUTS = [
  "amount",
  "perpSizeNeg",
  "perpSizeAbs",
  "perpEntryPrice",
  "optionQtyNeg",
  "optionQtyAbs",
  "salt",
] as const satisfies readonly (keyof PortfolioSignals)[];

/** One of the baseline's input names. */
export type BaselineInputName =
  | (typeof BASELINE_VALUE_INPUTS)[number]
  | (typeof BASELINE_PRIVATE_INPUTS)[number];

/** The witness input of `BaselineMargin`: the subset of the SDK's encoding it reads. */
export type BaselineInput = Pick<CircuitInput, (typeof BASELINE_VALUE_INPUTS)[number]> &
  PortfolioSignals;

/**
 * The baseline's public inputs for `dims`, in declaration order (after its one output,
 * `portfolioCommitment`). Without joint scenario arrays (joint = 0) the joint arrays are empty
 * and the margin kind is not public: the circuit forces it to 0 (standard), as MarginProof does.
 */
export function baselinePublicInputs(dims: InstanceDims): (typeof BASELINE_VALUE_INPUTS)[number][] {
  return BASELINE_VALUE_INPUTS.filter(
    (name) => dims.joint === 1 || !(JOINT_ONLY as readonly string[]).includes(name),
  );
}

/**
 * The baseline's witness input from an encoded input of `MarginProof` for the same dimensions:
 * the market and policy values, and the first pledge slot's sub-portfolio.
 */
export function baselineInput(input: CircuitInput): BaselineInput {
  const picked: Record<string, unknown> = {};
  for (const name of BASELINE_VALUE_INPUTS) picked[name] = input[name];
  const piece = pieceOf(input, 0);
  for (const name of BASELINE_PRIVATE_INPUTS) picked[name] = piece[name];
  return picked as unknown as BaselineInput;
}

/** The public signals the baseline exposes for `input` on `dims`, after its commitment. */
export function baselinePublicValues(input: BaselineInput, dims: InstanceDims): bigint[] {
  return baselinePublicInputs(dims).flatMap((name) => [input[name]].flat(2));
}

/**
 * Number of public signals of the baseline for `dims`: the output commitment plus one per public
 * input element. This is the N of its generated verifier.
 */
export function baselinePublicCount(dims: InstanceDims): number {
  const { assets: a, perps: p, options: o, scenarios: s, tiers: t, groups: g, joint: j } = dims;
  const slotPolicy = 2 + t + (t - 1); // active, decimals, T weights or rates, T-1 bounds
  const market = a + p + o + o * s + j * (a + p) * s;
  const policy = j + 3 + g + a * (slotPolicy + g) + p * slotPolicy + o;
  return 1 + 1 + market + policy;
}

/** The build name of the baseline for an instance (under build/circuits/). */
export function baselineBuildName(instance: string): string {
  return `bench-baseline-${instance}`;
}

/**
 * The baseline's `main.circom` for `dims` (every dimension but the pledge slots: the baseline
 * proves one portfolio). It carries the sha256 of baseline.circom, so an edited baseline is
 * recompiled (the compiler's freshness check watches circuits/ only).
 */
export function baselineMainSource(dims: InstanceDims): string {
  const digest = createHash("sha256").update(fs.readFileSync(BASELINE_SOURCE)).digest("hex");
  const args = DIMENSIONS.filter((d) => d !== "pledges")
    .map((d) => dims[d])
    .join(", ");
  return [
    "pragma circom 2.1.9;",
    `// bench/baseline/baseline.circom sha256 ${digest}`,
    'include "../../../bench/baseline/baseline.circom";',
    `component main {public [${baselinePublicInputs(dims).join(", ")}]}`,
    `    = BaselineMargin(${args});`,
    "",
  ].join("\n");
}

/** Compiles the baseline for an instance's dimensions (reused while up to date). */
export function compileBaseline(
  instance: string,
  dims: InstanceDims,
  onProgress?: (line: string) => void,
): Promise<CompiledArtifacts> {
  return compileMain(baselineBuildName(instance), baselineMainSource(dims), { onProgress });
}
