/**
 * Helpers for the proving-service tests and benchmark: deterministic batches of portfolios made
 * from the examples, `zkmargin worker` processes with their log, and asynchronous CLI runs.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { getAddress, keccak256, toUtf8Bytes } from "ethers";

const ROOT = path.resolve(__dirname, "..", "..");
const BIN = path.join(ROOT, "bin", "zkmargin.js");

/** The example a batch is made from: `small` (test instance) or `desk` (demo instance). */
export type BatchExample = "small" | "desk";

const SUFFICIENT: Record<BatchExample, string> = {
  small: "examples/small/portfolio.json",
  desk: "examples/desk/portfolio.json",
};
const SHORT: Record<BatchExample, string> = {
  small: "examples/small/shortfall-portfolio.json",
  desk: "examples/shortfall/portfolio.json",
};

/** `n` distinct, deterministic account addresses (no keys: for proving only). */
export function syntheticAccounts(n: number): string[] {
  return Array.from({ length: n }, (_, i) =>
    getAddress(keccak256(toUtf8Bytes(`zkmargin batch account ${i}`)).slice(0, 42)),
  );
}

/**
 * Writes `NAME.json` portfolios into `dir`, one per account: the example's portfolio with the
 * account replaced and `i * 1000` more USDC (so every commitment differs), or the example's
 * short portfolio for the accounts in `short`. Returns the file paths.
 */
export function writePortfolios(
  dir: string,
  example: BatchExample,
  accounts: readonly string[],
  short: readonly string[] = [],
): string[] {
  fs.mkdirSync(dir, { recursive: true });
  return accounts.map((account, i) => {
    const source = short.includes(account) ? SHORT[example] : SUFFICIENT[example];
    const portfolio = JSON.parse(fs.readFileSync(path.join(ROOT, source), "utf8")) as {
      account: string;
      collateral: Record<string, string>;
    };
    portfolio.account = account;
    portfolio.collateral.USDC = (
      BigInt(portfolio.collateral.USDC ?? "0") + BigInt(i * 1000)
    ).toString();
    const file = path.join(dir, `account-${String(i).padStart(3, "0")}.json`);
    fs.writeFileSync(file, JSON.stringify(portfolio, null, 2));
    return file;
  });
}

/** What an asynchronous CLI run produced. */
export interface AsyncCliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI without blocking this process (CI=true: no progress bars). */
export function runCliAsync(args: readonly string[]): Promise<AsyncCliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, CI: "true" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("exit", (status) => resolve({ status, stdout, stderr }));
  });
}

/** A `zkmargin worker` process and everything it logged. */
export class WorkerProcess {
  readonly child: ChildProcess;
  output = "";
  /** host:pid as the worker names itself in outcomes. */
  name = "";
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly waiters: { pattern: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];

  private constructor(args: readonly string[]) {
    this.child = spawn(process.execPath, [BIN, "worker", ...args], {
      cwd: ROOT,
      env: { ...process.env, CI: "true" },
    });
    const onData = (chunk: Buffer) => {
      this.output += chunk.toString();
      for (const waiter of [...this.waiters]) {
        const match = this.output.match(waiter.pattern);
        if (match) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve(match);
        }
      }
    };
    this.child.stdout?.on("data", onData);
    this.child.stderr?.on("data", onData);
    this.exited = new Promise((resolve) =>
      this.child.once("exit", (code, signal) => resolve({ code, signal })),
    );
  }

  /** Starts a worker and resolves once it is ready to take jobs. */
  static async start(args: readonly string[]): Promise<WorkerProcess> {
    const worker = new WorkerProcess(args);
    const ready = await Promise.race([
      worker.waitFor(/worker (\S+) ready/),
      worker.exited.then(() => {
        throw new Error(`worker exited before it was ready:\n${worker.output}`);
      }),
    ]);
    worker.name = ready[1];
    return worker;
  }

  /** Resolves with the first match of `pattern` in the log, now or later. */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray> {
    const match = this.output.match(pattern);
    if (match) return Promise.resolve(match);
    return new Promise((resolve) => this.waiters.push({ pattern, resolve }));
  }

  /** Sends `signal` and waits for the exit. */
  async stop(
    signal: NodeJS.Signals = "SIGTERM",
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }
}
