/**
 * Shape checks for the files a verifier reads: proof.json and verification_key.json. Anything
 * malformed is an {@link InputError} naming the file and JSON path, before snarkjs sees it.
 */
import { z } from "zod";
import { toInputError } from "../inputs/issues";
import type { Groth16Proof, VerificationKey } from "./snarkjs";

/** A canonical unsigned decimal integer: digits, no sign, no leading zero. */
export const UINT_DECIMAL = /^(0|[1-9][0-9]*)$/;

/** A string holding a canonical unsigned decimal integer. */
export const uintString = z.string().regex(UINT_DECIMAL, "must be a decimal integer string");

const g1 = z.tuple([uintString, uintString, uintString]);
const g2 = z.tuple([
  z.tuple([uintString, uintString]),
  z.tuple([uintString, uintString]),
  z.tuple([uintString, uintString]),
]);

const proofSchema = z
  .object({
    pi_a: g1,
    pi_b: g2,
    pi_c: g1,
    protocol: z.literal("groth16"),
    curve: z.literal("bn128"),
  })
  .strict();

const vkeySchema = z
  .object({
    protocol: z.literal("groth16"),
    curve: z.literal("bn128"),
    nPublic: z.number().int().nonnegative(),
    IC: z.array(z.array(uintString)),
  })
  .passthrough()
  .refine((v) => v.IC.length === v.nPublic + 1, {
    message: "must have nPublic + 1 entries",
    path: ["IC"],
  });

function parseWith<T>(schema: z.ZodType<T, z.ZodTypeDef, unknown>, json: unknown, file: string): T {
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw toInputError(parsed.error, file);
  return parsed.data;
}

/** Checks that `json` is a snarkjs Groth16 proof over bn128. */
export function parseProof(json: unknown, file = "proof"): Groth16Proof {
  return parseWith(proofSchema, json, file) as Groth16Proof;
}

/** Checks that `json` is a snarkjs Groth16 verification key over bn128. */
export function parseVerificationKey(json: unknown, file = "verification key"): VerificationKey {
  return parseWith(vkeySchema, json, file) as VerificationKey;
}
