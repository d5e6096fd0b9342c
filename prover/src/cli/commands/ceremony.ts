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
import { examples } from "../options";

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
          throw new Error("command line: give --name (or --zkey)");
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
    .requiredOption("--hash <hex>", "beacon value in hex (1 to 255 bytes)")
    .option("--iterations <exp>", "2^exp hash iterations, 10 to 63", "10")
    .option("--ptau <file>", "the ceremony's ptau, if it is not at the recorded path")
    .addHelpText(
      "after",
      examples("zkmargin ceremony beacon --dir ceremony-small --hash 0c1e...9f --iterations 10"),
    )
    .action(
      run(async (opts: { dir: string; hash: string; iterations: string; ptau?: string }) => {
        const exp = Number(opts.iterations);
        const c = await applyBeacon(
          opts.dir,
          opts.hash,
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
