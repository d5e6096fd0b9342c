/**
 * What a benchmark ran on: CPU, cores, memory, Node and the proving stack's versions, the date,
 * and the load average sampled during the run (other jobs sharing the cores slow every figure).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT_ROOT } from "../setup/paths";

/** The machine and software of a run. */
export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryBytes: number;
  platform: string;
  node: string;
  snarkjs: string;
  ffjavascript: string;
  /** The compiler the project uses: a native `circom` on PATH, else the circom2 WASM build. */
  circom: string;
  hardhat: string;
  solc: string;
}

/**
 * Version of package `name` as `from` resolves it (default: the project itself; a dependency's
 * own copy may differ, as snarkjs's ffjavascript does), or "absent".
 */
export function packageVersion(name: string, from = PROJECT_ROOT): string {
  let dir: string;
  try {
    // The entry point, not "<name>/package.json": a package's "exports" may not list the latter.
    dir = path.dirname(require.resolve(name, { paths: [from] }));
  } catch {
    return "absent";
  }
  for (; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, "package.json");
    if (!fs.existsSync(file)) continue;
    const json = JSON.parse(fs.readFileSync(file, "utf8")) as { name?: unknown; version?: unknown };
    if (json.name === name) return String(json.version);
  }
  return "absent";
}

/** `circom --version` of the compiler `prover/src/build/compile.ts` picks. */
function circomVersion(): string {
  const native = spawnSync("circom", ["--version"], { encoding: "utf8" });
  if (native.status === 0) return `${native.stdout.trim()} (native)`;
  const wasm = spawnSync(process.execPath, [require.resolve("circom2/cli.js"), "--version"], {
    encoding: "utf8",
    cwd: PROJECT_ROOT,
  });
  const line = wasm.stdout?.split("\n").find((l) => l.startsWith("circom compiler"));
  const reported = wasm.status === 0 && line ? line.trim() : "circom compiler, version unknown";
  return `${reported} (circom2 ${packageVersion("circom2")}, WebAssembly)`;
}

/** Describes this machine and the installed proving stack. */
export function describeMachine(): MachineInfo {
  return {
    cpu: os.cpus()[0]?.model.trim() ?? "unknown",
    cores: os.availableParallelism(),
    memoryBytes: os.totalmem(),
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    snarkjs: packageVersion("snarkjs"),
    // The copy snarkjs loads (its own, which the project's top-level one may not be).
    ffjavascript: packageVersion("ffjavascript", path.dirname(require.resolve("snarkjs"))),
    circom: circomVersion(),
    hardhat: packageVersion("hardhat"),
    solc: packageVersion("solc"),
  };
}

/** One-minute load averages seen during a run. */
export interface LoadSummary {
  samples: number;
  start: number;
  max: number;
  end: number;
  /** True when the load went above the number of cores: other jobs competed for the CPU. */
  shared: boolean;
}

/**
 * Samples the one-minute load average every `intervalMs` until {@link LoadMonitor.stop}; the
 * timer does not keep the process alive.
 */
export class LoadMonitor {
  private readonly values: number[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly cores: number = os.availableParallelism(),
    intervalMs = 5_000,
    private readonly read: () => number = () => os.loadavg()[0],
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  /** Takes one sample now. */
  sample(): void {
    this.values.push(this.read());
  }

  /** Stops sampling (after a last sample) and summarises. */
  stop(): LoadSummary {
    clearInterval(this.timer);
    this.sample();
    const max = Math.max(...this.values);
    return {
      samples: this.values.length,
      start: this.values[0],
      max,
      end: this.values[this.values.length - 1],
      shared: max > this.cores,
    };
  }
}
