/**
 * The CLI's start-up, as README's "Start-up" states it: `node bin/zkmargin.js <args>` (default
 * `--version`) in a new process under GNU time (`/usr/bin/time -v`, read by the benchmark's
 * parser), median of `--runs` (11), for the compiled CLI (ZKMARGIN_REQUIRE_BUILD=1) and for the
 * sources through tsx (ZKMARGIN_SOURCES=1); `--before <checkout>` also times another checkout's
 * CLI as it is (e.g. main before a change). Run `npm run build` first.
 *
 *   npx tsx scripts/startup.ts [--runs 11] [--before ../main] [-- --help]
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { GNU_TIME, parseGnuTimeVerbose, type ProcessUsage } from "../prover/src/bench/cold-run";
import { PROJECT_ROOT } from "../prover/src/setup/paths";

function option(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at < 0 ? undefined : process.argv[at + 1];
}

const dashes = process.argv.indexOf("--");
const args = dashes < 0 ? ["--version"] : process.argv.slice(dashes + 1);
const runs = Number(option("--runs") ?? 11);
const before = option("--before");

/** One run of `checkout`'s CLI with `args` under GNU time. */
function once(checkout: string, env: Record<string, string>): ProcessUsage {
  const bin = path.join(checkout, "bin", "zkmargin.js");
  const run = spawnSync(GNU_TIME, ["-v", process.execPath, bin, ...args], {
    cwd: checkout,
    encoding: "utf8",
    timeout: 120_000,
    env: { ...process.env, ...env },
  });
  if (run.error) throw run.error;
  const usage = parseGnuTimeVerbose(
    run.stderr.slice(run.stderr.lastIndexOf("Command being timed:")),
  );
  if (usage.exitStatus !== 0) throw new Error(`${bin} ${args.join(" ")} failed:\n${run.stderr}`);
  return usage;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function measure(label: string, checkout: string, env: Record<string, string>): void {
  const usages = Array.from({ length: runs }, () => once(checkout, env));
  const wall = usages.map((u) => u.wallSeconds);
  const cpu = median(usages.map((u) => u.userSeconds + u.systemSeconds));
  const rss = median(usages.map((u) => u.maxRssBytes)) / 2 ** 20;
  process.stdout.write(
    `${label}: CPU ${cpu.toFixed(2)} s, peak ${rss.toFixed(0)} MiB, wall ${median(wall).toFixed(2)} s ` +
      `(${Math.min(...wall).toFixed(2)} to ${Math.max(...wall).toFixed(2)})\n`,
  );
}

if (!fs.existsSync(GNU_TIME)) {
  throw new Error(`${GNU_TIME}: not found; install GNU time (Debian: apt-get install -y time)`);
}
const [load] = fs.readFileSync("/proc/loadavg", "utf8").split(" ");
process.stdout.write(
  `zkmargin ${args.join(" ")}, median of ${runs} (load average ${load} at the start)\n`,
);
measure("compiled", PROJECT_ROOT, { ZKMARGIN_REQUIRE_BUILD: "1" });
measure("sources through tsx", PROJECT_ROOT, { ZKMARGIN_SOURCES: "1" });
if (before !== undefined) measure(`${before} as it is`, path.resolve(before), {});
