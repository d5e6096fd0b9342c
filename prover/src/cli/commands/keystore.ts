/**
 * `zkmargin keystore new | import | address`: the encrypted JSON keystores that `--keystore`
 * reads (prover/src/signer/keystore.ts). Passwords come from `ZKMARGIN_KEYSTORE_PASSWORD` or are
 * asked on the terminal without echo; a key to import from an environment variable named by
 * `--key-env`, the terminal or a piped stdin; never from the command line.
 */
import type { Command } from "commander";
import {
  createKeystore,
  KEYSTORE_PASSWORD_ENV,
  keystoreAddress,
  passwordForNew,
  privateKeyToImport,
} from "../../signer";
import { examples } from "../options";

const print = (line: string) => void process.stdout.write(`${line}\n`);

/** Registers `zkmargin keystore` and its verbs. */
export function register(program: Command): void {
  const keystore = program
    .command("keystore")
    .description(
      "make the encrypted JSON keystores that --keystore reads (scrypt, written 0600, never overwritten); " +
        `passwords from $${KEYSTORE_PASSWORD_ENV} or asked without echo, never on the command line`,
    )
    .addHelpText(
      "after",
      examples(
        "zkmargin keystore new --out keys/custodian.json",
        "ZKMARGIN_CUSTODIAN_KEY=0x... zkmargin keystore import --key-env ZKMARGIN_CUSTODIAN_KEY --out keys/custodian.json",
        "zkmargin keystore address --keystore keys/custodian.json",
      ),
    );

  keystore
    .command("new")
    .description("make a keystore of a fresh random key and print its address")
    .requiredOption("--out <file>", "the keystore to write (mode 0600; never overwritten)")
    .addHelpText("after", examples("zkmargin keystore new --out keys/publisher.json"))
    .action(async (opts: { out: string }) => {
      const password = await passwordForNew(opts.out);
      const address = await createKeystore(opts.out, password);
      print(`wrote ${opts.out} (mode 0600) for ${address}`);
    });

  keystore
    .command("import")
    .description(
      "encrypt an existing private key into a keystore and print its address; the key is read from the " +
        "environment variable --key-env names, else asked without echo, else the first line of stdin",
    )
    .requiredOption("--out <file>", "the keystore to write (mode 0600; never overwritten)")
    .option(
      "--key-env <name>",
      "the NAME of an environment variable holding the key (e.g. ZKMARGIN_CUSTODIAN_KEY), not the key",
    )
    .addHelpText(
      "after",
      examples(
        "ZKMARGIN_VENUE_KEY=0x... zkmargin keystore import --key-env ZKMARGIN_VENUE_KEY --out keys/venue.json",
        "zkmargin keystore import --out keys/venue.json   # asks for the key, then the password",
      ),
    )
    .action(async (opts: { out: string; keyEnv?: string }) => {
      const key = await privateKeyToImport(opts.keyEnv);
      const password = await passwordForNew(opts.out);
      const address = await createKeystore(opts.out, password, key);
      print(`wrote ${opts.out} (mode 0600) for ${address}`);
    });

  keystore
    .command("address")
    .description("print the address of a keystore (no password needed)")
    .requiredOption("--keystore <file>", "the keystore")
    .addHelpText("after", examples("zkmargin keystore address --keystore keys/venue.json"))
    .action((opts: { keystore: string }) => {
      print(keystoreAddress(opts.keystore));
    });
}
