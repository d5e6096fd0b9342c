/**
 * `zkmargin inspect`: decodes public.json and, given the public policy and market files, tells
 * whether the proof is for that policy and that market round; with its pledge files, lists each
 * slot's commitment, custodian and venue. `--tx` decodes a transaction's submissions instead
 * (every item of a batch). With `--rpc`, each pledge is checked against the chain: is its
 * custodian's registration at the venue, and its epoch for the account, still current?
 */
import type { Command } from "commander";
import { JsonRpcProvider } from "ethers";
import { attach } from "../../chain/deploy";
import { readDeployment } from "../../deployment";
import { loadInstances } from "../../encoding/instances";
import { InputError } from "../../errors";
import { loadMarket, loadPolicy } from "../../inputs";
import { matchPublicFiles } from "../../inspect/match";
import {
  pledgeTermsReader,
  slotPledges,
  slotRows,
  withPledgesOnChain,
  type SlotPledge,
} from "../../inspect/pledges";
import {
  deploymentNames,
  inspectTransaction,
  inspectedTransactionText,
  type DeploymentNames,
  type InspectContracts,
} from "../../inspect/transaction";
import { readJsonFile, toJson } from "../../io/json";
import { keyValueTable } from "../../io/table";
import {
  decodePublicSignals,
  signedPledgeOf,
  type DecodedPublicSignals,
  type PledgeFile,
} from "../../proving";
import { loadPledgeFiles } from "../../submit";
import { unixTime } from "../../time";
import { collect, parseAddress } from "../chain-options";
import { COMMAND_LINE, PUBLIC_FILE_HELP, examples } from "../options";

interface InspectOptions {
  public?: string;
  policy?: string;
  market?: string;
  pledge: string[];
  tx?: string;
  rpc?: string;
  registry?: string;
  deployment?: string;
  json?: boolean;
}

/** The chain inspect reads: a provider, the registry's contracts and the deployment's names. */
interface ChainAccess {
  provider: JsonRpcProvider;
  contracts: InspectContracts;
  names: DeploymentNames;
}

/** Opens `--rpc` with `--registry` or `--deployment`; undefined without `--rpc`. */
async function openChain(opts: InspectOptions): Promise<ChainAccess | undefined> {
  if (opts.rpc === undefined) {
    if (opts.registry !== undefined || opts.deployment !== undefined) {
      throw new InputError(COMMAND_LINE, "--rpc", "is required with --registry or --deployment");
    }
    return undefined;
  }
  if ((opts.registry === undefined) === (opts.deployment === undefined)) {
    throw new InputError(COMMAND_LINE, "--registry/--deployment", "give exactly one with --rpc");
  }
  const deployment = opts.deployment === undefined ? undefined : readDeployment(opts.deployment);
  const address =
    deployment?.contracts.marginRegistry ?? parseAddress(opts.registry as string, "--registry");
  const provider = new JsonRpcProvider(opts.rpc, undefined, { staticNetwork: true });
  const marginRegistry = attach("MarginRegistry", address, provider);
  const policyRegistry = attach(
    "PolicyRegistry",
    (await marginRegistry.getFunction("policyRegistry")()) as string,
    provider,
  );
  const marketBook = attach(
    "MarketBook",
    (await marginRegistry.getFunction("marketBook")()) as string,
    provider,
  );
  const names = deploymentNames(deployment?.policies ?? {});
  return {
    provider,
    contracts: {
      marginRegistry,
      policyRegistry,
      errors: [policyRegistry.interface, marketBook.interface],
    },
    names,
  };
}

/** `inspect --tx`: prints the transaction's submissions; exit status 1 when none is accepted. */
async function inspectTx(opts: InspectOptions & { tx: string }): Promise<void> {
  if (!/^0x[0-9a-fA-F]{64}$/.test(opts.tx)) {
    throw new InputError(COMMAND_LINE, "--tx", `"${opts.tx}" is not a 32-byte 0x transaction hash`);
  }
  if (opts.public !== undefined || opts.pledge.length > 0) {
    throw new InputError(COMMAND_LINE, "--tx", "give --tx alone, without --public or --pledge");
  }
  const chain = await openChain(opts);
  if (chain === undefined) {
    throw new InputError(
      COMMAND_LINE,
      "--rpc",
      "is required with --tx (and --registry or --deployment)",
    );
  }
  try {
    const inspected = await inspectTransaction(
      chain.provider,
      chain.contracts,
      opts.tx,
      chain.names,
    );
    process.stdout.write(
      opts.json === true ? toJson(inspected) : inspectedTransactionText(inspected),
    );
    if (!inspected.submissions.some((s) => s.outcome === "accepted")) process.exitCode = 1;
  } finally {
    chain.provider.destroy();
  }
}

/**
 * The pledge files given with a proof, checked against it (`loadPledgeFiles`: one per used slot,
 * in slot order, of the proof's account and each slot's commitment), all to one venue.
 */
function loadPledges(
  files: readonly string[],
  signals: DecodedPublicSignals,
  publicFile: string,
): PledgeFile[] {
  const pledges = loadPledgeFiles(files, signals, publicFile);
  const other = pledges.findIndex((p) => p.venue !== pledges[0].venue);
  if (other > 0) {
    throw new InputError(
      files[other],
      "venue",
      `is ${pledges[other].venue}, not ${pledges[0].venue} as ${files[0]}'s: a proof's pledges are all to its policy's venue`,
    );
  }
  return pledges;
}

/** Whether the proof's commitments match the given files, and under which instance layout. */
interface Match {
  policy: { file: string; id: string; matches: boolean };
  market: { file: string; round: bigint; timestamp: bigint; matches: boolean };
  /** The instance whose slot layout reproduces both commitments, if any. */
  instance: string | null;
}

function yesNo(matches: boolean): string {
  return matches ? "matches" : "DOES NOT MATCH";
}

/** Registers `zkmargin inspect`. */
export function register(program: Command): void {
  program
    .command("inspect")
    .description(
      "decode public.json (account, nonce, commitments); with --policy and --market, check which " +
        "policy and market round the proof is for (exit status 1 when they do not match); with " +
        "--pledge, each slot's custodian and venue; --tx: a registry transaction's submissions " +
        "(every batch item), with --rpc each pledge checked against the chain",
    )
    .option("--public <file>", PUBLIC_FILE_HELP)
    .option("--policy <file>", "policy.json to compare with the policy commitment")
    .option("--market <file>", "market.json to compare with the market commitment")
    .option(
      "--pledge <file>",
      "a custodian's pledge.json of the proof; repeat it, one per used slot, in slot order: lists " +
        "each slot's custodian and venue",
      collect,
      [],
    )
    .option(
      "--tx <hash>",
      "instead of --public: a transaction to MarginRegistry (prove, proveFor or proveBatch); lists " +
        "each submission (every batch item, accepted or skipped and why) with its pledges",
    )
    .option(
      "--rpc <url>",
      "JSON-RPC endpoint: check each pledge's registration, epoch and expiry against the chain",
    )
    .option("--registry <address>", "MarginRegistry address (with --rpc)")
    .option("--deployment <file>", "deployment.json instead of --registry (names the policies)")
    .option("--json", "print JSON (integers as decimal strings)")
    .addHelpText(
      "after",
      examples(
        "zkmargin inspect --public out/public.json",
        "zkmargin inspect --public out/public.json --policy examples/small/policy.json --market examples/small/market.json",
        "zkmargin inspect --public out/public.json --pledge pledge-a.json --pledge pledge-b.json --rpc $RPC --deployment deployment.json",
        "zkmargin inspect --tx 0x5c50...e1 --rpc http://127.0.0.1:8545 --registry 0x5FC8d32690cc91D4c39d9d3abcBD16989F875707",
      ) +
        "\nExit status 1: the files do not match the proof, or --tx holds no accepted submission.\n",
    )
    .action(async (opts: InspectOptions) => {
      if (opts.tx !== undefined) return inspectTx({ ...opts, tx: opts.tx });
      if (opts.public === undefined) {
        throw new InputError(
          COMMAND_LINE,
          "--public",
          "give --public (a proof) or --tx (a transaction)",
        );
      }
      const decoded = decodePublicSignals(readJsonFile(opts.public), opts.public);
      const pledges = loadPledges(opts.pledge, decoded, opts.public);
      let slots: SlotPledge[] | undefined;
      if (pledges.length > 0) {
        slots = slotPledges(decoded.portfolioCommitments, pledges.map(signedPledgeOf), {
          id: pledges[0].venue,
        });
        const chain = await openChain(opts);
        if (chain !== undefined) {
          try {
            slots = await withPledgesOnChain(
              slots,
              decoded.account,
              pledgeTermsReader(chain.contracts.marginRegistry, chain.provider),
            );
          } finally {
            chain.provider.destroy();
          }
        }
      } else if (opts.rpc !== undefined) {
        throw new InputError(COMMAND_LINE, "--rpc", "checks pledges: give them with --pledge");
      }
      if ((opts.policy === undefined) !== (opts.market === undefined)) {
        throw new InputError(COMMAND_LINE, "--policy/--market", "give both or neither");
      }
      let match: Match | null = null;
      if (opts.policy !== undefined && opts.market !== undefined) {
        const policy = loadPolicy(opts.policy);
        const market = loadMarket(opts.market);
        const found = await matchPublicFiles(decoded, policy, market, loadInstances());
        match = {
          policy: { file: opts.policy, id: policy.id, matches: found.policy },
          market: {
            file: opts.market,
            round: market.round,
            timestamp: market.timestamp,
            matches: found.market,
          },
          instance: found.instance,
        };
      }
      if (opts.json === true) {
        process.stdout.write(
          toJson({
            ...decoded,
            ...(match === null ? {} : { match }),
            ...(slots === undefined ? {} : { slots }),
          }),
        );
      } else {
        const rows: [string, string][] = [
          ["account", decoded.account],
          ["nonce", decoded.nonce.toString()],
          ["market commitment", decoded.marketCommitment.toString()],
          ["policy commitment", decoded.policyCommitment.toString()],
          ...(slots === undefined
            ? decoded.portfolioCommitments.map((c, k): [string, string] => [
                decoded.portfolioCommitments.length === 1
                  ? "portfolio commitment"
                  : `portfolio commitment ${k + 1}${c === 0n ? " (unused)" : ""}`,
                c.toString(),
              ])
            : slots.flatMap(slotRows)),
        ];
        if (match !== null) {
          rows.push(
            [
              "policy",
              `${yesNo(match.policy.matches)} ${match.policy.file} (id ${match.policy.id})`,
            ],
            [
              "market round",
              `${yesNo(match.market.matches)} ${match.market.file} ` +
                `(round ${match.market.round}, timestamp ${unixTime(match.market.timestamp)})`,
            ],
          );
          if (match.instance !== null) rows.push(["circuit instance", match.instance]);
        }
        process.stdout.write(`${keyValueTable(rows).join("\n")}\n`);
      }
      if (match !== null && !(match.policy.matches && match.market.matches)) process.exitCode = 1;
    });
}
