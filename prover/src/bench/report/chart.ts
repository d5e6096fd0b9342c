/**
 * benchmarks.svg from one run's results: three panels of horizontal grouped bars, one group per
 * instance. Proving time (for snarkjs and the native prover: the MSM floor, Groth16 prove and the
 * whole warm call, the cold CLI run; the baseline's Groth16 prove), constraints and verifier gas
 * (zkmargin vs the baseline), each panel with notes that say what its terms mean. Plain SVG, no
 * script, no external font or style.
 */
import { TARGET_BATCH, type BatchGasFigures, type PerAccountGas } from "../batch-gas";
import type { BenchResults, InstanceFigures } from "../results";
import { formatCount, formatSeconds } from "./format";

/** One bar series of a panel; `value` is undefined where it was not measured (no bar). */
interface Series<Row> {
  label: string;
  color: string;
  value(row: Row): number | undefined;
  format(value: number): string;
}

/** A panel: one group of bars per row (an instance, or a way of submitting proofs). */
interface Panel<Row> {
  title: string;
  series: Series<Row>[];
  /** Lines under the bars that explain the panel's terms. */
  notes: string[];
}

const WIDTH = 860;
const LABEL_WIDTH = 210;
const VALUE_WIDTH = 110;
const BAR_HEIGHT = 14;
const BAR_GAP = 3;
const GROUP_GAP = 12;
const TITLE_HEIGHT = 28;
const LEGEND_ROW = 18;
const PANEL_GAP = 24;

const ZKMARGIN = "#1f77b4";
const BASELINE = "#ff7f0e";

const NATIVE = "#9467bd";

const PANELS: Panel<InstanceFigures>[] = [
  {
    title: "Proving time per instance (median)",
    series: [
      {
        label: "snarkjs MSM floor",
        color: "#7f7f7f",
        value: (f) => f.floor.total.median,
        format: formatSeconds,
      },
      {
        label: "snarkjs Groth16 prove (warm)",
        color: ZKMARGIN,
        value: (f) => f.warm.proving.median,
        format: formatSeconds,
      },
      {
        label: "snarkjs generateProof (warm)",
        color: "#aec7e8",
        value: (f) => f.warm.total.median,
        format: formatSeconds,
      },
      {
        label: "snarkjs zkmargin prove (cold)",
        color: "#2ca02c",
        value: (f) => f.cold.wallSeconds,
        format: formatSeconds,
      },
      {
        label: "native MSM floor",
        color: "#c7c7c7",
        value: (f) => f.native?.floor.total.median,
        format: formatSeconds,
      },
      {
        label: "native Groth16 prove (warm)",
        color: NATIVE,
        value: (f) => f.native?.warm.proving.median,
        format: formatSeconds,
      },
      {
        label: "native generateProof (warm)",
        color: "#c5b0d5",
        value: (f) => f.native?.warm.total.median,
        format: formatSeconds,
      },
      {
        label: "native zkmargin prove (cold)",
        color: "#98df8a",
        value: (f) => f.native?.cold.wallSeconds,
        format: formatSeconds,
      },
      {
        label: "baseline Groth16 prove (warm)",
        color: BASELINE,
        value: (f) => f.baseline?.proving.median,
        format: formatSeconds,
      },
    ],
    notes: [
      "MSM floor: the five multi-scalar multiplications of a proof alone (the zkey's bases, the witness",
      "as scalars), timed for each prover with its own code: the part of a proof it cannot avoid;",
      "the rest of its Groth16 bar is the constraint evaluation, the FFTs and reading.",
      "Baseline: bench/baseline, the same margin statement with prices, marks, risk arrays and policy",
      "parameters as public inputs instead of commitments, proved with snarkjs.",
    ],
  },
  {
    title: "Constraints",
    series: [
      {
        label: "zkmargin",
        color: ZKMARGIN,
        value: (f) => f.constraints.total,
        format: formatCount,
      },
      {
        label: "baseline",
        color: BASELINE,
        value: (f) => f.baseline?.constraints,
        format: formatCount,
      },
    ],
    notes: ["The baseline needs fewer constraints: it hashes no market or policy commitment."],
  },
  {
    title: "verifyProof gas",
    series: [
      { label: "zkmargin", color: ZKMARGIN, value: (f) => f.gas.verifyOnly, format: formatCount },
      {
        label: "baseline",
        color: BASELINE,
        value: (f) => f.baseline?.verifyGas,
        format: formatCount,
      },
    ],
    notes: [
      "What the baseline gives up is gas: its verifier takes every price, mark, risk entry and policy",
      "parameter as a public input, so verifyProof costs more with every slot (and its verifier",
      "outgrows EIP-170's code limit); zkmargin's takes only its commitments and the nonce.",
    ],
  },
];

/** Escapes text for SVG content and attribute values. */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

function text(x: number, y: number, content: string, extra = ""): string {
  return `<text x="${x}" y="${y}"${extra ? ` ${extra}` : ""}>${escapeXml(content)}</text>`;
}

/** The batched-verification panel: gas per account of each way of submitting proofs. */
function batchPanel(figures: BatchGasFigures): Panel<PerAccountGas> {
  return {
    title: `Gas per account: prove vs proveBatch (${figures.instance}, real proofs)`,
    series: [
      { label: "first proof", color: ZKMARGIN, value: (r) => r.first, format: formatCount },
      { label: "repeat proof", color: "#17becf", value: (r) => r.repeat, format: formatCount },
    ],
    notes: [
      "The transaction's gas divided by the accounts in it, all in (calldata and the 21,000 base).",
      `proveBatch checks every proof in one randomized pairing check (B + 3 pairings); issue 20's`,
      `targets at B = ${TARGET_BATCH}: at most 110,000 (first) and 90,000 (repeat) per account.`,
    ],
  };
}

/** Renders one panel at vertical offset `top`, a group per row; returns its elements and height. */
function renderPanel<Row>(
  panel: Panel<Row>,
  list: readonly Row[],
  rowLabel: (row: Row) => string,
  top: number,
) {
  const elements: string[] = [text(0, top + 16, panel.title, 'font-weight="bold" font-size="14"')];
  let y = top + TITLE_HEIGHT;
  panel.series.forEach((s, i) => {
    const x = (i % 3) * 280;
    const row = y + Math.floor(i / 3) * LEGEND_ROW;
    elements.push(`<rect x="${x}" y="${row}" width="12" height="12" fill="${s.color}"/>`);
    elements.push(text(x + 18, row + 10, s.label));
  });
  y += Math.ceil(panel.series.length / 3) * LEGEND_ROW + 6;
  const max = Math.max(...list.flatMap((f) => panel.series.map((s) => s.value(f) ?? 0)), 1e-9);
  const span = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
  for (const f of list) {
    const groupHeight = panel.series.length * (BAR_HEIGHT + BAR_GAP);
    elements.push(
      text(
        LABEL_WIDTH - 10,
        y + groupHeight / 2 + 4,
        rowLabel(f),
        'text-anchor="end" font-weight="bold"',
      ),
    );
    panel.series.forEach((s, i) => {
      const value = s.value(f);
      const barY = y + i * (BAR_HEIGHT + BAR_GAP);
      if (value === undefined) {
        elements.push(text(LABEL_WIDTH + 6, barY + BAR_HEIGHT - 3, `${s.label}: not measured`));
        return;
      }
      const width = Math.max(1, (value / max) * span);
      elements.push(
        `<rect x="${LABEL_WIDTH}" y="${barY}" width="${width.toFixed(1)}" height="${BAR_HEIGHT}" fill="${s.color}"><title>${escapeXml(`${rowLabel(f)}, ${s.label}: ${s.format(value)}`)}</title></rect>`,
      );
      elements.push(text(LABEL_WIDTH + width + 6, barY + BAR_HEIGHT - 3, s.format(value)));
    });
    y += groupHeight + GROUP_GAP;
  }
  for (const note of panel.notes) {
    elements.push(text(0, y + 10, note, 'fill="#444444" font-size="11"'));
    y += 15;
  }
  return { elements, height: y - top };
}

/** The chart's SVG document for `results`. */
export function renderChart(results: BenchResults): string {
  const list = results.instances;
  const elements: string[] = [];
  let y = 0;
  const heading = `zkmargin benchmarks, ${results.date.slice(0, 10)}, ${results.machine.cores} cores (${results.machine.cpu})`;
  elements.push(text(0, 16, heading, 'font-size="15" font-weight="bold"'));
  y += 32;
  if (results.load.shared) {
    const note = `Shared machine: load average up to ${results.load.max.toFixed(1)} on ${results.machine.cores} cores, so times are upper bounds.`;
    elements.push(text(0, y, note, 'fill="#b00000"'));
    y += 16;
  }
  if (list.length === 0) {
    elements.push(text(0, y + 16, "No instance was measured."));
    y += 24;
  }
  for (const panel of list.length > 0 ? PANELS : []) {
    const rendered = renderPanel(panel, list, (f) => f.instance, y);
    elements.push(...rendered.elements);
    y += rendered.height + PANEL_GAP;
  }
  if (results.batchGas) {
    const rendered = renderPanel(
      batchPanel(results.batchGas),
      results.batchGas.rows,
      (r) => r.way,
      y,
    );
    elements.push(...rendered.elements);
    y += rendered.height + PANEL_GAP;
  }
  const height = Math.ceil(y);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 -2 ${WIDTH} ${height + 2}" font-family="sans-serif" font-size="12">`,
    `<rect x="0" y="-2" width="${WIDTH}" height="${height + 2}" fill="#ffffff"/>`,
    ...elements,
    "</svg>",
    "",
  ].join("\n");
}
