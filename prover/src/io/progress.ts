/**
 * When to draw progress: only on an interactive terminal and never in CI, so piped or redirected
 * output and CI logs stay clean. The drawing itself is `setup/progress.ts`'s `terminalProgress`.
 */

/** True when `CI` is set to anything but "", "0" or "false". */
function inCi(env: NodeJS.ProcessEnv): boolean {
  return env.CI !== undefined && env.CI !== "" && env.CI !== "false" && env.CI !== "0";
}

/** True when progress should be drawn on `stream`: a TTY, outside CI. */
export function progressEnabled(
  stream: NodeJS.WriteStream = process.stderr,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  return stream.isTTY === true && !inCi(env);
}
