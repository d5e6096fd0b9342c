/**
 * Plain-text tables for the CLI's reports (cli-table3, without borders): columns two spaces apart,
 * cells measured by their display width, no trailing spaces.
 */
import Table, { type CharName } from "cli-table3";

/** cli-table3's characters for a borderless table whose header is ruled with dashes. */
const PLAIN: Partial<Record<CharName, string>> = {
  top: "",
  "top-mid": "",
  "top-left": "",
  "top-right": "",
  bottom: "",
  "bottom-mid": "",
  "bottom-left": "",
  "bottom-right": "",
  left: "",
  "left-mid": "",
  mid: "-",
  "mid-mid": "  ",
  right: "",
  "right-mid": "",
  middle: "  ",
};

function render(
  head: string[] | undefined,
  rows: string[][],
  aligns: ("left" | "right")[],
): string[] {
  const rendered = new Table({
    ...(head === undefined ? {} : { head }),
    chars: PLAIN,
    colAligns: aligns,
    style: { head: [], border: [], "padding-left": 0, "padding-right": 0, compact: true },
  });
  rendered.push(...rows);
  return rendered
    .toString()
    .split("\n")
    .map((line) => line.trimEnd());
}

/**
 * A table with a header ruled with dashes: first column left-aligned, the others right-aligned.
 * Returns its lines (the header and its rule even when there are no rows).
 */
export function table(header: string[], rows: string[][]): string[] {
  const aligns = header.map((_, c): "left" | "right" => (c === 0 ? "left" : "right"));
  if (rows.length > 0) return render(header, rows, aligns);
  // cli-table3 draws the rule only above a row: draw one empty row and drop it.
  return render(header, [header.map(() => "")], aligns).slice(0, 2);
}

/** Key-value lines: keys left-aligned in one column, values after them. */
export function keyValueTable(rows: [string, string][]): string[] {
  return render(undefined, rows, ["left", "left"]);
}
