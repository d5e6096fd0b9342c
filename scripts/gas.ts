/**
 * `npm run gas`: measured gas of the zkmargin contracts on Hardhat's in-process EVM.
 *
 * - deployment gas of MarketBook, PolicyRegistry, MarginRegistry and each set-up verifier;
 * - gas of `MarginRegistry.prove` per set-up circuit instance, with a real proof made from the
 *   first examples/<name>/ triple that fits it (first proof of an account, and a repeat proof);
 * - the cost of one more public input, measured on snarkjs verifiers rendered from the same
 *   template with N public inputs, and what a design with one public input per price would cost.
 *
 * Every figure printed is measured here; nothing is typed in by hand.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { Contract, ContractFactory } from "ethers";
import type { Signer } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type {} from "@nomicfoundation/hardhat-ethers";
import {
  addCustodian,
  approveVerifier,
  deployVerifier,
  deployZkMargin,
  hasVerifierSource,
  policyIdOf,
  postRound,
  readMarginRegistryDomain,
  registerPolicy,
  signAttestation,
  submitProof,
  toSolidityProof,
} from "../prover/src/chain";
import type { SolidityProof } from "../prover/src/chain";
import { publicCommitments } from "../prover/src/commitments";
import { feedIdOf } from "../prover/src/layout";
import { fits, loadInstances } from "../prover/src/encoding/instances";
import type { InstanceDims } from "../prover/src/encoding/instances";
import { loadMarket, loadPolicy, loadPortfolio } from "../prover/src/inputs";
import type { Market, Policy, Portfolio } from "../prover/src/inputs";
import { decodePublicSignals, generateProof, releaseCurve } from "../prover/src/proving";
import type { VerificationKey } from "../prover/src/proving";
import { loadArtifacts, readManifest } from "../prover/src/setup/manifest";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const hre = require("hardhat") as HardhatRuntimeEnvironment;

const ROOT = path.resolve(__dirname, "..");
const TARGET = 300_000n;
/** Public-input counts of the rendered verifier variants used to measure the per-input cost. */
const VARIANT_INPUTS = [4, 12, 20];

interface Example {
  name: string;
  policy: Policy;
  market: Market;
  portfolio: Portfolio;
}

interface InstanceGas {
  instance: string;
  dims: InstanceDims;
  example: string;
  firstProve: bigint;
  repeatProve: bigint;
  verifyOnly: bigint;
  /** The first real proof, reused to probe the verifier variants. */
  proof: SolidityProof;
}

function row(label: string, value: string | bigint | number, width = 44): string {
  return `  ${label.padEnd(width)} ${String(value).padStart(10)}`;
}

function examples(): Example[] {
  const dir = path.join(ROOT, "examples");
  return readdirSync(dir)
    .sort()
    .filter((name) =>
      ["policy.json", "market.json", "portfolio.json"].every((f) =>
        existsSync(path.join(dir, name, f)),
      ),
    )
    .map((name) => {
      const policy = loadPolicy(path.join(dir, name, "policy.json"));
      return {
        name,
        policy,
        market: loadMarket(path.join(dir, name, "market.json")),
        portfolio: loadPortfolio(path.join(dir, name, "portfolio.json"), policy),
      };
    });
}

async function latestTimestamp(): Promise<bigint> {
  const block = await hre.ethers.provider.getBlock("latest");
  if (!block) throw new Error("no latest block");
  return BigInt(block.timestamp);
}

/** Deploys a fresh set of contracts for `instance` and measures `prove` with real proofs. */
async function measureInstance(
  instance: string,
  dims: InstanceDims,
  example: Example,
  signers: { admin: Signer; account: Signer; custodian: Signer },
): Promise<InstanceGas> {
  const { admin, account, custodian } = signers;
  const accountAddress = await account.getAddress();
  const portfolio: Portfolio = { ...example.portfolio, account: accountAddress };
  const market: Market = { ...example.market, timestamp: (await latestTimestamp()) - 60n };
  const policy = example.policy;

  const adminAddress = await admin.getAddress();
  const d = await deployZkMargin(admin, {
    roles: {
      publishers: [adminAddress],
      policyAdmins: [adminAddress],
      custodianAdmins: [adminAddress],
    },
  });
  const verifier = await deployVerifier(admin, instance);
  await approveVerifier(d.policyRegistry.contract, verifier.address);
  const venue = await publicCommitments({ policy, market, instance: dims });
  const feed = feedIdOf(venue.layoutId);
  await postRound(d.marketBook.contract, {
    feed,
    round: market.round,
    timestamp: market.timestamp,
    commitment: venue.market,
  });
  const policyId = policyIdOf(policy.id);
  await registerPolicy(d.policyRegistry.contract, {
    policyId,
    commitment: venue.policy,
    mode: policy.mode,
    verifier: verifier.address,
    verificationKeyHash: readManifest().instances[instance].vkeyHash,
    feed,
    maxRoundAge: 3600n,
    supersededGrace: 300n,
  });
  await addCustodian(d.policyRegistry.contract, policyId, await custodian.getAddress());
  const domain = await readMarginRegistryDomain(d.marginRegistry.contract);
  const registry = d.marginRegistry.contract.connect(account) as Contract;

  const gasOf = async (
    nonce: bigint,
  ): Promise<{ gas: bigint; verify: bigint; proof: SolidityProof }> => {
    const made = await generateProof({ policy, market, portfolio, nonce, instance });
    const proof = toSolidityProof(made.proof);
    const { portfolioCommitment } = decodePublicSignals(made.publicSignals);
    const verify = await verifier.contract
      .getFunction("verifyProof")
      .estimateGas(proof.a, proof.b, proof.c, made.publicSignals);
    const attestation = await signAttestation(custodian, domain, {
      account: accountAddress,
      portfolioCommitment,
      issuedAt: await latestTimestamp(),
      validUntil: market.timestamp + 86_400n,
    });
    const receipt = await submitProof(registry, {
      policyId,
      round: market.round,
      portfolioCommitment,
      nonce,
      proof,
      attestation,
    });
    return { gas: receipt.gasUsed, verify, proof };
  };
  const first = await gasOf(1n);
  const repeat = await gasOf(2n);
  return {
    instance,
    dims,
    example: example.name,
    firstProve: first.gas,
    repeatProve: repeat.gas,
    verifyOnly: first.verify,
    proof: first.proof,
  };
}

/**
 * Renders snarkjs 0.7.6's Groth16 verifier template for a verification key with `nPublic`
 * inputs (the real key's IC points reused cyclically: valid curve points, so every input costs
 * its full ecMul + ecAdd), compiles it with the project's solc and returns the bytecode.
 */
function verifierVariantBytecode(vkey: VerificationKey, nPublic: number): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ejs = require("ejs") as { render(template: string, data: object): string };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const solc = require("solc") as { compile(input: string): string };
  const template = readFileSync(
    path.join(ROOT, "node_modules", "snarkjs", "templates", "verifier_groth16.sol.ejs"),
    "utf8",
  );
  const ic = vkey.IC as unknown[];
  const variant = {
    ...vkey,
    nPublic,
    IC: [ic[0], ...Array.from({ length: nPublic }, (_, i) => ic[1 + (i % (ic.length - 1))])],
  };
  const source = ejs.render(template, variant);
  const output = JSON.parse(
    solc.compile(
      JSON.stringify({
        language: "Solidity",
        sources: { "Verifier.sol": { content: source } },
        settings: {
          optimizer: { enabled: true, runs: 10_000 },
          evmVersion: "cancun",
          viaIR: true,
          outputSelection: { "*": { "*": ["evm.bytecode.object"] } },
        },
      }),
    ),
  ) as {
    errors?: { severity: string; formattedMessage: string }[];
    contracts: Record<string, Record<string, { evm: { bytecode: { object: string } } }>>;
  };
  const fatal = (output.errors ?? []).filter((e) => e.severity === "error");
  if (fatal.length > 0) throw new Error(fatal.map((e) => e.formattedMessage).join("\n"));
  const [contract] = Object.values(output.contracts["Verifier.sol"]);
  return "0x" + contract.evm.bytecode.object;
}

/** Gas of a `verifyProof` transaction on a rendered verifier with `nPublic` inputs. */
async function variantVerifyGas(
  deployer: Signer,
  vkey: VerificationKey,
  proof: SolidityProof,
  nPublic: number,
): Promise<bigint> {
  const abi = [
    `function verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[${nPublic}]) view returns (bool)`,
  ];
  const factory = new ContractFactory(abi, verifierVariantBytecode(vkey, nPublic), deployer);
  const contract = await factory.deploy();
  await contract.waitForDeployment();
  // Distinct non-zero field elements, like real commitments and prices.
  const signals = Array.from({ length: nPublic }, (_, i) => (1n << 250n) + BigInt(i) * 7919n);
  return contract.getFunction("verifyProof").estimateGas(proof.a, proof.b, proof.c, signals);
}

async function main(): Promise<void> {
  await hre.run("compile", { quiet: true });
  const [admin, account, custodian] = await hre.ethers.getSigners();
  const manifest = readManifest();
  const declared = loadInstances();
  // `npm run gas -- small demo` measures only the named instances.
  const only = process.argv.slice(2);
  const ready = Object.keys(manifest.instances).filter(
    (name) =>
      hasVerifierSource(name) &&
      declared[name] !== undefined &&
      (only.length === 0 || only.includes(name)),
  );

  console.log("zkmargin gas report (Hardhat EVM, solc 0.8.30, optimizer 10000 runs)\n");
  console.log("Deployment");
  const d = await deployZkMargin(admin);
  console.log(row("MarketBook", d.marketBook.gasUsed));
  console.log(row("PolicyRegistry", d.policyRegistry.gasUsed));
  console.log(row("MarginRegistry", d.marginRegistry.gasUsed));
  for (const instance of ready) {
    console.log(row(`verifier (${instance})`, (await deployVerifier(admin, instance)).gasUsed));
  }
  if (ready.length === 0) {
    console.log(
      "\nNo circuit instance is set up (build/manifest.json + generated verifier): run " +
        "`zkmargin setup --instance small` to measure prove gas.",
    );
    return;
  }

  const available = examples();
  const results: InstanceGas[] = [];
  for (const instance of ready) {
    const dims = declared[instance];
    const example = available.find((e) => fits(e.policy, e.market, dims));
    if (!example) {
      console.log(`\n(${instance}: no example in examples/ fits this instance; skipped)`);
      continue;
    }
    try {
      await loadArtifacts(instance);
    } catch (error) {
      // A rebuilt circuit whose keys were not regenerated: say so rather than measure nothing.
      console.log(
        `\n(${instance}: artifacts do not match build/manifest.json; skipped: ${String(error)})`,
      );
      continue;
    }
    results.push(await measureInstance(instance, dims, example, { admin, account, custodian }));
  }

  console.log("\nprove (real proof, 4 public inputs, custodian attestation, total tx gas)");
  for (const r of results) {
    const label = `${r.instance} (${r.dims.assets}A/${r.dims.perps}P/${r.dims.options}O, ${r.example})`;
    console.log(`  ${label}`);
    console.log(row("  first proof of the account", r.firstProve, 42));
    console.log(row("  repeat proof (status already stored)", r.repeatProve, 42));
    console.log(row("  verifyProof alone (tx gas)", r.verifyOnly, 42));
    const verdict = (g: bigint) => (g < TARGET ? "under" : "OVER");
    console.log(
      `    target ${TARGET}: first ${verdict(r.firstProve)}, repeat ${verdict(r.repeatProve)}`,
    );
  }

  const reference = results[0];
  if (reference === undefined) return;
  const { vkey } = await loadArtifacts(reference.instance);
  console.log("\nCost of public inputs (snarkjs verifier template, measured per N)");
  const perN: [number, bigint][] = [];
  for (const n of VARIANT_INPUTS) {
    const gas = await variantVerifyGas(admin, vkey, reference.proof, n);
    perN.push([n, gas]);
    console.log(row(`verifyProof with ${n} public inputs`, gas));
  }
  const [n0, g0] = perN[0];
  const [n1, g1] = perN[perN.length - 1];
  const perInput = (g1 - g0) / BigInt(n1 - n0);
  console.log(row("per extra public input (slope)", perInput));

  console.log("\nOne public input per price instead of a market commitment (verifier cost only)");
  for (const r of results) {
    const prices = BigInt(r.dims.assets + r.dims.perps + r.dims.options);
    const extra = perInput * prices;
    console.log(`  ${r.instance}: ${prices} prices (assets + perp marks + option marks)`);
    console.log(row("  this design, repeat prove", r.repeatProve, 42));
    console.log(row("  per-price design, repeat prove (>=)", r.repeatProve + extra, 42));
    console.log(row("  difference", extra, 42));
  }
  console.log(
    "\nprove's cost does not depend on the portfolio or instance size: the circuit always has 4 " +
      "public inputs. A per-price design grows by the slope above per price (a lower bound: it " +
      "also pays to read each price on-chain).",
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
