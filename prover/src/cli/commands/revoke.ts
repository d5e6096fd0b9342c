/**
 * `zkmargin revoke` (custodian): revokes every pledge the custodian signed for an account, to
 * every venue (`MarginRegistry.revoke(account)`) or to one (`--venue-id`,
 * `revoke(account, venue)`), and prints the new epoch(s) and what stopped counting. With
 * `--ledger`, the revoked pledges then leave the custodian's pledge ledger (under its lock), so
 * what they held can be pledged anew.
 */
import type { Command } from "commander";
import type { Contract } from "ethers";
import { parseVenueId, revocationsIn, revokePledges, revokePledgesAtVenue } from "../../chain";
import { deployedContracts } from "../../deployment";
import { forgetRevokedPledges } from "../../pledges/ledger";
import {
  connectedWallet,
  openDeployment,
  parseAddress,
  refusedAs,
  withDeployment,
  withKey,
} from "../chain-options";
import { examples } from "../options";

interface RevokeOptions {
  deployment: string;
  rpc: string;
  account: string;
  venueId?: string;
  ledger?: string;
  keystore?: string;
}

/** Registers `zkmargin revoke`. */
export function register(program: Command): void {
  const command = program
    .command("revoke")
    .description(
      "custodian: revoke every pledge you signed for an account (to every venue, or to --venue-id only) " +
        "before now: the statuses resting on them stop counting at once, and only pledges under the new " +
        "epoch count (key from $ZKMARGIN_CUSTODIAN_KEY or --keystore)",
    )
    .requiredOption("--account <address>", "the account whose pledges are revoked")
    .option(
      "--venue-id <name|bytes32>",
      "revoke only the pledges to this venue (default: to every venue)",
    )
    .option(
      "--ledger <file>",
      "your pledge ledger (zkmargin attest --ledger): the revoked pledges are removed from it once the " +
        "revocation is on-chain, freeing what they held",
    );
  withKey(withDeployment(command), "custodian")
    .addHelpText(
      "after",
      examples(
        "ZKMARGIN_CUSTODIAN_KEY=0x... zkmargin revoke --deployment deployment.json --rpc http://127.0.0.1:8545 --account 0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
        "zkmargin revoke --deployment deployment.json --rpc $RPC --account 0x70997970C51812dc3A010C7d01b50e0d17dc79C8 --venue-id desk-venue --ledger pledge-ledger.json --keystore custodian.json",
      ),
    )
    .action(async (opts: RevokeOptions) => {
      const account = parseAddress(opts.account, "--account");
      const venue = opts.venueId === undefined ? undefined : parseVenueId(opts.venueId);
      const { deployment, provider } = await openDeployment(opts.deployment, opts.rpc);
      try {
        const custodian = await connectedWallet("custodian", opts.keystore, provider);
        const registry = deployedContracts(deployment, custodian).marginRegistry as Contract;
        const receipt = await refusedAs(registry, "revoke", () =>
          venue === undefined
            ? revokePledges(registry, account)
            : revokePledgesAtVenue(registry, account, venue),
        );
        const at = venue === undefined ? "" : ` at venue ${opts.venueId} (${venue})`;
        const epochs = revocationsIn(registry, receipt)
          .map((e) => `${e.epoch} (${venue === undefined ? "account-wide" : `venue ${e.venue}`})`)
          .join(", ");
        const lines = [
          `revoked every pledge custodian ${custodian.address} signed for ${account}${at} before ` +
            `now: statuses resting on them no longer count; new epoch ${epochs}; transaction ` +
            `${receipt.hash} (block ${receipt.blockNumber}, ${receipt.gasUsed} gas)`,
        ];
        if (opts.ledger !== undefined) {
          const removed = await forgetRevokedPledges(opts.ledger, custodian.address, {
            account,
            ...(venue === undefined ? {} : { venue }),
          });
          lines.push(`removed ${removed} revoked pledge(s) of ${account}${at} from ${opts.ledger}`);
        }
        process.stdout.write(`${lines.join("\n")}\n`);
      } finally {
        provider.destroy();
      }
    });
}
