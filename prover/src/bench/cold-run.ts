/**
 * One cold run of `zkmargin prove` as a user runs it (a new Node process: the compiled CLI loading,
 * manifest and artifact hashing, curve start-up, witness, proof, local verification, files
 * written), timed by GNU time (`/usr/bin/time -v`), which also reports the peak resident memory.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { ProverName } from "../proving";
import { PROJECT_ROOT } from "../setup/paths";

/** GNU time's binary (Debian package `time`). */
export const GNU_TIME = "/usr/bin/time";

/** What GNU time reported for one process. */
export interface ProcessUsage {
  wallSeconds: number;
  userSeconds: number;
  systemSeconds: number;
  /** Peak resident set size of the process, in bytes. */
  maxRssBytes: number;
  exitStatus: number;
}

/** "h:mm:ss" or "m:ss.ss" as seconds. */
function clockSeconds(text: string): number {
  return text
    .split(":")
    .map(Number)
    .reduce((total, part) => total * 60 + part, 0);
}

/**
 * Parses the report of `/usr/bin/time -v` (the lines after the command's own output); throws
 * naming the first field it cannot find.
 */
export function parseGnuTimeVerbose(report: string): ProcessUsage {
  const field = (label: string): string => {
    const line = report.split("\n").find((l) => l.trim().startsWith(`${label}:`));
    if (line === undefined) throw new Error(`GNU time report: no "${label}" line`);
    return line.slice(line.indexOf(`${label}:`) + label.length + 1).trim();
  };
  const number = (label: string): number => {
    const value = Number(field(label));
    if (!Number.isFinite(value)) throw new Error(`GNU time report: "${label}" is not a number`);
    return value;
  };
  return {
    wallSeconds: clockSeconds(field("Elapsed (wall clock) time (h:mm:ss or m:ss)")),
    userSeconds: number("User time (seconds)"),
    systemSeconds: number("System time (seconds)"),
    maxRssBytes: number("Maximum resident set size (kbytes)") * 1024,
    exitStatus: number("Exit status"),
  };
}

/** The example files of a cold run. */
export interface ColdRunFiles {
  policy: string;
  market: string;
  portfolio: string;
}

/** Runs `node bin/zkmargin.js <args>` under GNU time; the usage and the command's stderr. */
async function timeCli(args: readonly string[]): Promise<{ usage: ProcessUsage; stderr: string }> {
  if (!fs.existsSync(GNU_TIME)) {
    throw new Error(`${GNU_TIME}: not found; install GNU time (Debian: apt-get install -y time)`);
  }
  const stderr = await new Promise<string>((resolve, reject) => {
    // stderr is a pipe, not a terminal, so the CLI draws no progress bars.
    const child = spawn(
      GNU_TIME,
      ["-v", process.execPath, path.join(PROJECT_ROOT, "bin", "zkmargin.js"), ...args],
      // The compiled CLI, as users run it: a stale build is refused, not timed through tsx.
      {
        cwd: PROJECT_ROOT,
        env: { ...process.env, ZKMARGIN_REQUIRE_BUILD: "1" },
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    let text = "";
    child.stderr.on("data", (chunk: Buffer) => (text += chunk.toString()));
    child.on("error", reject);
    child.on("close", () => resolve(text));
  });
  const report = stderr.lastIndexOf("Command being timed:");
  if (report < 0) throw new Error(`${GNU_TIME} printed no report:\n${stderr}`);
  return { usage: parseGnuTimeVerbose(stderr.slice(report)), stderr };
}

/**
 * The CLI's own start-up: `zkmargin --help` in a fresh process (Node and every compiled module the
 * verbs import, no proving), the part of every cold run that does not depend on the instance.
 */
export async function coldStartup(): Promise<ProcessUsage> {
  const { usage, stderr } = await timeCli(["--help"]);
  if (usage.exitStatus !== 0) throw new Error(`zkmargin --help failed:\n${stderr}`);
  return usage;
}

/**
 * Runs `zkmargin prove --prover <prover>` once for `instance` in a fresh process under GNU time,
 * writing its files into a temporary folder that is removed afterwards. Throws when GNU time is
 * missing or the command fails (with its stderr).
 */
export async function coldProve(
  instance: string,
  files: ColdRunFiles,
  prover: ProverName,
): Promise<ProcessUsage> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "zkmargin-bench-prove-"));
  const args = [
    "prove",
    "--policy",
    files.policy,
    "--market",
    files.market,
    "--portfolio",
    files.portfolio,
    "--instance",
    instance,
    "--nonce",
    "1",
    "--prover",
    prover,
    "--out",
    out,
  ];
  try {
    const { usage, stderr } = await timeCli(args);
    if (usage.exitStatus !== 0) {
      throw new Error(`zkmargin prove --instance ${instance} failed:\n${stderr}`);
    }
    if (!fs.existsSync(path.join(out, "proof.json"))) {
      throw new Error(`zkmargin prove --instance ${instance} wrote no proof.json`);
    }
    return usage;
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}
