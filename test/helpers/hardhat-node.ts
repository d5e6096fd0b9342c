/** A local `npx hardhat node` for tests that need a JSON-RPC chain: started on a port, then stopped. */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");

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
