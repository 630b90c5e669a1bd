// Bounded time series for the live plots (oldest points fall off).
export const SERIES = ['measV', 'twinV', 'residualV', 'measTempC', 'twinTempC', 'ekfSoc', 'twinSoc'] as const;
export type SeriesName = (typeof SERIES)[number];

export class LiveSeries {
  readonly t: Float64Array;
  readonly y: Record<SeriesName, Float64Array>;
  length = 0;
  constructor(readonly capacity = 36_000) {
    this.t = new Float64Array(capacity);
    this.y = Object.fromEntries(SERIES.map((k) => [k, new Float64Array(capacity)])) as Record<SeriesName, Float64Array>;
  }
  clear(): void {
    this.length = 0;
  }
  append(t: number[], cols: Record<SeriesName, (number | null)[]>): void {
    const n = t.length;
    if (n === 0) return;
    if (this.length + n > this.capacity) {
      const drop = Math.min(this.length, this.length + n - this.capacity);
      this.t.copyWithin(0, drop, this.length);
      for (const k of SERIES) this.y[k].copyWithin(0, drop, this.length);
      this.length -= drop;
    }
    const start = this.length;
    const m = Math.min(n, this.capacity - start);
    for (let i = 0; i < m; i++) {
      this.t[start + i] = t[n - m + i];
      for (const k of SERIES) {
        const v = cols[k][n - m + i];
        this.y[k][start + i] = v === null || v === undefined ? NaN : v;
      }
    }
    this.length = start + m;
  }
}
