/**
 * `zkmargin watch` (institution): keeps an account's margin proven under a policy, round after
 * round, until stopped (SIGINT/SIGTERM); events and alerts as JSON lines on stdout, alerts also to
 * `--webhook`. See prover/src/watch.
 */
import type { Command } from "commander";
import { InputError } from "../../errors";
import { parseDecimal } from "../../decimal";
import { Watcher } from "../../watch";
import {
  connectedWallet,
  openDeployment,
  withDeployment,
  withKey,
  withPolicyId,
} from "../chain-options";
import { COMMAND_LINE, examples, parseIntegerOption, repeated } from "../options";

interface WatchCliOptions {
  deployment: string;
  rpc: string;
  policyId: string;
  /** One of each per sub-portfolio, in pledge-slot order. */
  portfolio: string[];
  opening: string[];
  pledge: string[];
  state: string;
  confirmations: string;
  warnRatio: string;
  poll: string;
  webhook?: string;
  keystore?: string;
  relayed?: boolean;
  relayerKeystore?: string;
}

/** Registers `zkmargin watch`. */
export function register(program: Command): void {
  const command = program
    .command("watch")
    .description(
      "institution: follow the policy's feed; on each confirmed round recompute the margin, prove and submit while " +
        "sufficient, and alert (JSON lines, --webhook) on low excess, scenario stress, shortfall, margin calls and " +
        "pledges (key from $ZKMARGIN_ACCOUNT_KEY or --keystore)",
    )
    .requiredOption(
      "--portfolio <file>",
      "portfolio.json (private; re-read every round); repeat it for sub-portfolios held apart, one " +
        "per custodian in pledge-slot order: the margin is their sum's",
      repeated,
    )
    .requiredOption(
      "--opening <file>",
      "opening.json whose salt the pledge is for (written when renewed); one per --portfolio, in order",
      repeated,
    )
    .requiredOption(
      "--pledge <file>",
      "pledge.json of the opening's commitment (zkmargin attest); one per --portfolio, in order",
      repeated,
    )
    .requiredOption("--state <file>", "the watcher's state file (created if missing)")
    .option("--confirmations <n>", "confirmations a round needs before it is acted on", "2")
    .option("--warn-ratio <x>", "alert when equity falls under x times the required equity", "1.2")
    .option("--poll <ms>", "polling interval", "2000")
    .option("--webhook <url>", "POST every alert here (retried with backoff)")
    .option(
      "--relayed",
      "submit through the relayer's path: the account signs a ProveRequest and the relayer account " +
        "($ZKMARGIN_RELAYER_KEY or --relayer-keystore) sends it in proveBatch and pays (default: prove from the account)",
    )
    .option(
      "--relayer-keystore <file>",
      "encrypted JSON keystore of the relayer account (with --relayed)",
    );
  withKey(withDeployment(withPolicyId(command, "the policy to keep proven")), "account")
    .addHelpText(
      "after",
      examples(
        "ZKMARGIN_ACCOUNT_KEY=0x... zkmargin watch --deployment deployment.json --rpc http://127.0.0.1:8545 --policy-id desk-maintenance-v1 --portfolio portfolio.json --opening opening.json --pledge pledge.json --state watch-state.json",
        "ZKMARGIN_ACCOUNT_KEY=0x... zkmargin watch --deployment deployment.json --rpc http://127.0.0.1:8545 --policy-id desk-maintenance-v1 --portfolio at-custodian-a.json --opening opening-a.json --pledge pledge-a.json --portfolio at-custodian-b.json --opening opening-b.json --pledge pledge-b.json --state watch-state.json",
      ),
    )
    .action(async (opts: WatchCliOptions) => {
      const pieces = opts.portfolio.length;
      for (const option of ["opening", "pledge"] as const) {
        if (opts[option].length !== pieces) {
          throw new InputError(
            COMMAND_LINE,
            `--${option}`,
            `given ${opts[option].length} time(s) for ${pieces} --portfolio: give one per sub-portfolio, in the same order`,
          );
        }
      }
      const confirmations = Number(parseIntegerOption(opts.confirmations, "--confirmations", 8));
      const pollMs = Number(parseIntegerOption(opts.poll, "--poll", 32));
      const warnRatioPpm = parseDecimal(opts.warnRatio, 6, {
        file: COMMAND_LINE,
        path: "--warn-ratio",
      });
      if (warnRatioPpm < 1_000_000n) {
        throw new InputError(COMMAND_LINE, "--warn-ratio", "must be at least 1");
      }
      const { deployment, provider } = await openDeployment(opts.deployment, opts.rpc);
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      try {
        const watcher = new Watcher({
          provider,
          signer: await connectedWallet("account", opts.keystore, provider),
          ...(opts.relayed === true
            ? { relayer: await connectedWallet("relayer", opts.relayerKeystore, provider) }
            : {}),
          deployment,
          deploymentFile: opts.deployment,
          policy: opts.policyId,
          files: {
            pieces: opts.portfolio.map((portfolio, k) => ({
              portfolio,
              opening: opts.opening[k],
              pledge: opts.pledge[k],
            })),
            state: opts.state,
          },
          confirmations,
          warnRatioPpm,
          pollMs,
          ...(opts.webhook !== undefined ? { webhook: { url: opts.webhook } } : {}),
        });
        await watcher.start(); // a wrong file or chain is refused here, once
        await watcher.run(controller.signal);
        await watcher.close(5_000);
      } finally {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        provider.destroy();
      }
    });
}
