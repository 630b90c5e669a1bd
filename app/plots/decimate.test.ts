import { describe, it, expect } from 'vitest';
import { decimateMinMax, lowerBound, upperBound } from './decimate';

function series(n: number, f: (i: number) => number) {
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = i;
    y[i] = f(i);
  }
  return { x, y };
}

describe('bounds', () => {
  it('finds insertion points in sorted arrays', () => {
    const a = [0, 1, 1, 2, 5];
    expect(lowerBound(a, 1)).toBe(1);
    expect(upperBound(a, 1)).toBe(3);
    expect(lowerBound(a, -1)).toBe(0);
    expect(upperBound(a, 9)).toBe(5);
  });
});

describe('decimateMinMax', () => {
  it('returns small inputs unchanged', () => {
    const { x, y } = series(10, (i) => i * i);
    const d = decimateMinMax(x, y, 100);
    expect(Array.from(d.x)).toEqual(Array.from(x));
    expect(Array.from(d.y)).toEqual(Array.from(y));
  });

  it('keeps the extremes of every bucket and the first and last points', () => {
    const n = 100_000;
    // Noise-like signal with known spikes.
    const { x, y } = series(n, (i) => Math.sin(i * 0.37) + ((i * 7919) % 13) / 13);
    y[12_345] = 50; // global max
    y[77_777] = -50; // global min
    const buckets = 200;
    const d = decimateMinMax(x, y, buckets);
    expect(d.x.length).toBeLessThanOrEqual(2 * buckets + 4);
    expect(d.x[0]).toBe(0);
    expect(d.x[d.x.length - 1]).toBe(n - 1);
    expect(Math.max(...d.y)).toBe(50);
    expect(Math.min(...d.y)).toBe(-50);
    // x stays sorted
    for (let i = 1; i < d.x.length; i++) expect(d.x[i]).toBeGreaterThan(d.x[i - 1]);
    // Every bucket's min and max over the full data appear in the output.
    const width = (n - 1) / buckets;
    const kept = new Set(Array.from(d.x));
    for (let b = 0; b < buckets; b++) {
      let iMin = -1;
      let iMax = -1;
      for (let i = 1; i < n - 1; i++) {
        const bi = Math.min(buckets - 1, Math.floor(x[i] / width));
        if (bi !== b) continue;
        if (iMin < 0 || y[i] < y[iMin]) iMin = i;
        if (iMax < 0 || y[i] > y[iMax]) iMax = i;
      }
      if (iMin >= 0) {
        expect(kept.has(iMin)).toBe(true);
        expect(kept.has(iMax)).toBe(true);
      }
    }
  });

  it('re-decimates a zoom window from the full data, with one neighbour each side', () => {
    const n = 1_000_000;
    const { x, y } = series(n, (i) => (i % 1000) / 1000);
    y[500_123] = 9;
    const d = decimateMinMax(x, y, 100, 500_000, 501_000);
    expect(d.x[0]).toBe(499_999);
    expect(d.x[d.x.length - 1]).toBe(501_001);
    expect(Array.from(d.y)).toContain(9);
    // Full-range decimation of the same data does not lose the spike either.
    const full = decimateMinMax(x, y, 100);
    expect(Array.from(full.y)).toContain(9);
    expect(full.x.length).toBeLessThanOrEqual(204);
  });

  it('handles non-uniform x and a window with no points', () => {
    const x = new Float64Array([0, 0.1, 0.2, 10, 10.5, 11, 30]);
    const y = new Float64Array([1, 2, 3, 4, 5, 6, 7]);
    const d = decimateMinMax(x, y, 1, 12, 20);
    // Only the neighbours around the empty window remain.
    expect(Array.from(d.x)).toEqual([11, 30]);
    const empty = decimateMinMax(new Float64Array(0), new Float64Array(0), 10);
    expect(empty.x.length).toBe(0);
  });
});
