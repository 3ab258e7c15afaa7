/**
 * A log-linear histogram (HdrHistogram's layout): exact below 128, then 64
 * sub-buckets per power of two, so any percentile is within 1/128 (0.8 %)
 * of the true value. Fixed memory, no sorting, deterministic.
 */
export class LogHistogram {
  counts = new Float64Array(128 + 64 * 48);
  n = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;

  add(v: number): void {
    if (!(v >= 0)) v = 0;
    this.n++;
    this.sum += v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    this.counts[LogHistogram.index(v)]++;
  }

  static index(v: number): number {
    if (v < 128) return Math.floor(v);
    const e = Math.min(54, Math.floor(Math.log2(v)));
    const m = Math.floor(v / 2 ** (e - 6));
    return Math.min(128 + (e - 7) * 64 + (Math.min(m, 127) - 64), 128 + 64 * 48 - 1);
  }

  /** Midpoint of bucket i. */
  static value(i: number): number {
    if (i < 128) return i;
    const e = Math.floor((i - 128) / 64) + 7;
    const m = ((i - 128) % 64) + 64;
    return (m + 0.5) * 2 ** (e - 6);
  }

  /** The value at quantile q in [0,1], clamped to the observed min and max. */
  quantile(q: number): number {
    if (this.n === 0) return NaN;
    const rank = Math.max(1, Math.ceil(q * this.n));
    let acc = 0;
    for (let i = 0; i < this.counts.length; i++) {
      acc += this.counts[i];
      if (acc >= rank) return Math.min(this.max, Math.max(this.min, LogHistogram.value(i)));
    }
    return this.max;
  }

  /** Add another histogram's samples to this one. */
  merge(o: LogHistogram): void {
    for (let i = 0; i < this.counts.length; i++) this.counts[i] += o.counts[i];
    this.n += o.n;
    this.sum += o.sum;
    if (o.min < this.min) this.min = o.min;
    if (o.max > this.max) this.max = o.max;
  }

  mean(): number {
    return this.n ? this.sum / this.n : NaN;
  }

  /** Points of the empirical CDF at each non-empty bucket, for charts. */
  cdf(maxPoints = 200): { value: number; p: number }[] {
    const out: { value: number; p: number }[] = [];
    let acc = 0;
    for (let i = 0; i < this.counts.length; i++) {
      if (!this.counts[i]) continue;
      acc += this.counts[i];
      out.push({ value: LogHistogram.value(i), p: acc / this.n });
    }
    if (out.length <= maxPoints) return out;
    const step = out.length / maxPoints;
    const thin: { value: number; p: number }[] = [];
    for (let k = 0; k < maxPoints; k++) thin.push(out[Math.floor(k * step)]);
    thin.push(out[out.length - 1]);
    return thin;
  }
}
