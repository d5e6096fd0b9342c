/**
 * The main job (`npm start` = `zkmargin demo`) end to end, in-process and against a JSON-RPC node
 * (`npx hardhat node` on a local port), as the README tells users to run it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { expect } from "chai";
import { runDemo } from "../prover/src/demo/run-demo";

const ROOT = path.resolve(__dirname, "..");

/** Starts `npx hardhat node` on `port` and resolves once it accepts JSON-RPC calls. */
async function startHardhatNode(port: number): Promise<ChildProcess> {
  const node = spawn(
    "npx",
    ["hardhat", "node", "--hostname", "127.0.0.1", "--port", String(port)],
    {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
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
  process.kill(-node.pid!, "SIGTERM");
  throw new Error(`hardhat node did not start on port ${port}`);
}

describe("zkmargin demo (the main job)", function () {
  it("tells the whole story on the in-process chain with the demo instance", async () => {
    const lines: string[] = [];
    const result = await runDemo({ print: (line) => lines.push(line) });
    const out = lines.join("\n");
    expect(result.sufficientBefore).to.equal(false);
    expect(result.sufficientAfter).to.equal(true);
    // Another account fails the attestation (made out to the holder) before the proof's account.
    expect(result.replayRefusedWith).to.equal("InvalidAttestationSignature");
    expect(result.resubmitRefusedWith).to.equal("NonceNotIncreasing");
    expect(result.shortfallRefused).to.equal(true);
    expect(result.constraints).to.be.at.most(1 << 14);
    expect(Number(result.proveGas)).to.be.below(300_000);
    for (const section of [
      "report",
      "isMarginSufficient after: true",
      "MarginProved(",
      "Summary",
    ]) {
      expect(out).to.include(section);
    }
    expect(out).to.include("DEVELOPMENT ONLY");
  });

  it("runs against a JSON-RPC node with --rpc", async () => {
    const port = 18545 + (process.pid % 1000);
    const node = await startHardhatNode(port);
    try {
      const lines: string[] = [];
      const result = await runDemo({
        rpc: `http://127.0.0.1:${port}`,
        instance: "small",
        example: path.join(ROOT, "examples", "small"),
        shortfallPortfolio: path.join(ROOT, "examples", "small", "shortfall-portfolio.json"),
        print: (line) => lines.push(line),
      });
      expect(result.sufficientAfter).to.equal(true);
      expect(result.replayRefusedWith).to.equal("InvalidAttestationSignature");
      expect(result.resubmitRefusedWith).to.equal("NonceNotIncreasing");
    } finally {
      process.kill(-node.pid!, "SIGTERM");
    }
  });
});
