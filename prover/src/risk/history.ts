/**
 * The price-history CSV an oracle publisher supplies to the scenario generator.
 *
 * Format (UTF-8, comma-separated, RFC 4180 quoting):
 * - lines starting with `#` are comments; blank lines are skipped;
 * - a header row: `date` (UTC days, `YYYY-MM-DD`) or `timestamp` (Unix seconds), then one column
 *   per symbol (the same symbol rule as market.json), each at most once;
 * - one row per observation, strictly later than the one before, at a constant step (set by the
 *   first two rows; one day for `date`): no gaps, so every return spans the same time;
 * - every price a plain decimal string above 0, in USD per whole token (at most 18 decimals).
 *
 * Every refusal names the file, the line and the column, and the rule.
 */
import { CsvError, parse } from "csv-parse/sync";
import { tryParseDecimal } from "../decimal";
import { InputError } from "../errors";
import { symbolSchema } from "../inputs/fields";
import { WHOLE_FILE, readTextFile } from "../io/read-text";

/** A validated price history: one row per observation time, one price column per symbol. */
export interface PriceHistory {
  /** The file it came from, for error messages. */
  file: string;
  /** The header's time column. */
  timeColumn: "date" | "timestamp";
  /** Observation times, Unix seconds, strictly increasing by `stepSeconds`. */
  times: number[];
  /** The line of the file each row ends on (for error messages). */
  lines: number[];
  /** Seconds between consecutive rows. */
  stepSeconds: number;
  /** Price columns, in file order. */
  symbols: string[];
  /** Prices in USD per whole token by symbol, one per row. */
  prices: Map<string, number[]>;
}

const DAY_SECONDS = 86_400;
/** Most decimals a history price may carry. */
const MAX_PRICE_DECIMALS = 18;
const DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;
const UNIX_SECONDS = /^(0|[1-9][0-9]*)$/;

/** `line N, column NAME`: where a cell sits, for error messages. */
export function cellPath(line: number, column: string): string {
  return `line ${line}, column ${column}`;
}

/** Formats a time as the file writes it. */
export function formatHistoryTime(seconds: number, timeColumn: PriceHistory["timeColumn"]): string {
  return timeColumn === "date"
    ? new Date(seconds * 1000).toISOString().slice(0, 10)
    : String(seconds);
}

/** Parses a time cell to Unix seconds, or returns the rule it breaks. */
function parseTime(cell: string, timeColumn: PriceHistory["timeColumn"]): number | string {
  if (timeColumn === "timestamp") {
    if (!UNIX_SECONDS.test(cell) || !Number.isSafeInteger(Number(cell))) {
      return "must be Unix seconds (a non-negative integer)";
    }
    return Number(cell);
  }
  const match = DATE.exec(cell);
  if (match === null) return "must be a date YYYY-MM-DD";
  const [year, month, day] = match.slice(1).map(Number);
  const ms = Date.UTC(year, month - 1, day);
  const back = new Date(ms);
  if (
    back.getUTCFullYear() !== year ||
    back.getUTCMonth() !== month - 1 ||
    back.getUTCDate() !== day
  ) {
    return "is not a calendar date";
  }
  return ms / 1000;
}

/** The records of `text` with the line each ends on; csv-parse errors become InputErrors. */
function records(text: string, file: string): { cells: string[]; line: number }[] {
  try {
    const parsed = parse(text, {
      bom: true,
      comment: "#",
      comment_no_infix: true,
      skip_empty_lines: true,
      info: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
    return parsed.map(({ record, info }) => ({ cells: record, line: info.lines }));
  } catch (error) {
    if (error instanceof CsvError) {
      const where = (error as CsvError & { lines?: number }).lines;
      const rule = error.message.replace(/ (on|at) line [0-9]+$/, "");
      throw new InputError(file, where === undefined ? WHOLE_FILE : `line ${where}`, rule);
    }
    throw error;
  }
}

/** Checks the header and returns the time column and the symbols. */
function parseHeader(
  header: { cells: string[]; line: number },
  file: string,
): { timeColumn: PriceHistory["timeColumn"]; symbols: string[] } {
  const [first, ...symbols] = header.cells;
  if (first !== "date" && first !== "timestamp") {
    throw new InputError(
      file,
      cellPath(header.line, "1"),
      'the first column must be "date" (YYYY-MM-DD) or "timestamp" (Unix seconds)',
    );
  }
  if (symbols.length === 0) {
    throw new InputError(file, `line ${header.line}`, "must name at least one price column");
  }
  const seen = new Set<string>();
  symbols.forEach((symbol, k) => {
    const where = cellPath(header.line, String(k + 2));
    const check = symbolSchema.safeParse(symbol);
    if (!check.success)
      throw new InputError(file, where, `symbol ${check.error.issues[0].message}`);
    if (seen.has(symbol)) throw new InputError(file, where, `duplicate column ${symbol}`);
    seen.add(symbol);
  });
  return { timeColumn: first, symbols };
}

/** Parses and validates the text of a history CSV; errors name `file`. */
export function parseHistory(text: string, file: string): PriceHistory {
  const rows = records(text, file);
  if (rows.length === 0) {
    throw new InputError(file, WHOLE_FILE, "is empty: needs a header row and price rows");
  }
  const { timeColumn, symbols } = parseHeader(rows[0], file);
  const times: number[] = [];
  const lines: number[] = [];
  const columns = symbols.map((): number[] => []);
  let stepSeconds = timeColumn === "date" ? DAY_SECONDS : 0;
  for (const { cells, line } of rows.slice(1)) {
    const time = parseTime(cells[0], timeColumn);
    const timePath = cellPath(line, timeColumn);
    if (typeof time === "string") throw new InputError(file, timePath, time);
    if (times.length > 0) {
      const previous = times[times.length - 1];
      if (time <= previous) {
        throw new InputError(file, timePath, "must be later than the row before");
      }
      if (stepSeconds === 0) stepSeconds = time - previous;
      if (time !== previous + stepSeconds) {
        const expected = formatHistoryTime(previous + stepSeconds, timeColumn);
        throw new InputError(
          file,
          timePath,
          `must be ${expected}: rows are ${stepSeconds} s apart with no gaps`,
        );
      }
    }
    times.push(time);
    lines.push(line);
    symbols.forEach((symbol, k) => {
      const parsed = tryParseDecimal(cells[k + 1], MAX_PRICE_DECIMALS);
      const where = cellPath(line, symbol);
      if (!parsed.ok) throw new InputError(file, where, `price ${parsed.rule}`);
      if (parsed.value === 0n) throw new InputError(file, where, "price must be greater than 0");
      columns[k].push(Number(cells[k + 1]));
    });
  }
  if (times.length < 2) {
    throw new InputError(file, WHOLE_FILE, "needs at least two price rows (one return)");
  }
  return {
    file,
    timeColumn,
    times,
    lines,
    stepSeconds,
    symbols,
    prices: new Map(symbols.map((symbol, k) => [symbol, columns[k]])),
  };
}

/** Reads and validates a history CSV file. */
export function loadHistory(file: string): PriceHistory {
  return parseHistory(readTextFile(file), file);
}
