/**
 * Headless Chromium for browser tests: Debian's system browser (`apt-get install chromium`)
 * driven by playwright-core, with a fresh profile and no background network of its own.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";

/** Where the system Chromium lives. */
export const CHROMIUM = "/usr/bin/chromium";

/** Flags without which Chromium's own connections are refused on these machines. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** A running browser with a throw-away profile. */
export interface TestBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Launches Chromium with a fresh user-data-dir, removed again by `close`. */
export async function launchBrowser(): Promise<TestBrowser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: apt-get update && apt-get install -y chromium`);
  }
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "zkmargin-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1100, height: 900 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

// Page-side checks are written as strings: the test suite is typed for Node, not the DOM.

/** Drops files on `selector` as a person dragging them from a file manager would. */
export async function dropFiles(
  page: Page,
  selector: string,
  files: readonly { name: string; text: string }[],
): Promise<void> {
  const dataTransfer = await page.evaluateHandle(
    `(() => {
      const transfer = new DataTransfer();
      for (const f of ${JSON.stringify(files)}) {
        transfer.items.add(new File([f.text], f.name, { type: "application/json" }));
      }
      return transfer;
    })()`,
  );
  await page.dispatchEvent(selector, "drop", { dataTransfer });
}

/** The id of the focused element. */
export function focusedId(page: Page): Promise<string> {
  return page.evaluate("document.activeElement ? document.activeElement.id : ''");
}

/** How many pixels the document is wider than the window (0 or less: no sideways scrolling). */
export function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate("document.documentElement.scrollWidth - window.innerWidth");
}

/** Ids of inputs and buttons that have neither a label, an aria-label nor text. */
export function unlabelledControls(page: Page): Promise<string[]> {
  return page.evaluate(
    `[...document.querySelectorAll("input, button")]
      .filter((el) => (el.labels ? el.labels.length : 0) === 0 && !el.getAttribute("aria-label") && !el.textContent.trim())
      .map((el) => el.id || el.outerHTML)`,
  );
}
