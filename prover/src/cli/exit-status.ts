/**
 * The exit statuses of the verbs that answer a yes-or-no question (`margin --check`, `prove`,
 * `status`), so scripts can tell a "no" from an error: 0 yes (sufficient, proved, counts), 2 no
 * (a shortfall, a status that does not count), 1 an error (bad input, a refusal, no node).
 */
export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
export const EXIT_NO = 2;

/** The help text that documents them, for `--help` (`yes` and `no` say what each means here). */
export function exitStatusHelp(yes: string, no: string): string {
  return `\nExit status: ${EXIT_OK} ${yes}, ${EXIT_NO} ${no}, ${EXIT_ERROR} an error (bad input, a refusal, an unreachable node).\n`;
}

/**
 * A "no" answer reported as one line on stderr with exit status {@link EXIT_NO} (e.g. `prove` on a
 * portfolio that falls short), rather than as an error.
 */
export class NegativeAnswer extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NegativeAnswer";
  }
}
