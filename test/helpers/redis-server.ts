/**
 * A local `redis-server` for the proving-service tests and benchmark (Debian's package), on a
 * free loopback port, with a password and an append-only file in a temporary folder (so a
 * restart keeps the queue); stopped by the caller. (`hardhat node`: test/helpers/hardhat-node.ts.)
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { freePort } from "./ports";

const ROOT = path.resolve(__dirname, "..", "..");
const START_TIMEOUT_MS = 60_000;

/** Spawns `command` and resolves once its output matches `ready`; rejects if it exits first. */
function startProcess(
  command: string,
  args: readonly string[],
  ready: RegExp,
  what: string,
): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${what} did not start within ${START_TIMEOUT_MS} ms:\n${output}`));
    }, START_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      if (output.length < 20_000) output += chunk.toString();
      if (ready.test(output)) {
        clearTimeout(timer);
        child.off("exit", onExit);
        resolve(child);
      }
    };
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code}) before it was ready:\n${output}`));
    };
    child.stdout?.on("data", onData); // keep reading: a full pipe would block the server
    child.stderr?.on("data", onData);
    child.once("exit", onExit);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** Sends `signal` and waits for the process to exit. */
function stopProcess(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill(signal);
  });
}

/** A running redis-server. */
export interface RedisServer {
  /** `redis://:<password>@127.0.0.1:<port>`. */
  url: string;
  port: number;
  password: string;
  /** Stops it (SIGTERM: it writes its append-only file) and starts it again on the same port and data. */
  restart(): Promise<void>;
  /** Stops it, keeping its data, until {@link RedisServer.up}. */
  down(): Promise<void>;
  /** Starts it again after {@link RedisServer.down}, on the same port and data. */
  up(): Promise<void>;
  stop(): Promise<void>;
}

/** Refuses clearly when redis-server is not installed. */
function requireRedisServer(): void {
  const found = spawnSync("redis-server", ["--version"], { encoding: "utf8" });
  if (found.error) {
    throw new Error("redis-server not found: install it (apt-get install -y redis-server)");
  }
}

/** Starts redis-server on a free port with a random password and a temporary data folder. */
export async function startRedisServer(): Promise<RedisServer> {
  requireRedisServer();
  const port = await freePort();
  const password = randomBytes(12).toString("hex");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "zkmargin-redis-"));
  const args = [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--dir",
    dir,
    "--requirepass",
    password,
    "--appendonly",
    "yes",
    "--appendfsync",
    "always",
    "--save",
    "",
    "--maxmemory-policy",
    "noeviction",
  ];
  const start = () =>
    startProcess("redis-server", args, /Ready to accept connections/, "redis-server");
  let child = await start();
  return {
    url: `redis://:${password}@127.0.0.1:${port}`,
    port,
    password,
    async restart() {
      await stopProcess(child);
      child = await start();
    },
    async down() {
      await stopProcess(child);
    },
    async up() {
      child = await start();
    },
    async stop() {
      await stopProcess(child);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
