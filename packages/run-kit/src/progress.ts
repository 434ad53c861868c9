import cliProgress from "cli-progress";

export interface Progress {
  /** Advances by `steps` (default 1); `status` is shown beside the bar (e.g. "loss 0.12"). */
  tick(steps?: number, status?: string): void;
  /** Sets the absolute position. */
  update(done: number, status?: string): void;
  /** Changes the total when the work turns out longer or shorter than announced (e.g. a search that backs off). */
  setTotal(total: number): void;
  /** Finishes the bar (or prints the final plain line). */
  stop(status?: string): void;
}

export interface ProgressOptions {
  readonly label: string;
  readonly total: number;
  /** Where progress goes; stderr by default so stdout stays clean for results and --json. */
  readonly stream?: NodeJS.WriteStream;
  /** Plain-line mode: minimum seconds between lines (default 10). */
  readonly lineIntervalSeconds?: number;
  /** Force plain lines or a bar; by default a bar exactly when the stream is a terminal. */
  readonly mode?: "bar" | "lines" | "silent";
}

function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  // Rounded once, so 2519.6 s reads 42m00s, not 41m60s.
  const whole = Math.round(seconds);
  if (whole < 60) return `${whole}s`;
  if (whole < 3600) return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, "0")}s`;
  const minutes = Math.round(whole / 60);
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, "0")}m`;
}

/**
 * Progress for long work: a bar with ETA on a terminal, plain timestamped lines otherwise
 * (CI logs, pipes), at most one line every `lineIntervalSeconds` plus the last one.
 */
export function createProgress(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  const mode = options.mode ?? (stream.isTTY ? "bar" : "lines");
  let total = Math.max(0, options.total);
  if (mode === "silent") return { tick() {}, update() {}, setTotal() {}, stop() {} };

  if (mode === "bar") {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format: `${options.label} |{bar}| {percentage}% {value}/{total} eta {eta_formatted} {status}`,
        hideCursor: true,
        etaBuffer: 50,
        fps: 5,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { status: "" });
    let done = 0;
    return {
      tick(steps = 1, status) {
        done += steps;
        bar.update(done, { status: status ?? "" });
      },
      update(value, status) {
        done = value;
        bar.update(done, { status: status ?? "" });
      },
      setTotal(value) {
        bar.setTotal(Math.max(0, value));
      },
      stop(status) {
        if (status !== undefined) bar.update(done, { status });
        bar.stop();
      },
    };
  }

  const started = Date.now();
  const interval = (options.lineIntervalSeconds ?? 10) * 1000;
  let lastLine = 0;
  let done = 0;
  const print = (status: string | undefined, final: boolean) => {
    const now = Date.now();
    if (!final && now - lastLine < interval) return;
    lastLine = now;
    const elapsed = (now - started) / 1000;
    const rate = done > 0 ? elapsed / done : Number.NaN;
    // Past the announced total (a caller that did not call setTotal) the ETA is 0, not negative.
    const eta = final ? 0 : rate * Math.max(0, total - done);
    const percent = total > 0 ? ((100 * done) / total).toFixed(0) : "100";
    const statusText = status ? ` ${status}` : "";
    stream.write(
      `${options.label}: ${done}/${total} (${percent}%) elapsed ${formatSeconds(elapsed)}${final ? "" : ` eta ${formatSeconds(eta)}`}${statusText}\n`,
    );
  };
  return {
    tick(steps = 1, status) {
      done += steps;
      print(status, false);
    },
    update(value, status) {
      done = value;
      print(status, false);
    },
    setTotal(value) {
      total = Math.max(0, value);
    },
    stop(status) {
      print(status, true);
    },
  };
}
