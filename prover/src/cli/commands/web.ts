/**
 * `zkmargin web`: builds the verify page if its sources, keys or ABIs changed, and serves the
 * built folder on a local port. Counterparties and auditors open it, drop proof.json and
 * public.json, and the proof is verified in their browser; nothing is uploaded.
 */
import * as path from "node:path";
import type { Command } from "commander";
import { buildSite, DEFAULT_SITE_DIR, parseExplorers } from "../../web/build-site";
import { serveSite } from "../../web/serve";
import { examples, parseIntegerOption } from "../options";

interface WebOptions {
  port: string;
  out: string;
  rebuild?: boolean;
  buildOnly?: boolean;
  explorer: string[];
}

/** Registers `zkmargin web`. */
export function register(program: Command): void {
  program
    .command("web")
    .description(
      "build (when needed) and serve the verify page on 127.0.0.1: drop proof.json and public.json " +
        "(and policy.json, market.json) to verify the proof in the browser; nothing is uploaded",
    )
    .option("--port <n>", "local port to serve on (0: any free port)", "8788")
    .option(
      "--out <dir>",
      "folder of the built page (plain files, deployable as is)",
      path.relative(process.cwd(), DEFAULT_SITE_DIR) || ".",
    )
    .option("--rebuild", "rebuild even when nothing changed")
    .option("--build-only", "build the page and exit without serving it")
    .option(
      "--explorer <chainId=url>",
      "link transactions on chain <chainId> to the Etherscan-style explorer at <url> (<url>/tx/<hash>); repeatable",
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .addHelpText(
      "after",
      examples(
        "zkmargin web",
        "zkmargin web --port 9000 --out site",
        "zkmargin web --build-only --out site",
        "zkmargin web --explorer 1=https://etherscan.io --explorer 11155111=https://sepolia.etherscan.io",
      ),
    )
    .action(async (opts: WebOptions) => {
      const port = Number(parseIntegerOption(opts.port, "--port", 16));
      const site = await buildSite({
        out: opts.out,
        force: opts.rebuild === true,
        explorers: parseExplorers(opts.explorer),
      });
      const keys = site.index.keys.map((k) => `${k.instance} (${k.kind})`).join(", ");
      process.stdout.write(
        `${site.rebuilt ? "built" : "up to date:"} ${site.dir} (verification keys: ${keys})\n`,
      );
      if (opts.buildOnly === true) return;
      const server = await serveSite(site.dir, { port });
      process.stdout.write(`serving the verify page at ${server.url} (Ctrl-C to stop)\n`);
    });
}
