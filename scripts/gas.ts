/**
 * `npm run gas`: measured gas of the zkmargin contracts on Hardhat's in-process EVM.
 *
 * - deployment gas of MarketBook, PolicyRegistry, MarginRegistry and each set-up verifier (an
 *   instance whose keys predate the current circuits/ is named and skipped, as in `npm run bench`);
 * - gas of `MarginRegistry.prove` per set-up circuit instance, with a real proof made from the
 *   examples/<name>/ triple that fits it (`exampleFor`), pledged by a custodian: the first proof
 *   of an account, the same sent with its EIP-2930 access list, and a repeat;
 * - gas of a first `prove` of four sub-portfolios, each pledged by its own custodian, with the
 *   reference instance's real proof checked by a verifier of 7 signals whose key accepts it with
 *   the three other commitments (`keyAcceptingMoreSignals`);
 * - the cost of one more public input, measured on snarkjs verifiers rendered from the same
 *   template with N public inputs, and what a design with one public input per price, or per
 *   market value (prices, marks, option and joint risk arrays), would cost;
 * - the batch check of the generated verifier (`verifyBatch`) at B = 1, 8, 32 and 64 real proofs
 *   of distinct accounts, per proof, beside `verifyProof` and `verifyOne`, split from a trace
 *   into pairings, ecMul, ecAdd, the keccak of the weights, calldata and the rest; and what one
 *   more public signal costs a batch (`npm run gas -- --no-batch` skips this part);
 * - what a consumer contract pays for each view of IMarginOracle (and MarginRegistry's
 *   `statusOf`), cold and warm, on a stand-in verifier (`npm run gas -- --views` prints only
 *   this part, which needs no circuit instance).
 *
 * Every figure printed is measured here; nothing is typed in by hand.
 */
import type { Signer } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type {} from "@nomicfoundation/hardhat-ethers";
import type { Example } from "../prover/src/bench/examples";
import { readiness } from "../prover/src/bench/readiness";
import {
  deployVerifier,
  deployZkMargin,
  hasVerifierSource,
  toBatchCalldata,
  type BatchItem,
} from "../prover/src/chain";
import { loadInstances, type InstanceDims } from "../prover/src/encoding/instances";
import {
  installZkMarginVerifier,
  measureBatchGas,
  measureProveBatchGas,
  proofCalldataGas,
  measureProveGas,
  measureSeveralPledgesGas,
  measureVerifierGas,
  measureViewGas,
  tracedCall,
  withPublicInputs,
  type GasSigners,
  type GasSplit,
  type ProveBatchGas,
  type ProveGas,
} from "../prover/src/gas";
import type { VerificationKey } from "../prover/src/proving";
import { releaseCurve } from "../prover/src/proving";
import { loadArtifacts, readManifest } from "../prover/src/setup/manifest";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const hre = require("hardhat") as HardhatRuntimeEnvironment;

const TARGET = 300_000n;
/** The target of a first proof with four custodians (issue 19). */
const TARGET_FOUR = 380_000n;
/** Custodians of the several-pledges measurement. */
const CUSTODIANS = 4;
/**
 * Extra public inputs of the rendered verifier variants used to measure the per-input cost, over
 * the circuit's own count.
 */
const VARIANT_EXTRA_INPUTS = [0, 8, 16];
/** Batch sizes of the batch-check measurement (issue 20). */
const BATCH_SIZES = [1, 8, 32, 64];
/** The batch size the registry's per-account targets are set at. */
const TARGET_BATCH = 32;
/** The registry's targets per account in a batch of TARGET_BATCH, all in (issue 20). */
const BATCH_TARGETS = { repeat: 90_000n, first: 110_000n };

function row(label: string, value: string | bigint | number, width = 44): string {
  return `  ${label.padEnd(width)} ${String(value).padStart(10)}`;
}

async function main(): Promise<void> {
  await hre.run("compile", { quiet: true });
  const signers = await hre.ethers.getSigners();
  const [admin, account, custodian, operator, ...others] = signers;
  const moreCustodians = others.slice(0, CUSTODIANS - 1);
  const manifest = readManifest();
  const declared = loadInstances();
  // `npm run gas -- small demo` measures only the named instances; `--no-batch` skips the batch.
  const args = process.argv.slice(2);
  const batch = !args.includes("--no-batch");
  const viewsOnly = args.includes("--views");
  const only = args.filter((a) => !a.startsWith("--"));
  const setUp = Object.keys(manifest.instances).filter(
    (name) =>
      hasVerifierSource(name) &&
      declared[name] !== undefined &&
      (only.length === 0 || only.includes(name)),
  );

  console.log("zkmargin gas report (Hardhat EVM, solc 0.8.30, optimizer 10000 runs)\n");
  if (viewsOnly) {
    await viewReport(signers);
    return;
  }
  // Stale keys (a circuit changed since setup) or no fitting example: say so rather than measure
  // an old verifier or nothing.
  const ready: { instance: string; dims: InstanceDims; example: Example }[] = [];
  for (const instance of setUp) {
    const dims = declared[instance];
    const checked = await readiness(instance, dims);
    if ("reason" in checked) console.log(`(${instance}: skipped: ${checked.reason})\n`);
    else ready.push({ instance, dims, example: checked.example });
  }

  console.log("Deployment");
  const d = await deployZkMargin(admin);
  console.log(row("MarketBook", d.marketBook.gasUsed));
  console.log(row("PolicyRegistry", d.policyRegistry.gasUsed));
  console.log(row("MarginRegistry", d.marginRegistry.gasUsed));
  for (const { instance } of ready) {
    console.log(row(`verifier (${instance})`, (await deployVerifier(admin, instance)).gasUsed));
  }
  console.log();
  await viewReport(signers);
  if (ready.length === 0) {
    console.log(
      "\nNo circuit instance is set up and current (build/manifest.json + generated verifier): " +
        "run `zkmargin setup --instance small` to measure prove gas.",
    );
    return;
  }

  const results: (ProveGas & { dims: InstanceDims })[] = [];
  for (const { instance, dims, example } of ready) {
    const measured = await measureProveGas(instance, dims, example, {
      admin,
      operator,
      account,
      custodian,
    });
    results.push({ ...measured, dims });
  }

  // The reference: the first instance of one pledge slot (v2's four public signals), else the first.
  const reference = results.find((r) => r.dims.pledges === 1) ?? results[0];
  if (reference === undefined) return;
  console.log("\nprove (real proof, one custodian's pledge, total tx gas)");
  const verdict = (g: bigint, target: bigint) => (g < target ? "under" : "OVER");
  for (const r of results) {
    const label =
      `${r.instance} (${r.dims.assets}A/${r.dims.perps}P/${r.dims.options}O, C = ${r.dims.pledges}, ` +
      `${r.publicSignals.length} public inputs, ${r.example})`;
    console.log(`  ${label}`);
    console.log(row("  first proof of the account", r.firstProve, 42));
    const { addresses, storageKeys } = r.accessListSize;
    console.log(
      row(
        `  the same with its access list (${addresses} addr., ${storageKeys} slots)`,
        r.firstProveWithAccessList,
        42,
      ),
    );
    console.log(row("  repeat proof (status already stored)", r.repeatProve, 42));
    console.log(row("  verifyProof alone (tx gas)", r.verifyOnly, 42));
    console.log(
      `    target ${TARGET}: first ${verdict(r.firstProve, TARGET)}, repeat ${verdict(r.repeatProve, TARGET)}`,
    );
  }

  const referenceExample = ready.find((r) => r.instance === reference.instance)?.example;
  if (referenceExample && reference.dims.pledges === 1) {
    const several = await measureSeveralPledgesGas(
      reference.instance,
      reference.dims,
      referenceExample,
      {
        admin,
        operator,
        account,
        custodian,
        moreCustodians,
      },
    );
    console.log(
      `\nprove with ${several.custodians} custodians (${reference.instance}'s real proof, a verifier of ` +
        `${3 + several.custodians} signals accepting it with ${several.custodians - 1} more commitments; total tx gas)`,
    );
    console.log(row("  first proof of the account", several.firstProve, 42));
    console.log(row("  the same with its access list", several.firstProveWithAccessList, 42));
    console.log(
      row(
        `  verifyProof alone (${3 + several.custodians} signals, tx gas)`,
        several.verifyOnly,
        42,
      ),
    );
    console.log(`    target ${TARGET_FOUR}: first ${verdict(several.firstProve, TARGET_FOUR)}`);
  }

  const nPublic = reference.publicSignals.length;
  const { vkey } = await loadArtifacts(reference.instance);
  console.log("\nCost of public inputs (snarkjs verifier template, measured per N)");
  const perN: [number, bigint][] = [];
  for (const n of VARIANT_EXTRA_INPUTS.map((extra) => nPublic + extra)) {
    // Distinct non-zero field elements, like real commitments and prices.
    const signals = Array.from({ length: n }, (_, i) => (1n << 250n) + BigInt(i) * 7919n);
    const variant = withPublicInputs(vkey, n);
    const { verifyGas } = await measureVerifierGas(
      admin,
      hre.ethers.provider,
      variant,
      reference.proof,
      signals,
    );
    perN.push([n, verifyGas]);
    console.log(row(`verifyProof with ${n} public inputs`, verifyGas));
  }
  const [n0, g0] = perN[0];
  const [n1, g1] = perN[perN.length - 1];
  const perInput = (g1 - g0) / BigInt(n1 - n0);
  console.log(row("per extra public input (slope)", perInput));

  console.log(
    "\nOne public input per market value instead of a market commitment (verifier cost only)",
  );
  for (const r of results) {
    const { assets, perps, options, scenarios, joint } = r.dims;
    const prices = assets + perps + options;
    // Every value the market commitment binds but the round and timestamp: prices, marks, option
    // risk arrays and, on an instance with joint scenario arrays, one entry per position and scenario.
    const values = prices + (options + joint * (assets + perps)) * scenarios;
    console.log(
      `  ${r.instance}: ${prices} prices (assets + perp marks + option marks), ${values} market values (with the risk arrays)`,
    );
    console.log(row("  this design, repeat prove", r.repeatProve, 42));
    console.log(
      row("  per-price design, repeat prove (>=)", r.repeatProve + perInput * BigInt(prices), 42),
    );
    console.log(
      row("  per-value design, repeat prove (>=)", r.repeatProve + perInput * BigInt(values), 42),
    );
  }
  console.log(
    "\nprove's cost does not depend on the portfolio or instance size, only on its pledge slots C: " +
      `the circuit has 3 + C public inputs (${nPublic} here). A per-value design grows by the slope ` +
      "above per public value (a lower bound: it also pays to read each value on-chain).",
  );

  if (batch) {
    const example = ready.find((r) => r.instance === reference.instance)?.example;
    if (example) {
      const signers = { admin, operator, account, custodian };
      await batchReport(signers, reference.instance, reference.dims, example, vkey);
    }
  }
}

/** What a consumer contract pays for each view, cold and warm (no circuit instance needed). */
async function viewReport(
  signers: Awaited<ReturnType<typeof hre.ethers.getSigners>>,
): Promise<void> {
  // Signers 0 to 3 are the prove measurement's; these are fresh ones.
  const [admin, publisher, policyAdmin, custodianAdmin, custodian, venue, account, stranger] =
    signers.slice(4);
  const rows = await measureViewGas({
    admin,
    publisher,
    policyAdmin,
    custodianAdmin,
    custodian,
    venue,
    account,
    stranger,
  });
  console.log(
    "What a consumer contract pays per view (a call from a contract, encoding and decoding " +
      "included; policy with a custodian pledge; cold: first read in the transaction, warm: a repeat)",
  );
  console.log(`  ${"view".padEnd(32)}${"situation".padEnd(30)}${pad("cold", 8)}${pad("warm", 8)}`);
  for (const r of rows) {
    console.log(
      `  ${r.view.padEnd(32)}${r.situation.padEnd(30)}${pad(r.cold, 8)}${pad(r.warm, 8)}`,
    );
  }
}

const per = (gas: bigint, n: number) => gas / BigInt(n);
const pad = (v: string | bigint | number, w: number) => String(v).padStart(w);

/** A table line: the label, the transaction's total, then it and each part divided by `n`. */
function perRow(label: string, width: number, g: GasSplit, parts: bigint[], n: number): string {
  const cells = [g.total, ...[g.total, ...parts].map((part) => per(part, n))];
  return `  ${label.padEnd(width)}${cells.map((c) => pad(c, 10)).join("")}`;
}

/** Calldata (EIP-2028) and the 21,000 base of a transaction. */
const txParts = (g: GasSplit) => [g.intrinsic - 21_000n, 21_000n];

/** One line of the batch table: the whole call and its split, per proof. */
function splitRow(label: string, g: GasSplit, proofs: number): string {
  const parts = [g.pairing, g.ecMul, g.ecAdd, g.keccak, ...txParts(g), g.other];
  return perRow(label, 22, g, parts, proofs);
}

/**
 * One line of the registry's batch table: the whole transaction and its split, per account (an
 * access list's intrinsic gas counted in storage: it buys the warm accesses).
 */
function accountRow(label: string, g: GasSplit, accounts: number): string {
  const storage = g.storage + g.accessList;
  const parts = [g.pairing, g.ecMul + g.ecAdd, g.ecrecover, storage, g.logs, g.keccak];
  return perRow(label, 26, g, [...parts, ...txParts(g), g.other], accounts);
}

/** `MarginRegistry.proveBatch` beside `prove` and `proveFor`, per account, with the targets. */
function proveBatchTable(instance: string, measured: ProveBatchGas): void {
  console.log(
    `\nproveBatch (${instance}: real proofs of distinct accounts, one custodian's pledge and a signed request each; total tx gas, then per account)`,
  );
  const heads = ["tx total", "per acct", "pairing", "ecMul/Add", "ecrecover", "storage"];
  heads.push("events", "keccak", "calldata", "tx base", "other");
  console.log(`  ${"gas".padEnd(26)}${heads.map((h) => pad(h, 10)).join("")}`);
  for (const kind of ["first", "repeat"] as const) {
    console.log(accountRow(`prove, ${kind}`, measured.prove[kind], 1));
    console.log(accountRow(`proveFor, ${kind}`, measured.proveFor[kind], 1));
    for (const b of measured.batches) {
      console.log(accountRow(`proveBatch B = ${b.size}, ${kind}`, b[kind], b.size));
      if (b.listed) console.log(accountRow(`  the same, access list`, b.listed[kind], b.size));
    }
  }
  console.log(
    "  Columns after the first are per account. pairing, ecMul/Add and ecrecover: the precompile " +
      "calls in the trace; storage: SLOAD and SSTORE as charged; events: the LOG operations; " +
      "keccak: EIP-712 hashes and the batch weights; calldata: EIP-2028; other: ABI decoding, " +
      "memory, checks, loops and the calls' overhead (cold contract access included). " +
      "Access list: the batch sent with its EIP-2930 list (proveBatchAccessList; its 2,400 per " +
      "address and 1,900 per slot counted in storage).",
  );
  const at = measured.batches.find((b) => b.size === TARGET_BATCH);
  const one = measured.batches.find((b) => b.size === 1);
  if (at) {
    for (const kind of ["repeat", "first"] as const) {
      const target = BATCH_TARGETS[kind];
      const sent = [["", at[kind]]] as [string, GasSplit][];
      if (at.listed) sent.push([" with its access list", at.listed[kind]]);
      for (const [how, gas] of sent) {
        const perAccount = per(gas.total, TARGET_BATCH);
        console.log(
          `    target, ${kind} proof at B = ${TARGET_BATCH}${how}: ${perAccount} per account, at most ${target}: ${perAccount <= target ? "met" : "MISSED"}`,
        );
      }
    }
  }
  if (one) {
    for (const kind of ["first", "repeat"] as const) {
      const base = measured.prove[kind].total;
      const over = Number(((one[kind].total - base) * 10_000n) / base) / 100;
      console.log(
        `    target, a batch of one at most 5 % over prove (${kind}): ${one[kind].total} against ${base}, ${over.toFixed(2)} % ${over <= 5 ? "met" : "MISSED"}`,
      );
    }
  }
}

/**
 * The registry's `proveBatch` with real proofs beside `prove` and `proveFor`, then the batch
 * check of `instance`'s generated verifier with the same proofs, where its gas goes, and what one
 * more public signal costs a batch (on the same edits rendered for a wider key).
 */
async function batchReport(
  signers: GasSigners,
  instance: string,
  dims: InstanceDims,
  example: Example,
  vkey: VerificationKey,
): Promise<void> {
  const { admin } = signers;
  const largest = Math.max(...BATCH_SIZES);
  const registryGas = await measureProveBatchGas(
    instance,
    dims,
    example,
    signers,
    BATCH_SIZES,
    (done, total) => {
      if (done % 16 === 0) process.stderr.write(`  (${done}/${total} proofs made)\n`);
    },
    [TARGET_BATCH],
  );
  proveBatchTable(instance, registryGas);
  console.log(
    `\nBatch verification (${instance}: ${largest} real proofs of distinct accounts; verifyBatch of the first B)`,
  );
  const items = registryGas.proofs;
  const verifier = (await deployVerifier(admin, instance)).contract;
  const measured = await measureBatchGas(verifier, hre.ethers.provider, items, BATCH_SIZES);
  console.log(
    `  ${"gas".padEnd(22)}${["tx total", "per proof", "pairing", "ecMul", "ecAdd", "keccak", "calldata", "tx base", "other"].map((h) => pad(h, 10)).join("")}`,
  );
  console.log(splitRow("verifyProof (snarkjs)", measured.verifyProof, 1));
  console.log(splitRow("verifyOne", measured.verifyOne, 1));
  for (const { size, gas } of measured.batches)
    console.log(splitRow(`verifyBatch, B = ${size}`, gas, size));
  console.log(
    "  Columns after the first are per proof. pairing, ecMul and ecAdd: the precompile calls, " +
      "measured in the trace; keccak: the seed and the weights; calldata: EIP-2028 (4 per zero " +
      "byte, 16 per other); other: ABI decoding, the key in memory, field checks and loops.",
  );
  // What the edit costs snarkjs's own verifyProof: the unedited contract of the same key.
  const [first] = items;
  const unedited = await measureVerifierGas(
    admin,
    hre.ethers.provider,
    vkey,
    first.proof,
    first.publicSignals,
  );
  const edited = await verifier
    .getFunction("verifyProof")
    .estimateGas(first.proof.a, first.proof.b, first.proof.c, first.publicSignals);
  console.log(
    `  verifyProof, same proof: snarkjs's contract ${unedited.verifyGas}, with zkmargin's edits ${edited} (${edited - unedited.verifyGas} more: the larger contract's dispatch)`,
  );
  for (const { size, gas } of measured.batches) {
    console.log(
      `  B = ${size}: ${gas.pairs} pairings, ${gas.ecMuls} ecMul, ${gas.ecAdds} ecAdd, ${gas.keccaks} keccak, ${gas.calldataBytes} bytes of calldata`,
    );
  }

  // Inside MarginRegistry.proveBatch the signals are rebuilt from chain state (no calldata) and
  // the verifier is called from the registry: the verifier's share per account is its execution
  // plus the calldata of the proof alone.
  const at = measured.batches.find((b) => b.size === TARGET_BATCH);
  if (at) {
    const execution = per(at.gas.total - at.gas.intrinsic, TARGET_BATCH);
    const proofCalldata = per(
      items.slice(0, TARGET_BATCH).reduce((sum, item) => sum + proofCalldataGas(item.proof), 0n),
      TARGET_BATCH,
    );
    const share = execution + proofCalldata;
    console.log(`\n  The registry's budget per account at B = ${TARGET_BATCH} (all in):`);
    console.log(row("verifier execution per proof", execution, 42));
    console.log(row("calldata of one proof (256 bytes)", proofCalldata, 42));
    console.log(row("verifier share per account", share, 42));
    for (const [kind, target] of Object.entries(BATCH_TARGETS)) {
      console.log(row(`left of the ${kind} target ${target}`, target - share, 42));
    }
  }

  await batchSignalSlope(admin, vkey, items.slice(0, TARGET_BATCH));
}

/**
 * What one more public signal costs `verifyBatch` at B = TARGET_BATCH: the same edits rendered
 * for keys with 8 and 16 more inputs, measured with the real proofs and the extra signals zero
 * (so the proofs still verify; the ecMul and ecAdd of an input cost the same for any value).
 */
async function batchSignalSlope(
  admin: Signer,
  vkey: VerificationKey,
  items: readonly BatchItem[],
): Promise<void> {
  console.log(`\nPublic signals in a batch of ${items.length} (execution gas, without calldata)`);
  const measured: [number, bigint][] = [];
  for (const extra of VARIANT_EXTRA_INPUTS) {
    const wide = withPublicInputs(vkey, vkey.nPublic + extra);
    const { contract } = await installZkMarginVerifier(
      admin,
      hre.ethers.provider,
      wide,
      `signals_${wide.nPublic}`,
    );
    const padded = items.map((item) => ({
      ...item,
      publicSignals: [
        ...item.publicSignals.map((s) => BigInt(s)),
        ...Array<bigint>(extra).fill(0n),
      ],
    }));
    const calldata = toBatchCalldata(padded);
    const gas = await tracedCall(contract, hre.ethers.provider, "verifyBatch", [
      calldata.proofs,
      calldata.pubSignals,
    ]);
    const execution = gas.total - gas.intrinsic;
    measured.push([wide.nPublic, execution]);
    console.log(row(`verifyBatch with ${wide.nPublic} public signals`, execution));
  }
  const [n0, g0] = measured[0];
  const [n1, g1] = measured[measured.length - 1];
  const slope = (g1 - g0) / BigInt(n1 - n0);
  console.log(row("per extra public signal, per batch", slope));
  console.log(
    row(`per extra public signal, per proof (B = ${items.length})`, slope / BigInt(items.length)),
  );
}

main()
  .then(async () => {
    await releaseCurve();
  })
  .catch(async (error: unknown) => {
    console.error(error);
    await releaseCurve();
    process.exitCode = 1;
  });
