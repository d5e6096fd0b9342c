/**
 * Progress of long setup steps (compile, ptau, phase 2). Two ways to show it:
 * - on an interactive terminal outside CI, a bar that advances with elapsed time against the
 *   step's estimate (labelled as an estimate: snarkjs reports no overall progress), with what
 *   the step (snarkjs, or the native code) is doing now after it;
 * - anywhere else (CI, a log file, a pipe), plain lines: one when a step starts, a heartbeat every
 *   {@link HEARTBEAT_MS} with the elapsed time and what the step is doing now, and one when it ends.
 * {@link terminalProgress} draws only the bar (silent elsewhere, for short steps such as a proof);
 * {@link setupProgress} picks the bar or the lines.
 */
import { SingleBar } from "cli-progress";
import { progressEnabled } from "../io/progress";

/** A long step starting, reporting what it does now, or ending. */
export type SetupProgressEvent =
  | { phase: "start"; step: string; estimateSeconds?: number }
  | { phase: "detail"; step: string; message: string }
  | { phase: "end"; step: string; elapsedMs: number };

/** Receives progress events. */
export type ProgressListener = (event: SetupProgressEvent) => void;

/** How often the line listener prints a heartbeat during a step. */
export const HEARTBEAT_MS = 30_000;

/** A duration in words: `42 s`, `3 min 05 s`. */
export function formatDuration(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  if (whole < 90) return `${whole} s`;
  const m = Math.floor(whole / 60);
  return `${m} min ${String(whole % 60).padStart(2, "0")} s`;
}

function aboutEstimate(estimateSeconds: number | undefined): string {
  return estimateSeconds === undefined
    ? ""
    : `, estimate about ${formatDuration(estimateSeconds)} on 2 cores`;
}

/**
 * A bar on `stream` when {@link progressEnabled}, else a no-op: for steps short enough that a
 * silent log is fine (a proof).
 */
export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): ProgressListener {
  if (!progressEnabled(stream)) return () => undefined;
  let bar: SingleBar | undefined;
  let timer: NodeJS.Timeout | undefined;
  let detail = "";
  return (event) => {
    if (event.phase === "detail") {
      detail = event.message;
      return;
    }
    if (event.phase === "start") {
      const estimate = event.estimateSeconds;
      detail = "";
      if (estimate === undefined) {
        stream.write(`${event.step}...\n`);
        return;
      }
      bar = new SingleBar({
        stream,
        format: `${event.step} [{bar}] {elapsed} of about ${formatDuration(estimate)} (estimate, 2 cores) {detail}`,
        hideCursor: true,
        clearOnComplete: true,
      });
      const started = Date.now();
      bar.start(estimate, 0, { elapsed: "0 s", detail });
      timer = setInterval(() => {
        const elapsed = (Date.now() - started) / 1000;
        bar?.update(Math.min(elapsed, estimate * 0.99), {
          elapsed: formatDuration(elapsed),
          detail,
        });
      }, 1000);
      timer.unref();
    } else {
      if (timer) clearInterval(timer);
      bar?.stop();
      bar = undefined;
      timer = undefined;
      stream.write(`${event.step}: done in ${formatDuration(event.elapsedMs / 1000)}\n`);
    }
  };
}

/** Options of {@link lineProgress}. */
export interface LineProgressOptions {
  /** Where lines go; default stderr. */
  write?: (line: string) => void;
  /** Interval of the heartbeat lines; default {@link HEARTBEAT_MS}. */
  heartbeatMs?: number;
  /** The clock (tests). */
  now?: () => number;
}

/**
 * Plain progress lines, each prefixed with the time since the listener was made:
 * `[0:42] phase 2 for demo (2^14): started, estimate about 4 min 16 s on 2 cores`, a heartbeat
 * `[1:12] phase 2 for demo (2^14): 30 s elapsed, estimate ...; now: new zkey: processing constraints: 10000/16000`
 * every `heartbeatMs`, and `[4:02] phase 2 for demo (2^14): done in 3 min 20 s`.
 */
export function lineProgress(options: LineProgressOptions = {}): ProgressListener {
  const write = options.write ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS;
  const now = options.now ?? Date.now;
  const origin = now();
  const clock = () => {
    const total = Math.round((now() - origin) / 1000);
    return `[${Math.floor(total / 60)}:${String(total % 60).padStart(2, "0")}]`;
  };
  const running = new Map<
    string,
    { started: number; estimate?: number; detail: string; timer: NodeJS.Timeout }
  >();
  return (event) => {
    if (event.phase === "start") {
      const state = {
        started: now(),
        estimate: event.estimateSeconds,
        detail: "",
        timer: setInterval(() => {
          const elapsed = (now() - state.started) / 1000;
          const doing = state.detail === "" ? "" : `; now: ${state.detail}`;
          write(
            `${clock()} ${event.step}: ${formatDuration(elapsed)} elapsed${aboutEstimate(state.estimate)}${doing}`,
          );
        }, heartbeatMs),
      };
      state.timer.unref();
      running.set(event.step, state);
      write(`${clock()} ${event.step}: started${aboutEstimate(event.estimateSeconds)}`);
    } else if (event.phase === "detail") {
      const state = running.get(event.step);
      if (state) state.detail = event.message;
    } else {
      for (const [name, state] of running) {
        if (event.step === name || event.step.startsWith(`${name} `)) {
          clearInterval(state.timer);
          running.delete(name);
        }
      }
      write(`${clock()} ${event.step}: done in ${formatDuration(event.elapsedMs / 1000)}`);
    }
  };
}

/** Options of {@link setupProgress}. */
export interface SetupProgressOptions extends LineProgressOptions {
  /** The stream a bar is drawn on, when it is an interactive terminal; default stderr. */
  stream?: NodeJS.WriteStream;
  env?: NodeJS.ProcessEnv;
}

/**
 * The progress of a setup: a bar on an interactive terminal outside CI, else plain lines with a
 * heartbeat (to `write`, default stderr), so a long first setup in CI or a log is never silent.
 */
export function setupProgress(options: SetupProgressOptions = {}): ProgressListener {
  const stream = options.stream ?? process.stderr;
  return progressEnabled(stream, options.env) ? terminalProgress(stream) : lineProgress(options);
}

/**
 * Runs `fn` as a named step, reporting its start (with estimate) and end to `listener`; `fn` gets
 * a callback to report what it is doing now (snarkjs's log lines).
 */
export async function step<T>(
  listener: ProgressListener,
  name: string,
  estimateSeconds: number | undefined,
  fn: (detail: (message: string) => void) => Promise<T>,
): Promise<T> {
  const started = Date.now();
  listener(
    estimateSeconds === undefined
      ? { phase: "start", step: name }
      : { phase: "start", step: name, estimateSeconds },
  );
  let succeeded = false;
  try {
    const result = await fn((message) => listener({ phase: "detail", step: name, message }));
    succeeded = true;
    return result;
  } finally {
    if (succeeded) listener({ phase: "end", step: name, elapsedMs: Date.now() - started });
    else listener({ phase: "end", step: `${name} (failed)`, elapsedMs: Date.now() - started });
  }
}
