/**
 * The verify page: files in (drop zone or labelled inputs), checks run in the page, results out
 * in live regions. Nothing given to the page is sent anywhere; only "Read the chain" talks to the
 * network, to the JSON-RPC node the person names.
 */
import { chainView, keysView, proofDetailsView, verdictView } from "./render";
import { readChainView } from "./chain";
import { ROLE_LABELS, readGivenFile, recognise, type GivenFile, type Role } from "./files";
import { marginReportFromFiles } from "./margin";
import { loadSite, type LoadedSite } from "./site";
import { checkProof, type ProofCheck } from "./verify";
import { esc } from "../../prover/src/report/html";
import { message } from "./message";

const ROLES: readonly Role[] = ["proof", "public", "policy", "market", "portfolio"];

/** The files given so far, by role, and the notes about files that were not taken. */
const given = new Map<Role, GivenFile>();
let notes: string[] = [];
let lastCheck: ProofCheck | undefined;
/** Each refresh gets a number; a slower, older refresh does not overwrite a newer one. */
let latestRun = 0;

const sitePromise: Promise<LoadedSite> = loadSite();

function element<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`the page has no #${id}`);
  return found as T;
}

function renderLoaded(): void {
  const list = element("loaded-files");
  list.replaceChildren();
  for (const role of ROLES) {
    const file = given.get(role);
    if (!file) continue;
    const item = document.createElement("li");
    item.innerHTML = `<strong>${esc(ROLE_LABELS[role])}</strong>: ${esc(file.name)} `;
    const remove = document.createElement("button");
    remove.type = "button";
    remove.textContent = "Remove";
    remove.setAttribute("aria-label", `Remove ${file.name} (${ROLE_LABELS[role]})`);
    remove.addEventListener("click", () => {
      given.delete(role);
      renderLoaded();
      void refresh();
      element("file-any").focus();
    });
    item.append(remove);
    list.append(item);
  }
  for (const note of notes) {
    const item = document.createElement("li");
    item.className = "check-no";
    item.textContent = note;
    list.append(item);
  }
  if (list.children.length === 0) list.innerHTML = `<li class="muted">None yet.</li>`;
}

/** Reads files; `role` forces their role (a labelled input), else their content decides. */
async function addFiles(files: Iterable<File>, role?: Role): Promise<void> {
  notes = [];
  for (const file of files) {
    try {
      const parsed = await readGivenFile(file);
      const as = role ?? recognise(parsed);
      if (as === null) {
        notes.push(
          `${file.name}: not recognised as a proof, public signals, policy, market or portfolio file`,
        );
      } else {
        given.set(as, parsed);
      }
    } catch (error) {
      notes.push(message(error));
    }
  }
  renderLoaded();
  await refresh();
}

function setVerdict(html: string, state: string): void {
  const box = element("verdict");
  box.dataset.verdict = state;
  box.innerHTML = html;
}

function renderMargin(): void {
  const status = element("margin-status");
  const out = element("margin-report");
  const policy = given.get("policy");
  const market = given.get("market");
  const portfolio = given.get("portfolio");
  out.replaceChildren();
  if (!portfolio) {
    status.textContent = "";
    return;
  }
  if (!policy || !market) {
    status.textContent = "Give policy.json and market.json too: the report needs all three files.";
    return;
  }
  try {
    out.innerHTML = marginReportFromFiles(policy, market, portfolio);
    status.textContent = "Margin report computed in this page from the three files.";
  } catch (error) {
    status.textContent = `Cannot compute the report: ${message(error)}`;
  }
}

/** Re-runs every check on the current files. */
async function refresh(): Promise<void> {
  const run = ++latestRun;
  renderMargin();
  if (given.has("proof") && given.has("public"))
    setVerdict("Verifying in this browser…", "running");
  let site: LoadedSite;
  try {
    site = await sitePromise;
  } catch (error) {
    setVerdict(
      `<span class="title">✘ Cannot verify</span>The page could not load its verification keys: ${esc(message(error))}`,
      "invalid",
    );
    return;
  }
  const check = await checkProof(
    {
      ...(given.has("proof") ? { proof: given.get("proof")! } : {}),
      ...(given.has("public") ? { public: given.get("public")! } : {}),
      ...(given.has("policy") ? { policy: given.get("policy")! } : {}),
      ...(given.has("market") ? { market: given.get("market")! } : {}),
    },
    site.keys,
  );
  if (run !== latestRun) return;
  lastCheck = check;
  const verdict = verdictView(check.verdict);
  setVerdict(verdict.html, verdict.state);
  element("proof-details").innerHTML = proofDetailsView(check);
  element<HTMLInputElement>("account-address").placeholder = check.decoded?.account ?? "0x…";
}

async function readChain(event: SubmitEvent): Promise<void> {
  event.preventDefault();
  const status = element("chain-status");
  const details = element("chain-details");
  const rpc = element<HTMLInputElement>("rpc-url");
  const registry = element<HTMLInputElement>("registry-address");
  const policy = element<HTMLInputElement>("policy-id");
  const accountInput = element<HTMLInputElement>("account-address");
  const account = accountInput.value.trim() || lastCheck?.decoded?.account || "";
  const problems: string[] = [];
  const expect = (input: HTMLInputElement, ok: boolean, problem: string) => {
    input.setAttribute("aria-invalid", ok ? "false" : "true");
    if (!ok) problems.push(problem);
  };
  expect(rpc, rpc.value.trim() !== "", "JSON-RPC URL: required");
  expect(
    registry,
    /^0x[0-9a-fA-F]{40}$/.test(registry.value.trim()),
    "MarginRegistry address: must be 0x followed by 40 hex digits",
  );
  expect(accountInput, account !== "", "Account: give public.json or type an account");
  if (problems.length > 0) {
    status.dataset.state = "error";
    status.innerHTML = `<span class="title">Cannot read the chain</span>${problems.map(esc).join("<br>")}`;
    return;
  }
  const button = element<HTMLButtonElement>("chain-read");
  button.disabled = true;
  status.dataset.state = "running";
  status.textContent = "Reading the chain…";
  try {
    const site = await sitePromise;
    const decoded = lastCheck?.decoded;
    const policyFile = lastCheck?.files.policy;
    const marketFile = lastCheck?.files.market;
    const policyText = policy.value.trim() || policyFile?.id;
    const view = await readChainView(
      {
        rpcUrl: rpc.value.trim(),
        registry: registry.value.trim(),
        account,
        ...(policyText ? { policy: policyText } : {}),
        ...(decoded
          ? { proof: { nonce: decoded.nonce, portfolioCommitment: decoded.portfolioCommitment } }
          : {}),
        ...(marketFile ? { round: marketFile.round } : {}),
      },
      site.contracts,
    );
    details.innerHTML = chainView(view, lastCheck);
    status.dataset.state = "done";
    status.innerHTML = `<span class="title">Chain read</span>${view.events.length} MarginProved event(s) of ${esc(view.account)} on chain ${esc(view.chainId)}.`;
  } catch (error) {
    details.replaceChildren();
    status.dataset.state = "error";
    status.innerHTML = `<span class="title">Cannot read the chain</span>${esc(message(error))}`;
  } finally {
    button.disabled = false;
  }
}

async function showKeys(): Promise<void> {
  const box = element("keys");
  try {
    box.innerHTML = keysView(await sitePromise);
  } catch (error) {
    box.textContent = `The page could not load its verification keys: ${message(error)}`;
  }
}

function wireFileInput(id: string, role?: Role): void {
  const input = element<HTMLInputElement>(id);
  input.addEventListener("change", () => {
    const files = [...(input.files ?? [])];
    input.value = ""; // choosing the same file again is a change too
    void addFiles(files, role);
  });
}

function wireDrop(): void {
  const zone = element("drop-zone");
  let depth = 0;
  document.addEventListener("dragenter", (e) => {
    e.preventDefault();
    depth += 1;
    zone.classList.add("dragging");
  });
  document.addEventListener("dragleave", () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) zone.classList.remove("dragging");
  });
  document.addEventListener("dragover", (e) => e.preventDefault());
  document.addEventListener("drop", (e) => {
    e.preventDefault();
    depth = 0;
    zone.classList.remove("dragging");
    void addFiles([...(e.dataTransfer?.files ?? [])]);
  });
}

function start(): void {
  wireDrop();
  wireFileInput("file-any");
  wireFileInput("file-proof", "proof");
  wireFileInput("file-public", "public");
  wireFileInput("file-policy", "policy");
  wireFileInput("file-market", "market");
  wireFileInput("file-portfolio", "portfolio");
  element<HTMLFormElement>("chain-form").addEventListener("submit", (e) => void readChain(e));
  void showKeys();
  document.documentElement.dataset.ready = "true";
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
