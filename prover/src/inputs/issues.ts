/** Turning zod issues into {@link InputError}s with JSON paths such as `assets.ETH.tiers[1].weight`. */
import type { ZodError, ZodIssue } from "zod";
import { InputError } from "../errors";

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** Formats a path: keys joined by '.', indices as `[i]`, odd keys quoted as `["a.b"]`; `$` if empty. */
export function formatPath(path: readonly (string | number)[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else if (IDENTIFIER.test(part)) out += out === "" ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out === "" ? "$" : out;
}

const ARTICLE: Record<string, string> = {
  string: "a string",
  number: "a number",
  integer: "an integer",
  object: "an object",
  array: "an array",
  boolean: "a boolean",
  null: "null",
};

/** The rule an issue broke, in the project's wording. */
function ruleOf(issue: ZodIssue): string {
  switch (issue.code) {
    case "invalid_type":
      if (issue.received === "undefined") return "is required";
      return `must be ${ARTICLE[issue.expected] ?? issue.expected}`;
    case "invalid_enum_value":
      return `must be one of ${issue.options.map((o) => JSON.stringify(o)).join(", ")}`;
    case "invalid_literal":
      return `must be ${JSON.stringify(issue.expected)}`;
    default:
      return issue.message;
  }
}

/** The JSON value at `path` inside `json` (undefined when there is none). */
function valueAt(json: unknown, path: readonly (string | number)[]): unknown {
  let here: unknown = json;
  for (const part of path) {
    if (here === null || typeof here !== "object") return undefined;
    here = (here as Record<string | number, unknown>)[part];
  }
  return here;
}

/** Custom issues whose message already names the value set `params: { [NAMES_VALUE]: true }`. */
export const NAMES_VALUE = "namesValue";

function namesItsValue(issue: ZodIssue): boolean {
  return issue.code === "custom" && issue.params?.[NAMES_VALUE] === true;
}

/** ` (got "XRP-PERP")`: the offending scalar, quoted as JSON, short; "" for anything else. */
export function gotValue(value: unknown): string {
  if (value === null || !["string", "number", "boolean"].includes(typeof value)) return "";
  const text = JSON.stringify(value);
  return text.length > 80 ? ` (got ${text.slice(0, 77)}...)` : ` (got ${text})`;
}

/**
 * The first issue of `error` as an {@link InputError} about `file`. With `json` (the parsed
 * file), the rule also names the offending value where `reveal(path)` allows it: every value of a
 * public file, only identifiers of a private one (never a private amount).
 */
export function toInputError(
  error: ZodError,
  file: string,
  json?: unknown,
  reveal: (path: readonly (string | number)[]) => boolean = () => true,
): InputError {
  const issue = error.issues[0];
  if (issue.code === "unrecognized_keys") {
    return new InputError(
      file,
      formatPath([...issue.path, issue.keys[0]]),
      `unknown key ${JSON.stringify(issue.keys[0])}`,
    );
  }
  const rule = ruleOf(issue);
  const shown =
    json === undefined || !reveal(issue.path) || namesItsValue(issue)
      ? ""
      : gotValue(valueAt(json, issue.path));
  return new InputError(file, formatPath(issue.path), `${rule}${shown}`);
}
