/**
 * Progress of long setup steps. On an interactive terminal outside CI, a bar advances with elapsed
 * time against the step's estimate (labelled as an estimate, since snarkjs reports no progress of
 * its own); otherwise nothing is drawn.
 */
import { SingleBar } from "cli-progress";
import { progressEnabled } from "../io/progress";

/** A long step starting or ending. */
export type SetupProgressEvent =
  | { phase: "start"; step: string; estimateSeconds?: number }
  | { phase: "end"; step: string; elapsedMs: number };

/** Receives progress events. */
export type ProgressListener = (event: SetupProgressEvent) => void;

function formatSeconds(seconds: number): string {
  if (seconds < 90) return `${Math.max(1, Math.round(seconds))} s`;
  return `${Math.round(seconds / 60)} min`;
}

/**
 * The default listener: a time-based bar on stderr when {@link progressEnabled}, else a no-op.
 */
export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): ProgressListener {
  if (!progressEnabled(stream)) return () => undefined;
  let bar: SingleBar | undefined;
  let timer: NodeJS.Timeout | undefined;
  return (event) => {
    if (event.phase === "start") {
      const estimate = event.estimateSeconds;
      if (estimate === undefined) {
        stream.write(`${event.step}...\n`);
        return;
      }
      bar = new SingleBar({
        stream,
        format: `${event.step} [{bar}] {elapsed} of about ${formatSeconds(estimate)} (estimate, 2 cores)`,
        hideCursor: true,
        clearOnComplete: true,
      });
      const started = Date.now();
      bar.start(estimate, 0, { elapsed: "0 s" });
      timer = setInterval(() => {
        const elapsed = (Date.now() - started) / 1000;
        bar?.update(Math.min(elapsed, estimate * 0.99), { elapsed: formatSeconds(elapsed) });
      }, 1000);
      timer.unref();
    } else {
      if (timer) clearInterval(timer);
      bar?.stop();
      bar = undefined;
      timer = undefined;
      stream.write(`${event.step}: done in ${formatSeconds(event.elapsedMs / 1000)}\n`);
    }
  };
}

/** Runs `fn` as a named step, reporting its start (with estimate) and end to `listener`. */
export async function step<T>(
  listener: ProgressListener,
  name: string,
  estimateSeconds: number | undefined,
  fn: () => Promise<T>,
): Promise<T> {
  const started = Date.now();
  listener(
    estimateSeconds === undefined
      ? { phase: "start", step: name }
      : { phase: "start", step: name, estimateSeconds },
  );
  let succeeded = false;
  try {
    const result = await fn();
    succeeded = true;
    return result;
  } finally {
    if (succeeded) listener({ phase: "end", step: name, elapsedMs: Date.now() - started });
    else listener({ phase: "end", step: `${name} (failed)`, elapsedMs: Date.now() - started });
  }
}
