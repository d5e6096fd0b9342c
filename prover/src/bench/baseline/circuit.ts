/**
 * The naive baseline circuit of the benchmark (`bench/baseline/baseline.circom`, documented in
 * `bench/baseline/README.md`): its main component for an instance's slot counts, its compilation,
 * the names of its public inputs, and its witness input built from the SDK's encoding.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { compileMain, PROJECT_ROOT, type CompiledArtifacts } from "../../build/compile";
import type { CircuitInput } from "../../encoding/circuit-input";
import type { InstanceDims } from "../../encoding/instances";

/** The baseline's circom source. */
export const BASELINE_SOURCE = path.join(PROJECT_ROOT, "bench", "baseline", "baseline.circom");

/**
 * The baseline's public inputs, in declaration order (after its one output,
 * `portfolioCommitment`). Each names a {@link CircuitInput} field of the same encoding.
 */
export const BASELINE_PUBLIC_INPUTS = [
  "accountNonce",
  "price",
  "perpMark",
  "optionMark",
  "riskArray",
  "minRatio",
  "buffer",
  "shortOptionMinimum",
  "assetActive",
  "assetDecimals",
  "assetWeight",
  "assetUpTo",
  "perpActive",
  "perpSizeDecimals",
  "perpRate",
  "perpUpTo",
  "optionActive",
] as const satisfies readonly (keyof CircuitInput)[];

/** The baseline's private inputs: the portfolio and the commitment's salt. */
export const BASELINE_PRIVATE_INPUTS = [
  "amount",
  "perpSizeNeg",
  "perpSizeAbs",
  "perpEntryPrice",
  "optionQtyNeg",
  "optionQtyAbs",
  "salt",
] as const satisfies readonly (keyof CircuitInput)[];

/** The witness input of `BaselineMargin`: the subset of the SDK's encoding it reads. */
export type BaselineInput = Pick<
  CircuitInput,
  (typeof BASELINE_PUBLIC_INPUTS)[number] | (typeof BASELINE_PRIVATE_INPUTS)[number]
>;

/** The baseline's witness input from an encoded input of `MarginProof` for the same dimensions. */
export function baselineInput(input: CircuitInput): BaselineInput {
  const picked: Record<string, unknown> = {};
  for (const name of [...BASELINE_PUBLIC_INPUTS, ...BASELINE_PRIVATE_INPUTS])
    picked[name] = input[name];
  return picked as BaselineInput;
}

/**
 * Number of public signals of the baseline for `dims`: the output commitment plus one per public
 * input element. This is the N of its generated verifier.
 */
export function baselinePublicCount(dims: InstanceDims): number {
  const { assets: a, perps: p, options: o, scenarios: s, tiers: t } = dims;
  const slotPolicy = 2 + t + (t - 1); // active, decimals, T weights or rates, T-1 bounds
  return 1 + 1 + a + p + o + o * s + 3 + (a + p) * slotPolicy + o;
}

/** The build name of the baseline for an instance (under build/circuits/). */
export function baselineBuildName(instance: string): string {
  return `bench-baseline-${instance}`;
}

/**
 * The baseline's `main.circom` for `dims`. It carries the sha256 of baseline.circom, so an edited
 * baseline is recompiled (the compiler's freshness check watches circuits/ only).
 */
export function baselineMainSource(dims: InstanceDims): string {
  const digest = createHash("sha256").update(fs.readFileSync(BASELINE_SOURCE)).digest("hex");
  const args = [dims.assets, dims.perps, dims.options, dims.scenarios, dims.tiers].join(", ");
  return [
    "pragma circom 2.1.9;",
    `// bench/baseline/baseline.circom sha256 ${digest}`,
    'include "../../../bench/baseline/baseline.circom";',
    `component main {public [${BASELINE_PUBLIC_INPUTS.join(", ")}]}`,
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
