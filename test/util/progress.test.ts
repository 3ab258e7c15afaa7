import { describe, expect, it } from 'vitest';
import { formatEta, progress, progressLine } from '../../src/util/progress.js';

/** A stream that records what was written, and a clock the test moves. */
function fakes(isTTY: boolean) {
  const written: string[] = [];
  let t = 1000;
  return { stream: { isTTY, write: (s: string) => written.push(s) }, written, now: () => t, advance: (ms: number) => (t += ms) };
}

describe('progress outside a terminal', () => {
  it('writes one line per interval of wall time, with percentage and ETA', () => {
    const f = fakes(false);
    const p = progress({ label: 'run x', total: 1000, unit: 'ms simulated', stream: f.stream, now: f.now, intervalMs: 5000 });
    for (let v = 0; v <= 1000; v += 100) {
      p.update(v);
      f.advance(1000);
    }
    p.stop();
    // Updates at 0..10 s of wall time: lines when 5 s and then 10 s have passed.
    expect(f.written).toEqual(['run x: 50% (500/1000 ms simulated), 5s elapsed, ETA 5s\n', 'run x: 100% (1000/1000 ms simulated), 10s elapsed, ETA 0s\n']);
  });

  it('writes nothing for a job shorter than the interval, or with quiet', () => {
    const f = fakes(false);
    const p = progress({ label: 'run x', total: 10, unit: 'runs', stream: f.stream, now: f.now, intervalMs: 5000 });
    p.update(5);
    f.advance(4999);
    p.update(10);
    p.stop();
    const q = progress({ label: 'run x', total: 10, unit: 'runs', stream: f.stream, now: f.now, intervalMs: 1, quiet: true });
    f.advance(10_000);
    q.update(5);
    expect(f.written).toEqual([]);
  });

  it('line format: a note, minutes in the ETA, unknown ETA before any work', () => {
    expect(progressLine('sweep s', 3, 12, 'runs', 90_000, '1/4 points')).toBe('sweep s: 25% (3/12 runs, 1/4 points), 1m30s elapsed, ETA 4m30s\n');
    expect(progressLine('sweep s', 0, 12, 'runs', 1000)).toBe('sweep s: 0% (0/12 runs), 1s elapsed, ETA ?\n');
    expect(formatEta(59.6)).toBe('1m00s');
  });
});

describe('progress on a terminal', () => {
  it('draws a cli-progress bar with an ETA and clears it at the end', () => {
    const f = fakes(true);
    const stream = Object.assign(f.stream, { cursorTo: () => true, clearLine: () => true, moveCursor: () => true, columns: 120 });
    const p = progress({ label: 'sweep s', total: 4, unit: 'runs', stream });
    p.update(1, '1/2 points');
    p.update(4, '2/2 points');
    p.stop();
    const out = f.written.join('');
    expect(out).toMatch(/sweep s .* 25% \| 1\/4 runs \| 1\/2 points \| ETA /);
  });
});
