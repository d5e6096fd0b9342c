/**
 * The page's views as HTML strings (every value escaped), in the report's look: the verdict, what
 * the proof says, the files against its commitments, the page's keys and the chain's record.
 */
import type { RoundRecord } from "../../prover/src/chain/market-book";
import { policyIdOf } from "../../prover/src/chain/policy";
import { feedIdOf } from "../../prover/src/layout/layout";
import {
  PUBLIC_SIGNAL_NAMES,
  encodePublicSignals,
  type DecodedPublicSignals,
} from "../../prover/src/proving/public-signals";
import type { SubmissionCheck } from "../../prover/src/inspect/on-chain";
import { pledgeStateWords, type SlotPledge } from "../../prover/src/inspect/pledges";
import { batchPlace } from "../../prover/src/inspect/submission";
import { isoTime, shorten } from "../../prover/src/report/format";
import { badge, dataTable, esc, externalLink, facts, section } from "../../prover/src/report/html";
import { timelineHtml, type TimelineEvent } from "../../prover/src/report/timeline";
import { explorerTxUrl } from "../../prover/src/web/site";
import type { ChainRound, ChainView } from "./chain";
import type { LoadedKey, LoadedSite } from "./site";
import { developmentSetup, type ProofCheck, type Verdict } from "./verify";

/** Screen names of the public signals, and what each one says once decoded. */
const SIGNALS: Record<
  (typeof PUBLIC_SIGNAL_NAMES)[number],
  { label: string; says: (d: DecodedPublicSignals) => string }
> = {
  accountNonce: {
    label: "Account and nonce",
    says: (d) => `account ${mono(d.account)}, nonce ${esc(d.nonce)}`,
  },
  marketCommitment: {
    label: "Market commitment",
    says: () => "the market round's prices and risk arrays, on the policy's layout",
  },
  policyCommitment: {
    label: "Policy commitment",
    says: () => "the policy's parameters, on its layout",
  },
  portfolioCommitment: {
    label: "Portfolio commitment",
    says: () => "the hidden portfolio (salted), on the layout; what the custodian pledges",
  },
};

const mono = (text: string | bigint): string => `<span class="mono">${esc(text)}</span>`;
const yes = (text: string): string => `<span class="check-yes">✔ ${esc(text)}</span>`;
const no = (text: string): string => `<span class="check-no">✘ ${esc(text)}</span>`;

/** The sentence that says a key is a development setup, or "" for a production one. */
function setupWarning(key: LoadedKey): string {
  const reasons = developmentSetup(key);
  return reasons.length === 0
    ? ""
    : `${badge("DEVELOPMENT SETUP", "warn")} made with ${esc(reasons.join(" and "))}: whoever ran the setup could have forged it. Production policies use ceremony keys on a published ptau.`;
}

/**
 * The verdict box: its text, the `data-verdict` it carries and its `data-setup` ("development"
 * turns a valid verdict amber: a development setup never shows as a plain, green pass).
 */
export function verdictView(verdict: Verdict): { html: string; state: string; setup: string } {
  switch (verdict.status) {
    case "incomplete":
      return {
        state: "none",
        setup: "",
        html: `Waiting for ${verdict.missing.map((m) => `<code>${esc(m)}</code>`).join(" and ")}.`,
      };
    case "valid": {
      const warning = setupWarning(verdict.key);
      return {
        state: "valid",
        setup: warning === "" ? "production" : "development",
        html:
          `<span class="title">✔ Proof valid${warning === "" ? "" : ", on a development setup"}</span>` +
          `The Groth16 proof verifies for these public signals with the verification key of instance ` +
          `<strong>${esc(verdict.key.instance)}</strong> (vkey hash ${mono(verdict.key.vkeyHash)}).` +
          (warning === "" ? "" : `<br>${warning}`),
      };
    }
    case "invalid":
      return {
        state: "invalid",
        setup: "",
        html: `<span class="title">✘ Proof invalid</span>Reason: ${esc(verdict.reason)}`,
      };
  }
}

/** A transaction hash, linked to the chain's explorer when the page was built with one. */
export function txLink(hash: string, explorer: string | undefined): string {
  if (explorer === undefined) return mono(hash);
  return externalLink(
    explorerTxUrl(explorer, hash),
    esc(hash),
    `transaction ${hash} on the block explorer`,
  );
}

/** The policy a proof is for, in words: policy.json's id when it matches, else what is known. */
function policyWords(check: ProofCheck, event: TimelineEvent | undefined): string {
  const { policy, match } = check.files;
  if (policy && match?.policy) {
    return `policy <strong>${esc(policy.id)}</strong> (${esc(policy.mode)} margin, ${esc(policy.margin)})`;
  }
  if (event) return `the policy registered as ${mono(shorten(event.policyId))}`;
  return `the policy with commitment ${mono(shorten(check.decoded!.policyCommitment.toString(), 8, 6))} (give its policy.json to name it)`;
}

/** The round a proof is for, in words: market.json's when it matches, else what is known. */
function roundWords(check: ProofCheck, event: TimelineEvent | undefined): string {
  const { market, match } = check.files;
  if (market && match?.market) {
    return `round <strong>${esc(market.round)}</strong> (${esc(isoTime(market.timestamp))})`;
  }
  if (event) {
    return `round <strong>${esc(event.round)}</strong>${event.roundTimestamp === undefined ? "" : ` (${esc(isoTime(event.roundTimestamp))})`}`;
  }
  return `the market round with commitment ${mono(shorten(check.decoded!.marketCommitment.toString(), 8, 6))} (give its market.json to name it)`;
}

/**
 * The one-sentence verdict at the top of the page: who proved what under which policy at which
 * round, and then what the chain says of this very proof (when it was read) and whether the key
 * is a development setup. `state`: good, warn (development setup, or not found on-chain), bad
 * (invalid) or none.
 */
export function summaryView(
  check: ProofCheck | undefined,
  view: ChainView | undefined,
  explorers: Record<string, string>,
): { html: string; state: string } {
  if (!check?.decoded) return { html: "", state: "none" };
  const account = mono(check.decoded.account);
  if (check.verdict.status === "invalid") {
    return {
      state: "bad",
      html: `✘ This proof does not verify: it shows nothing about account ${account}.`,
    };
  }
  if (check.verdict.status !== "valid") return { html: "", state: "none" };
  const own = view && view.account === check.decoded.account ? view : undefined;
  const accepted = own?.onChain?.accepted;
  const event = accepted?.event;
  const sentence =
    `Account ${account} proved margin ≥ requirement under ${policyWords(check, event)} ` +
    `at ${roundWords(check, event)}.`;
  const chain = !own?.onChain
    ? "Not yet checked on-chain: read the chain below."
    : accepted
      ? `Accepted on-chain (chain ${esc(own.chainId)}) in block ${esc(accepted.event.blockNumber)}${
          accepted.submission ? esc(batchPlace(accepted.submission)) : ""
        }${
          accepted.event.blockTime === undefined
            ? ""
            : ` (${esc(isoTime(accepted.event.blockTime))})`
        }, transaction ${txLink(accepted.event.transactionHash, explorers[own.chainId.toString()])}.`
      : `Not found on-chain: MarginRegistry ${mono(own.registry)} on chain ${esc(own.chainId)} never accepted this proof.`;
  const setup = setupWarning(check.verdict.key);
  const state = setup !== "" || (own?.onChain && !accepted) ? "warn" : "good";
  return {
    state,
    html:
      `<p class="summary-sentence">${state === "good" ? "✔" : "⚠"} ${sentence}</p>` +
      `<p>${chain}</p>` +
      (setup === "" ? "" : `<p>${setup}</p>`),
  };
}

/** The MarketBook feed of the policy's layout, when policy.json reproduces the commitment. */
function layoutText(files: ProofCheck["files"]): string {
  const layout = files.match?.layout;
  if (!layout) return "give the policy.json of the proof (and market.json) to name it";
  return (
    `${mono(feedIdOf(layout.layoutId))}<br><span class="muted">` +
    `the MarketBook feed of the policy's slot layout on instance ${esc(layout.instance)}</span>`
  );
}

/** What the proof says (account, nonce, policy, round, key), its signals and the file checks. */
export function proofDetailsView(check: ProofCheck): string {
  const { decoded, verdict, files } = check;
  if (!decoded) return "";
  const key = verdict.status === "valid" ? verdict.key : undefined;
  const said: [string, string][] = [
    ["Account", mono(decoded.account)],
    ["Nonce", esc(decoded.nonce)],
    [
      "Policy",
      files.policy
        ? `${esc(files.policy.id)} (${esc(files.policy.mode)})<br>${mono(shorten(policyIdOf(files.policy.id)))} on-chain`
        : "give policy.json to name it",
    ],
    [
      "Market round",
      files.market
        ? `${esc(files.market.round)} at ${esc(isoTime(files.market.timestamp))}`
        : "give market.json to name it",
    ],
    ["Layout and feed", layoutText(files)],
    [
      "Verification key",
      key ? `${esc(key.instance)}: ${mono(shorten(key.vkeyHash, 14, 8))}` : "none verified",
    ],
  ];
  const values = encodePublicSignals(decoded);
  // One portfolio commitment per pledge slot: several for a proof that sums sub-portfolios.
  const slots = decoded.portfolioCommitments.length;
  const described = (i: number): { label: string; says: string } => {
    const name = PUBLIC_SIGNAL_NAMES[Math.min(i, PUBLIC_SIGNAL_NAMES.length - 1)];
    const slot = i - (PUBLIC_SIGNAL_NAMES.length - 1);
    if (slots === 1 || slot < 0)
      return { label: SIGNALS[name].label, says: SIGNALS[name].says(decoded) };
    return decoded.portfolioCommitments[slot] === 0n
      ? { label: `Portfolio commitment ${slot + 1}`, says: "an unused pledge slot (0)" }
      : {
          label: `Portfolio commitment ${slot + 1}`,
          says: `sub-portfolio ${slot + 1} of ${slots} (salted), on the layout; what its custodian pledges`,
        };
  };
  const signals = dataTable(
    "Public signals, decoded",
    ["signal", "value", "what it says"],
    values.map((value, i) => {
      const { label, says } = described(i);
      return [`${esc(label)} <span class="muted">[${i}]</span>`, mono(value), says];
    }),
    true,
  );
  const lines: string[] = files.errors.map((e) => `<li>${no(e)}</li>`);
  if (files.match && files.policy && files.market) {
    const m = files.match;
    lines.push(
      `<li>${m.policy ? yes("policy.json matches") : no("policy.json DOES NOT MATCH")} the proof's policy commitment (policy ${esc(files.policy.id)})</li>`,
      `<li>${m.market ? yes("market.json matches") : no("market.json DOES NOT MATCH")} the proof's market commitment (round ${esc(files.market.round)})</li>`,
    );
    if (m.instance !== null)
      lines.push(
        `<li>Both laid out for circuit instance <strong>${esc(m.instance)}</strong>.</li>`,
      );
  } else if (files.errors.length === 0) {
    lines.push(
      files.policy || files.market
        ? `<li>Give both policy.json and market.json: the commitments are laid out for a circuit instance, which takes both.</li>`
        : `<li>Give policy.json and market.json to check that the proof is for that policy and that market round.</li>`,
    );
  }
  return (
    section("said-title", "What the proof says", facts(said), 3) +
    signals +
    section(
      "files-check-title",
      "Public files against the proof's commitments",
      `<ul id="files-check">${lines.join("")}</ul>`,
      3,
    )
  );
}

/** An instance's slot counts and the margin models it proves, in words. */
function instanceSlots(key: LoadedKey): string {
  const counts = (["assets", "perps", "options", "scenarios", "tiers", "groups"] as const)
    .map((d) => `${key.params[d]} ${key.params[d] === 1 ? d.slice(0, -1) : d}`)
    .join(", ");
  return `${counts}; ${key.params.joint === 1 ? "standard and portfolio margin" : "standard margin only"}`;
}

/**
 * The keys the page carries, one card each: the file's state against the manifest's sha256, the
 * setup kind, the vkey hash, the sha256 and the instance's slots (cards rather than a table, so
 * the long hashes stay readable at a phone's width).
 */
export function keysView(site: LoadedSite): string {
  const cards = site.keys.map((k) =>
    section(
      `key-${k.instance}`,
      `Instance ${k.instance}`,
      facts([
        ["File", k.intact ? yes("intact") : no(k.problem ?? "unusable")],
        [
          "Setup",
          developmentSetup(k).length === 0
            ? yes(`ceremony keys on the published ${k.ptau.name}`)
            : `${badge("DEVELOPMENT SETUP", "warn")} ${esc(developmentSetup(k).join(", "))}`,
        ],
        ["Vkey hash", mono(k.vkeyHash)],
        ["Manifest sha256", mono(k.sha256)],
        ["Circuit slots and margin models", esc(instanceSlots(k))],
      ]),
      3,
    ),
  );
  return (
    `<p>Each key's file is checked against the sha256 recorded for it in the project's <code>build/manifest.json</code> ` +
    `(copied here as <a href="manifest.json">manifest.json</a>, sha256 ${mono(site.index.manifestSha256)}). ` +
    `The vkey hash is what <code>PolicyRegistry</code> records for a policy.</p>` +
    cards.join("") +
    `<p class="muted">Page built ${esc(site.index.builtAt)}.</p>`
  );
}

/** Where a round stands in its feed: what `prove` and `isMarginSufficient` make of it. */
function roundState(record: RoundRecord, supersededGrace: bigint): string {
  if (record.invalid) return no("invalidated by the publisher: no longer counts");
  if (record.outdated) return no("outdated: two newer rounds were posted, it no longer counts");
  if (record.supersededAt !== 0n) {
    return `superseded at ${esc(isoTime(record.supersededAt))}: counts for ${esc(supersededGrace)} s after that (the policy's grace)`;
  }
  return yes("the feed's latest round");
}

/** A round of the policy's feed, its time and state, and its commitment against the proof's. */
function roundLine(
  r: ChainRound,
  view: ChainView,
  supersededGrace: bigint,
  decoded: DecodedPublicSignals | undefined,
): string {
  if (r.record.commitment === 0n) {
    return no(
      `Round ${r.round} is not in feed ${shorten(r.feed)} of MarketBook ${view.marketBook}`,
    );
  }
  const commitment = decoded
    ? `; ${r.record.commitment === decoded.marketCommitment ? yes("its market commitment equals the proof's") : no("its market commitment differs from the proof's")}`
    : "";
  return (
    `Round ${esc(r.round)} of the policy's feed, timestamp ${esc(isoTime(r.record.timestamp))}, ` +
    `posted ${esc(isoTime(r.record.postedAt))}: ${roundState(r.record, supersededGrace)}${commitment}`
  );
}

/** The registration's lines: state, commitment, layout feed, verifier and key hashes. */
function policyLines(
  view: ChainView,
  check: ProofCheck | undefined,
  item: (html: string) => void,
): void {
  const p = view.policy!;
  const decoded = check?.decoded;
  const key = check?.verdict.status === "valid" ? check.verdict.key : undefined;
  const layoutId = check?.files.match?.layout?.layoutId;
  item(
    `Policy ${mono(shorten(p.policyId))} (${esc(p.mode)}) is ${p.retired ? no("RETIRED") : yes("registered and active")}; ` +
      `max round age ${esc(p.maxRoundAge)} s, superseded grace ${esc(p.supersededGrace)} s; ` +
      `venue ${mono(shorten(p.venue))}, pledges ${p.requiresPledges ? `required (${esc(p.pledgeSlots)} slot${p.pledgeSlots === 1 ? "" : "s"})` : "NOT required"}`,
  );
  if (decoded) {
    item(
      p.commitment === decoded.policyCommitment
        ? yes("Registered policy commitment equals the proof's")
        : no("Registered policy commitment differs from the proof's"),
    );
  }
  item(
    `Feed ${mono(p.feed)}` +
      (layoutId !== undefined
        ? `: ${p.feed === feedIdOf(layoutId) ? yes("the layout of the given policy.json") : no(`not the layout of the given policy.json (${feedIdOf(layoutId)})`)}`
        : " (the policy's slot layout)") +
      (view.feedHead && view.feedHead.latestRound !== 0n
        ? `; latest round ${esc(view.feedHead.latestRound)} (${esc(isoTime(view.feedHead.latestTimestamp))})`
        : "; no round posted yet"),
  );
  item(
    `Verifier ${mono(p.verifier)}: ${p.verifierHasCode ? yes("has code") : no("no contract code")}; ` +
      (p.verifierKeyHash === undefined
        ? no(`verificationKeyHash() failed: ${p.verifierKeyHashError ?? "no answer"}`)
        : p.verifierKeyHash === p.verificationKeyHash
          ? yes("its verificationKeyHash() equals the registered hash")
          : no(`its verificationKeyHash() ${p.verifierKeyHash} differs from the registered hash`)),
  );
  item(
    `Registered verification-key hash ${mono(p.verificationKeyHash)}` +
      (key
        ? `: ${p.verificationKeyHash === key.vkeyHash ? yes(`equals the key this proof verified with (${key.instance})`) : no(`differs from the key this proof verified with (${key.instance}, ${key.vkeyHash})`)}`
        : ""),
  );
}

/** The account's status under the policy: its round, pledges, revocation and verdict. */
function statusFacts(view: ChainView): [string, string][] {
  const s = view.status!;
  const grace = view.policy?.supersededGrace ?? 0n;
  if (s.nonce === 0n) {
    return [
      ["isMarginSufficient now", no("false")],
      ["Status", "no proof accepted for this account under this policy"],
    ];
  }
  const statusRound = view.statusRound ?? view.round;
  return [
    ["isMarginSufficient now", view.sufficient ? yes("true") : no("false")],
    [
      "Status round",
      `${esc(s.round)} (${esc(isoTime(s.roundTimestamp))})` +
        (statusRound && statusRound.round === s.round
          ? `: ${roundState(statusRound.record, grace)}`
          : ""),
    ],
    ["Status nonce", esc(s.nonce)],
    [
      s.pledges.length === 1 ? "Custodian" : "Custodians",
      s.pledges.length === 0
        ? "none (the policy requires no pledge)"
        : s.pledges
            .map(
              (c) =>
                `${mono(c.custodian)} (registration ${esc(c.registration)}, ${c.active ? yes("active") : no("removed")})`,
            )
            .join("; "),
    ],
    [
      "Pledges valid until",
      s.pledgesValidUntil === 0n ? "none" : esc(isoTime(s.pledgesValidUntil)),
    ],
    [
      "Revoked",
      s.pledges.length === 0
        ? "n/a"
        : s.revoked
          ? no("yes: a custodian revoked the account's pledges since the proof")
          : yes("no"),
    ],
  ];
}

/** Where a MarginProved event is: its round, nonce, block and transaction. */
function eventWords(e: TimelineEvent, explorer: string | undefined): string {
  return (
    `MarginProved of round ${esc(e.round)}, nonce ${esc(e.nonce)}, block ${esc(e.blockNumber)}` +
    `${e.blockTime === undefined ? "" : ` (${esc(isoTime(e.blockTime))})`}, transaction ${txLink(e.transactionHash, explorer)}`
  );
}

/** Whether this very proof was accepted, and why each event of its account and nonce is not it. */
function proofLines(
  view: ChainView,
  onChain: NonNullable<ChainView["onChain"]>,
  explorer: string | undefined,
  item: (html: string) => void,
): void {
  const accepted = onChain.accepted;
  if (accepted) {
    item(
      `${yes("This proof was accepted on-chain")}: the registry verified these very proof points against the same ` +
        `${esc(accepted.signals.length)} public signals (${esc(accepted.signals.map((c) => c.name).join(", "))}). ` +
        eventWords(accepted.event, explorer) +
        (accepted.submission?.batch
          ? `, ${esc(batchPlace(accepted.submission).trim())}: the registry checked it with the batch's other accepted items in one pairing check`
          : ""),
    );
    return;
  }
  const others = onChain.candidates;
  item(
    `${no("Not found on-chain")}: MarginRegistry ${mono(view.registry)} never accepted this proof` +
      (others.length === 0
        ? ` (no MarginProved event of ${mono(view.account)} has its nonce).`
        : `. ${others.length === 1 ? "One event has" : `${others.length} events have`} its account and nonce, and ${others.length === 1 ? "it is not" : "none is"} this proof:`),
  );
  for (const c of others)
    item(`${eventWords(c.event, explorer)}: ${no("not this proof")}: ${esc(notThisProof(c))}`);
}

/** Why a submission is not the proof, naming the round when the market commitment differs. */
function notThisProof(c: SubmissionCheck<TimelineEvent>): string {
  const market = c.signals.find((s) => s.name === "marketCommitment");
  const roundNote =
    market && !market.equal
      ? ` (the registry verified it with round ${c.event.round}'s market commitment, which is not the proof's)`
      : "";
  return `${c.mismatch ?? "it differs"}${roundNote}`;
}

/** A pledge slot's card: its commitment, custodian, venue, validity and state on-chain now. */
function slotCard(s: SlotPledge): string {
  const id = `pledge-slot-${s.slot}`;
  const title = `Slot ${s.slot}`;
  if (s.commitment === 0n)
    return section(id, title, `<p class="muted">Unused (commitment 0).</p>`, 4);
  const p = s.pledge;
  const state = pledgeStateWords(s);
  const holds = s.onChain?.holds;
  return section(
    id,
    title,
    facts([
      ["Commitment", mono(s.commitment)],
      [
        "Custodian",
        p
          ? `${mono(p.custodian)} (registration ${esc(p.registration)}, epoch ${esc(p.epoch)})`
          : "no pledge",
      ],
      [
        "Venue",
        s.venue === undefined
          ? "unknown"
          : `${mono(s.venue)}${s.venueName === undefined ? "" : ` (${esc(s.venueName)})`}<br><span class="muted">the policy's venue: the pledge counts only there</span>`,
      ],
      ...(p
        ? ([
            [
              "Pledged",
              `issued ${esc(isoTime(p.issuedAt))}, valid until ${esc(isoTime(p.validUntil))}`,
            ],
          ] as [string, string][])
        : []),
      ["On-chain now", holds === undefined ? esc(state) : holds ? yes(state) : no(state)],
    ]),
    4,
  );
}

/** The pledges this proof was accepted with, one card per slot. */
function pledgesView(slots: readonly SlotPledge[]): string {
  const used = slots.filter((s) => s.commitment !== 0n).length;
  return section(
    "proof-pledges-title",
    `Pledges of this proof (${used} of ${slots.length} slot${slots.length === 1 ? "" : "s"})`,
    `<div id="proof-pledges">${slots.map(slotCard).join("")}</div>`,
    3,
  );
}

/** The chain's record, checked against the proof where it has one. */
export function chainView(
  view: ChainView,
  check: ProofCheck | undefined,
  explorers: Record<string, string> = {},
): string {
  const decoded = check?.decoded;
  const items: string[] = [];
  const item = (html: string) => items.push(`<li>${html}</li>`);
  const explorer = explorers[view.chainId.toString()];
  if (decoded && decoded.account !== view.account) {
    item(
      `The account read (${mono(view.account)}) is not the proof's (${mono(decoded.account)}): this proof's submission was not looked for.`,
    );
  } else if (view.onChain) {
    proofLines(view, view.onChain, explorer, item);
  }
  if (view.policyId === undefined) {
    item("No policy to read: give a policy id (or policy.json, or a proof that was submitted).");
  } else if (view.policy === null) {
    item(no(`Policy ${view.policyId} is not registered in PolicyRegistry ${view.policyRegistry}`));
  } else if (view.policy) {
    policyLines(view, check, item);
    if (view.round) item(roundLine(view.round, view, view.policy.supersededGrace, decoded));
  }
  const policyId = view.policyId;
  const timeline = timelineHtml(view.events, {
    ...(explorer === undefined ? {} : { txUrl: (hash: string) => explorerTxUrl(explorer, hash) }),
    ...(view.proofEvent
      ? { isThisProof: (e) => e.transactionHash === view.proofEvent!.transactionHash }
      : {}),
    ...(view.status && policyId
      ? {
          isCurrent: (e) => e.policyId.toLowerCase() === policyId && e.nonce === view.status!.nonce,
        }
      : {}),
  });
  return (
    facts([
      ["Chain id", esc(view.chainId)],
      ["MarginRegistry", mono(view.registry)],
      ["PolicyRegistry", mono(view.policyRegistry)],
      ["MarketBook", mono(view.marketBook)],
      ["Account", mono(view.account)],
    ]) +
    `<ul id="chain-checks">${items.join("")}</ul>` +
    (view.proofPledges && view.proofPledges.length > 0 ? pledgesView(view.proofPledges) : "") +
    (view.status ? section("status-title", "Account status", facts(statusFacts(view)), 3) : "") +
    section("timeline-title", `MarginProved history (${view.events.length})`, timeline, 3)
  );
}
