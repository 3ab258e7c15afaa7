import seedrandom from 'seedrandom';

/**
 * A named random stream. Every draw in simvm comes from one of these, derived
 * from the scenario seed and a stable name (`guest/web/arrivals`), so adding a
 * guest or a stream never changes the draws of another. Alea is used for its
 * speed; it passes the tests seedrandom's authors report for it.
 */
export class Stream {
  private readonly next: () => number;
  constructor(readonly name: string, seed: string | number) {
    this.next = seedrandom.alea(`${seed}\u0000${name}`);
  }
  /** Uniform in [0, 1). */
  uniform(): number {
    return this.next();
  }
  /** Integer uniform in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** Exponential with the given mean (inter-arrival times of a Poisson process). */
  exp(mean: number): number {
    // 1 - u lies in (0, 1], so the log is finite.
    return -Math.log(1 - this.next()) * mean;
  }
}

/** The set of streams of one simulation; no module-level state. */
export class Streams {
  private readonly made = new Map<string, Stream>();
  constructor(readonly seed: string | number) {}
  get(name: string): Stream {
    let s = this.made.get(name);
    if (!s) {
      s = new Stream(name, this.seed);
      this.made.set(name, s);
    }
    return s;
  }
}

/** Seed of replicate `i` of a sweep point, derived so replicates never share draws. */
export function deriveSeed(seed: string | number, ...path: (string | number)[]): string {
  const r = seedrandom.alea([String(seed), ...path.map(String)].join('\u0000'));
  return (Math.floor(r() * 2 ** 32) >>> 0).toString(16).padStart(8, '0');
}
