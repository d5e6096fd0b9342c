/**
 * `zkmargin attest` (custodian): checks a holder's opening.json against the custodian's records
 * and signs the EIP-712 attestation of `(account, portfolioCommitment, issuedAt, validUntil)`. The key comes
 * from `ZKMARGIN_CUSTODIAN_KEY` or an encrypted JSON keystore (`--keystore`, password from
 * `ZKMARGIN_KEYSTORE_PASSWORD`), never from the command line.
 */
import type { Command } from "commander";
import { getAddress } from "ethers";
import { marginRegistryDomain } from "../../chain/eip712";
import { InputError } from "../../errors";
import { loadMarket, loadPolicy, parsePortfolio } from "../../inputs";
import { readJsonFile, writeJsonFile } from "../../io/json";
import { attestOpening, parseOpening } from "../../proving";
import { KEYSTORE_PASSWORD_ENV, keyEnvOf, loadWallet } from "../../signer";
import { COMMAND_LINE, examples, parseIntegerOption } from "../options";

interface AttestOptions {
  opening: string;
  records: string;
  policy: string;
  market: string;
  registry: string;
  chainId: string;
  validFor: string;
  keystore?: string;
  out: string;
}

const KEY_ENV = keyEnvOf("custodian");
const PASSWORD_ENV = KEYSTORE_PASSWORD_ENV;

/** Registers `zkmargin attest`. */
export function register(program: Command): void {
  program
    .command("attest")
    .description(
      "custodian: check a holder's opening against your records and sign the EIP-712 attestation " +
        `(key from $${KEY_ENV}, or --keystore with $${PASSWORD_ENV})`,
    )
    .requiredOption("--opening <file>", "the holder's opening.json")
    .requiredOption(
      "--records <file>",
      "your records of the account: holdings and positions in the portfolio.json format",
    )
    .requiredOption("--policy <file>", "policy.json the opening is for (public)")
    .requiredOption("--market <file>", "market.json of the round the opening is for (public)")
    .requiredOption(
      "--registry <address>",
      "MarginRegistry address (the EIP-712 verifying contract)",
    )
    .requiredOption("--chain-id <n>", "chain id of the registry")
    .option("--valid-for <seconds>", "how long the attestation counts", "86400")
    .option("--keystore <file>", `encrypted JSON keystore (password from $${PASSWORD_ENV})`)
    .option("--out <file>", "where to write the attestation", "attestation.json")
    .addHelpText(
      "after",
      examples(
        `${KEY_ENV}=0x... zkmargin attest --opening opening.json --records records.json --policy policy.json --market market.json --registry 0x5FbDB2315678afecb367f032d93F642f64180aa3 --chain-id 31337`,
      ),
    )
    .action(async (opts: AttestOptions) => {
      let registry: string;
      try {
        registry = getAddress(opts.registry);
      } catch {
        throw new InputError(
          COMMAND_LINE,
          "--registry",
          "must be an address with a valid EIP-55 checksum",
        );
      }
      const chainId = parseIntegerOption(opts.chainId, "--chain-id", 64);
      const validFor = parseIntegerOption(opts.validFor, "--valid-for", 32);
      if (validFor === 0n) throw new InputError(COMMAND_LINE, "--valid-for", "must be positive");
      const issuedAt = BigInt(Math.floor(Date.now() / 1000));
      const validUntil = issuedAt + validFor;

      const policy = loadPolicy(opts.policy);
      const market = loadMarket(opts.market);
      const opening = parseOpening(readJsonFile(opts.opening), opts.opening);
      const records = parsePortfolio(readJsonFile(opts.records), opts.records, policy);
      const signer = await loadWallet("custodian", opts.keystore);
      const attestation = await attestOpening({
        opening,
        records,
        policy,
        market,
        signer,
        domain: marginRegistryDomain(chainId, registry),
        issuedAt,
        validUntil,
        files: {
          opening: opts.opening,
          records: opts.records,
          policy: opts.policy,
          market: opts.market,
        },
      });
      writeJsonFile(opts.out, attestation);
      process.stdout.write(
        `attested account ${attestation.account} until ${attestation.validUntil} ` +
          `as custodian ${attestation.custodian}; wrote ${opts.out}\n`,
      );
    });
}
