/**
 * Progress on stderr, one implementation for runs, sweeps and views. On a
 * terminal: a cli-progress bar with an ETA, redrawn in place and cleared at
 * the end. Elsewhere (CI logs, pipes): one short line every `intervalMs` of
 * wall time, so a log shows the job is alive without filling up. Nothing
 * with `quiet`.
 *
 * Wall time is read only here, never inside a simulation, and through
 * `now` so tests can drive it.
 */
import cliProgress from 'cli-progress';

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface ProgressOptions {
  /** What progresses, e.g. `run overcommit-16on4`. */
  label: string;
  /** Units of work, e.g. simulated ms or runs. */
  total: number;
  /** The unit after `value/total`, e.g. `ms simulated`. */
  unit: string;
  quiet?: boolean;
  /** Default process.stderr. */
  stream?: ProgressStream;
  /** Wall time between lines outside a terminal, ms. Default 5000. */
  intervalMs?: number;
  /** Wall clock in ms. Default performance.now. */
  now?: () => number;
}

export interface ProgressReporter {
  /** Work done so far, and an optional note (e.g. `3/12 points`). */
  update(value: number, note?: string): void;
  stop(): void;
}

/** Lines outside a terminal: every 5 s of wall time. */
export const LINE_INTERVAL_MS = 5000;

const NONE: ProgressReporter = { update: () => {}, stop: () => {} };

/** `1m05s`, `42s`: a wall-clock duration for ETAs. */
export function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/** The line printed outside a terminal. */
export function progressLine(label: string, value: number, total: number, unit: string, elapsedMs: number, note?: string): string {
  const pct = total > 0 ? Math.floor((value / total) * 100) : 100;
  const eta = value > 0 ? formatEta(((elapsedMs / 1000) * (total - value)) / value) : '?';
  return `${label}: ${pct}% (${value}/${total} ${unit}${note ? `, ${note}` : ''}), ${formatEta(elapsedMs / 1000)} elapsed, ETA ${eta}\n`;
}

export function progress(o: ProgressOptions): ProgressReporter {
  if (o.quiet) return NONE;
  const stream = o.stream ?? process.stderr;
  if (stream.isTTY) return bar(o, stream);
  const now = o.now ?? (() => performance.now());
  const every = o.intervalMs ?? LINE_INTERVAL_MS;
  const t0 = now();
  let next = t0 + every;
  return {
    update(value, note) {
      const t = now();
      if (t < next) return;
      next = t + every;
      stream.write(progressLine(o.label, value, o.total, o.unit, t - t0, note));
    },
    stop: () => {},
  };
}

function bar(o: ProgressOptions, stream: ProgressStream): ProgressReporter {
  const b = new cliProgress.SingleBar(
    {
      stream: stream as NodeJS.WritableStream,
      format: `${o.label} {bar} {percentage}% | {value}/{total} ${o.unit}{note} | ETA {eta_formatted}`,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 20,
      fps: 10,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(value, note) {
      const payload = { note: note ? ` | ${note}` : '' };
      if (!started) {
        b.start(o.total, value, payload);
        started = true;
      } else b.update(value, payload);
    },
    stop: () => {
      if (started) b.stop();
    },
  };
}
