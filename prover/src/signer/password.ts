/**
 * Secrets typed by a person: a keystore's password (from `ZKMARGIN_KEYSTORE_PASSWORD`, else asked
 * on the terminal without echo) and a private key to import. Never from the command line, never
 * echoed, never in an error.
 */
import { read } from "read";
import { InputError } from "../errors";

/** The password of any keystore. */
export const KEYSTORE_PASSWORD_ENV = "ZKMARGIN_KEYSTORE_PASSWORD";

/** A new keystore's password has at least this many characters. */
export const MIN_PASSWORD_LENGTH = 8;

/** Where prompts are read from and written to (a test passes its own streams). */
export interface PromptStreams {
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  output: NodeJS.WritableStream & { isTTY?: boolean };
}

const TERMINAL: PromptStreams = { input: process.stdin, output: process.stderr };

/** Asks for a secret without echo; refuses when there is no terminal to ask on. */
export async function askSecret(
  prompt: string,
  streams: PromptStreams = TERMINAL,
  refusal: () => InputError,
): Promise<string> {
  if (streams.input.isTTY !== true) throw refusal();
  // Prompts go to stderr, so stdout stays the command's answer.
  return String(
    await read({ prompt, silent: true, replace: "", input: streams.input, output: streams.output }),
  );
}

/** The environment's password, or undefined when it is not set. */
function passwordFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  const password = env[KEYSTORE_PASSWORD_ENV];
  return password === undefined || password === "" ? undefined : password;
}

const noPassword = () =>
  new InputError(
    "environment",
    KEYSTORE_PASSWORD_ENV,
    "must hold the keystore's password (or run in a terminal to be asked for it)",
  );

/** The password to open `file`: from the environment, else asked once. */
export async function passwordToOpen(
  file: string,
  env: NodeJS.ProcessEnv = process.env,
  streams?: PromptStreams,
): Promise<string> {
  return passwordFromEnv(env) ?? askSecret(`password of ${file}: `, streams, noPassword);
}

/**
 * The password of a new keystore `file`: from the environment, else asked twice (the two must
 * agree); at least {@link MIN_PASSWORD_LENGTH} characters either way.
 */
export async function passwordForNew(
  file: string,
  env: NodeJS.ProcessEnv = process.env,
  streams?: PromptStreams,
): Promise<string> {
  const fromEnv = passwordFromEnv(env);
  const password = fromEnv ?? (await askSecret(`new password for ${file}: `, streams, noPassword));
  const where = fromEnv === undefined ? "password" : KEYSTORE_PASSWORD_ENV;
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new InputError(
      fromEnv === undefined ? "prompt" : "environment",
      where,
      `must have at least ${MIN_PASSWORD_LENGTH} characters (a keystore is only as strong as its password)`,
    );
  }
  if (fromEnv === undefined) {
    const again = await askSecret(`the same password again: `, streams, noPassword);
    if (again !== password) throw new InputError("prompt", "password", "the two entries differ");
  }
  return password;
}
