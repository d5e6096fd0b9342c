/**
 * The verify page: files in (drop zone or labelled inputs), checks run in the page, results out
 * in live regions. Nothing given to the page is sent anywhere; only "Read the chain" talks to the
 * network, to the JSON-RPC node the person names.
 */
import { chainView, keysView, proofDetailsView, summaryView, verdictView } from "./render";
import { readChainView, type ChainView } from "./chain";
import { ROLE_LABELS, readGivenFile, recognise, type GivenFile, type Role } from "./files";
import { marginView, type VerifiedProof } from "./margin";
import { loadSite, type LoadedSite } from "./site";
import { checkProof, type ProofCheck } from "./verify";
import { proofCoordinates } from "../../prover/src/chain/calldata";
import { esc } from "../../prover/src/report/html";
import { message } from "./message";

const ROLES: readonly Role[] = ["proof", "public", "policy", "market", "portfolio", "opening"];

/** The files given so far, by role, and the notes about files that were not taken. */
const given = new Map<Role, GivenFile>();
let notes: string[] = [];
let lastCheck: ProofCheck | undefined;
/** The last chain read, and the proof it looked for (its {@link proofKey}). */
let lastChain: { view: ChainView; proof: string } | undefined;
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
          `${file.name}: not recognised as a proof, public signals, policy, market, portfolio or opening file`,
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

function setVerdict(html: string, state: string, setup = ""): void {
  const box = element("verdict");
  box.dataset.verdict = state;
  box.dataset.setup = setup;
  box.innerHTML = html;
}

/** Identifies a proof (its public signals and points): a chain read is for one proof only. */
function proofKey(check: ProofCheck | undefined): string {
  if (!check?.signals || !check.proof) return "";
  return [...check.signals, ...proofCoordinates(check.proof)].join(",");
}

/** The one-sentence verdict at the top, from the current check and its chain read, if any. */
function renderSummary(site: LoadedSite | undefined): void {
  const box = element("summary");
  const chain = lastChain && lastChain.proof === proofKey(lastCheck) ? lastChain.view : undefined;
  const summary = summaryView(lastCheck, chain, site?.index.explorers ?? {});
  box.dataset.state = summary.state;
  box.innerHTML = summary.html;
}

/** The proof a portfolio is checked against: the current one, when it verified. */
function verifiedProof(check: ProofCheck | undefined): VerifiedProof | undefined {
  if (check?.verdict.status !== "valid" || !check.decoded || !check.signals) return undefined;
  const match = check.files.match;
  return {
    signals: check.signals,
    account: check.decoded.account,
    ...(match ? { files: { policy: match.policy, market: match.market } } : {}),
  };
}

async function renderMargin(
  check: ProofCheck | undefined,
  site: LoadedSite | undefined,
): Promise<void> {
  const status = element("margin-status");
  const out = element("margin-report");
  const policy = given.get("policy");
  const market = given.get("market");
  const portfolio = given.get("portfolio");
  const opening = given.get("opening");
  out.replaceChildren();
  status.dataset.tie = "";
  if (!portfolio && !opening) {
    status.textContent = "";
    return;
  }
  if (!policy || !market) {
    status.textContent = `Give policy.json and market.json too: the report needs them with ${opening ? "opening.json" : "portfolio.json"}.`;
    return;
  }
  try {
    const instances = Object.fromEntries(
      (site?.keys ?? []).filter((k) => k.intact).map((k) => [k.instance, k.params]),
    );
    const view = await marginView(
      {
        policy,
        market,
        ...(portfolio ? { portfolio } : {}),
        ...(opening ? { opening } : {}),
      },
      verifiedProof(check),
      instances,
    );
    status.dataset.tie = view.tie;
    status.textContent = view.note;
    if (view.html !== undefined) out.innerHTML = view.html;
  } catch (error) {
    status.dataset.tie = "error";
    status.textContent = `Cannot compute the report: ${message(error)}`;
  }
}

/** Re-runs every check on the current files. */
async function refresh(): Promise<void> {
  const run = ++latestRun;
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
    await renderMargin(undefined, undefined);
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
  setVerdict(verdict.html, verdict.state, verdict.setup);
  element("proof-details").innerHTML = proofDetailsView(check);
  element<HTMLInputElement>("account-address").placeholder = check.decoded?.account ?? "0x…";
  renderSummary(site);
  await renderMargin(check, site);
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
    const checked = lastCheck;
    const policyFile = checked?.files.policy;
    const marketFile = checked?.files.market;
    const policyText = policy.value.trim() || policyFile?.id;
    const view = await readChainView(
      {
        rpcUrl: rpc.value.trim(),
        registry: registry.value.trim(),
        account,
        ...(policyText ? { policy: policyText } : {}),
        ...(checked?.signals && checked.proof
          ? { proof: { signals: checked.signals, proof: checked.proof } }
          : {}),
        ...(marketFile ? { round: marketFile.round } : {}),
      },
      site.contracts,
    );
    lastChain = { view, proof: proofKey(checked) };
    details.innerHTML = chainView(view, checked, site.index.explorers);
    renderSummary(site);
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
  wireFileInput("file-opening", "opening");
  element<HTMLFormElement>("chain-form").addEventListener("submit", (e) => void readChain(e));
  void showKeys();
  document.documentElement.dataset.ready = "true";
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
