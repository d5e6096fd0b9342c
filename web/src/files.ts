/**
 * Files the person gives the page: read locally (File API), parsed as JSON, and recognised by
 * their content (a file's name is only a tie-breaker), so `desk-proof.json` works too.
 */

/** What a file is to the page. */
export type Role = "proof" | "public" | "policy" | "market" | "portfolio" | "opening";

/** A file read and parsed. */
export interface GivenFile {
  name: string;
  json: unknown;
}

/** What each role is called on screen. */
export const ROLE_LABELS: Record<Role, string> = {
  proof: "proof",
  public: "public signals",
  policy: "policy",
  market: "market round",
  portfolio: "portfolio (private)",
  opening: "opening (private)",
};

const has = (json: unknown, key: string): boolean =>
  typeof json === "object" && json !== null && key in json;

/** The role of a parsed file, from its shape, else from its name; null when neither tells. */
export function recognise(file: GivenFile): Role | null {
  const { json } = file;
  if (Array.isArray(json)) return "public";
  if (has(json, "pi_a") || has(json, "protocol")) return "proof";
  if (has(json, "salt") && has(json, "portfolio")) return "opening";
  if (has(json, "collateral")) return "portfolio";
  if (has(json, "prices")) return "market";
  if (has(json, "assets") || has(json, "minRatio")) return "policy";
  const name = file.name.toLowerCase();
  for (const role of ["opening", "proof", "public", "policy", "market", "portfolio"] as const) {
    if (name.includes(role)) return role;
  }
  return null;
}

/** Reads and parses a file; malformed JSON is an error naming the file. */
export async function readGivenFile(file: File): Promise<GivenFile> {
  const text = await file.text();
  try {
    return { name: file.name, json: JSON.parse(text) as unknown };
  } catch (error) {
    throw new Error(`${file.name}: $: malformed JSON (${(error as Error).message})`);
  }
}
