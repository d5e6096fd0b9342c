/** `zkmargin ceremony init | contribute | verify | beacon | finalize`: a multi-party phase 2. */
import type { Command } from "commander";
import {
  acceptContribution,
  applyBeacon,
  contribute,
  finalizeCeremony,
  initCeremony,
  verifyCeremony,
} from "../../setup/ceremony";
import { releaseCurve } from "../../setup/snarkjs";
import { InputError } from "../../errors";
import { COMMAND_LINE, examples, parseIntegerOption } from "../options";

/**
 * A beacon value as snarkjs takes it (hex without 0x): a block hash as a node prints it
 * (`0x` and 64 hex digits) or any 1 to 255 bytes of hex, with or without `0x`.
 */
export function parseBeaconHash(text: string): string {
  const hex = text.replace(/^0x/i, "");
  if (!/^([0-9a-fA-F]{2}){1,255}$/.test(hex)) {
    throw new InputError(
      COMMAND_LINE,
      "--hash",
      "must be 1 to 255 bytes of hex, with or without 0x (e.g. a block hash: 0x and 64 hex digits)",
    );
  }
  return hex;
}

/** Runs a ceremony action, then stops snarkjs's worker threads so the process exits. */
function run<T>(action: (opts: T) => Promise<void>): (opts: T) => Promise<void> {
  return async (opts) => {
    try {
      await action(opts);
    } finally {
      await releaseCurve();
    }
  };
}

const print = (line: string) => void process.stdout.write(`${line}\n`);

/** Registers `zkmargin ceremony` and its verbs. */
export function register(program: Command): void {
  const ceremony = program
    .command("ceremony")
    .description(
      "run a multi-party phase-2 trusted setup in a folder: init, contributions (each verified on arrival), " +
        "a public random beacon, verification against the r1cs and ptau, and installation of the keys",
    )
    .addHelpText(
      "after",
      examples(
        "zkmargin ceremony init --dir ceremony-small --instance small --ptau powersOfTau28_hez_final_15.ptau",
        'zkmargin ceremony contribute --dir ceremony-small --name "Alice (Acme Custody)"',
        "zkmargin ceremony beacon --dir ceremony-small --hash <block hash announced in advance>",
        "zkmargin ceremony verify --dir ceremony-small",
        "zkmargin ceremony finalize --dir ceremony-small",
      ),
    );

  ceremony
    .command("init")
    .description(
      "start a ceremony for an instance: compile it, check the ptau, write the initial zkey and transcript",
    )
    .requiredOption("--dir <folder>", "ceremony folder (created; must not hold a ceremony)")
    .requiredOption("--instance <name>", "circuit instance from circuits/instances.json")
    .option(
      "--ptau <file>",
      "published Hermez ptau (hash checked); default: this machine's development ptau (testing only)",
    )
    .addHelpText(
      "after",
      examples("zkmargin ceremony init --dir ceremony-small --instance small --ptau pot15.ptau"),
    )
    .action(
      run(async (opts: { dir: string; instance: string; ptau?: string }) => {
        const t = await initCeremony(
          opts.dir,
          opts.instance,
          opts.ptau !== undefined ? { ptau: opts.ptau } : {},
        );
        print(
          `ceremony for ${t.instance} started in ${opts.dir} (circuit hash ${t.circuitHash.slice(0, 16)}..., ptau ${t.ptau.name})`,
        );
      }),
    );

  ceremony
    .command("contribute")
    .description(
      "add one contribution: made here with fresh OS randomness (never stored), or imported with --zkey from a " +
        "contributor who ran `snarkjs zkey contribute` on the latest zkey; verified before it is recorded",
    )
    .requiredOption("--dir <folder>", "ceremony folder")
    .option("--name <name>", "contributor's public name (required unless --zkey)")
    .option(
      "--zkey <file>",
      "a contribution made elsewhere on the latest zkey, to verify and record",
    )
    .option("--ptau <file>", "the ceremony's ptau, if it is not at the recorded path")
    .addHelpText(
      "after",
      examples(
        'zkmargin ceremony contribute --dir ceremony-small --name "Bob"',
        "zkmargin ceremony contribute --dir ceremony-small --zkey carol.zkey",
      ),
    )
    .action(
      run(async (opts: { dir: string; name?: string; zkey?: string; ptau?: string }) => {
        const ptau = opts.ptau !== undefined ? { ptau: opts.ptau } : {};
        if (opts.zkey === undefined && opts.name === undefined)
          throw new InputError(COMMAND_LINE, "--name", "is required (or --zkey)");
        const c =
          opts.zkey !== undefined
            ? await acceptContribution(opts.dir, opts.zkey, ptau)
            : await contribute(opts.dir, opts.name as string, ptau);
        print(`contribution #${c.index} by "${c.name}" verified and recorded`);
        print(`contribution hash (publish it): ${c.contributionHash}`);
      }),
    );

  ceremony
    .command("beacon")
    .description(
      "close the ceremony with a public random beacon (a value fixed in advance, e.g. a future block hash)",
    )
    .requiredOption("--dir <folder>", "ceremony folder")
    .requiredOption(
      "--hash <hex>",
      "beacon value: a block hash announced in advance (0x + 64 hex digits), or 1 to 255 bytes of hex",
    )
    .option("--iterations <exp>", "2^exp hash iterations, 10 to 63", "10")
    .option("--ptau <file>", "the ceremony's ptau, if it is not at the recorded path")
    .addHelpText(
      "after",
      examples(
        "zkmargin ceremony beacon --dir ceremony-small --hash 0x9c6e0f4b3d1a5e8c7b2f6d4a1e3c5b7a9d8f6e4c2b1a3d5f7e9c8b6a4d2f1e3c --iterations 10",
      ),
    )
    .action(
      run(async (opts: { dir: string; hash: string; iterations: string; ptau?: string }) => {
        const exp = Number(parseIntegerOption(opts.iterations, "--iterations", 8));
        const c = await applyBeacon(
          opts.dir,
          parseBeaconHash(opts.hash),
          exp,
          opts.ptau !== undefined ? { ptau: opts.ptau } : {},
        );
        print(`beacon applied as contribution #${c.index}; the ceremony is closed`);
      }),
    );

  ceremony
    .command("verify")
    .description(
      "verify the whole ceremony: file hashes, snarkjs zkey verify against the r1cs and ptau, transcript",
    )
    .requiredOption("--dir <folder>", "ceremony folder")
    .option("--ptau <file>", "the ceremony's ptau, if it is not at the recorded path")
    .addHelpText(
      "after",
      examples("zkmargin ceremony verify --dir ceremony-small --ptau pot15.ptau"),
    )
    .action(
      run(async (opts: { dir: string; ptau?: string }) => {
        const v = await verifyCeremony(
          opts.dir,
          opts.ptau !== undefined ? { ptau: opts.ptau } : {},
        );
        print(
          `ceremony for ${v.transcript.instance}: valid (${v.report.contributions.length} contributions)`,
        );
        for (const c of v.transcript.contributions)
          print(`  #${c.index} ${c.type} "${c.name}" ${c.contributionHash}`);
      }),
    );

  ceremony
    .command("finalize")
    .description(
      "verify the closed ceremony and install its keys, verifier and transcript (manifest kind: ceremony)",
    )
    .requiredOption("--dir <folder>", "ceremony folder")
    .option("--ptau <file>", "the ceremony's ptau, if it is not at the recorded path")
    .addHelpText("after", examples("zkmargin ceremony finalize --dir ceremony-small"))
    .action(
      run(async (opts: { dir: string; ptau?: string }) => {
        const entry = await finalizeCeremony(
          opts.dir,
          opts.ptau !== undefined ? { ptau: opts.ptau } : {},
        );
        print(
          `installed ceremony keys; vkeyHash ${entry.vkeyHash} (record this on-chain with the verifier)`,
        );
      }),
    );
}
