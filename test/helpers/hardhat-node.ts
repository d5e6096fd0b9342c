/**
 * A local `npx hardhat node` for tests that need a JSON-RPC chain: started on a port, then
 * stopped; {@link startRpcNode} adds a free port, a provider, the unlocked accounts' keys and
 * pausing (SIGSTOP) for tests of a node that stops answering.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { Agent } from "node:http";
import { FetchRequest, HDNodeWallet, JsonRpcProvider } from "ethers";
import { freePort } from "./ports";

const ROOT = path.resolve(__dirname, "..", "..");
/** Hardhat's default mnemonic: the node's accounts (never holds anything of value). */
const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";

/** Starts `npx hardhat node` on `port` and resolves once it accepts JSON-RPC calls. */
export async function startHardhatNode(port: number): Promise<ChildProcess> {
  const node = spawn(
    "npx",
    ["hardhat", "node", "--hostname", "127.0.0.1", "--port", String(port)],
    {
      cwd: ROOT,
      stdio: "ignore", // its request log is not read: a full pipe would stall it
      detached: true,
    },
  );
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      });
      if (response.ok) return node;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  stopHardhatNode(node);
  throw new Error(`hardhat node did not start on port ${port}`);
}

/** Stops a node started by {@link startHardhatNode} (its whole process group). */
export function stopHardhatNode(node: ChildProcess): void {
  if (node.pid !== undefined && node.exitCode === null) process.kill(-node.pid, "SIGTERM");
}

/** The private-key wallet of the node's account `index`. */
export function nodeWallet(index: number): HDNodeWallet {
  return HDNodeWallet.fromPhrase(HARDHAT_MNEMONIC, undefined, `m/44'/60'/0'/0/${index}`);
}

/** A running node with what the chain tests use. */
export interface RpcNode {
  url: string;
  /** A provider for the test's own calls (no response caching: tests poll). */
  provider: JsonRpcProvider;
  /** A JSON-RPC call to the node (evm_mine, evm_snapshot, ...). */
  send(method: string, params?: unknown[]): Promise<unknown>;
  /** SIGSTOP: the node stops answering (requests hang) until {@link resume}. */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

/** Starts a node on a free port (see {@link RpcNode}). */
export async function startRpcNode(): Promise<RpcNode> {
  const port = await freePort();
  const child = await startHardhatNode(port);
  const url = `http://127.0.0.1:${port}`;
  // A connection per request: the tests block their event loop in synchronous CLI runs for longer
  // than the node keeps an idle connection, and a kept-alive socket the node has closed meanwhile
  // would be reused and fail ("socket hang up").
  const request = new FetchRequest(url);
  request.getUrlFunc = FetchRequest.createGetUrlFunc({ agent: new Agent({ keepAlive: false }) });
  const provider = new JsonRpcProvider(request, undefined, {
    staticNetwork: true,
    cacheTimeout: -1,
  });
  const signal = (name: NodeJS.Signals) => {
    if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, name);
  };
  return {
    url,
    provider,
    send: (method, params = []) => provider.send(method, params),
    pause: () => signal("SIGSTOP"),
    resume: () => signal("SIGCONT"),
    stop: async () => {
      provider.destroy();
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      signal("SIGCONT");
      stopHardhatNode(child);
      await exited;
    },
  };
}
