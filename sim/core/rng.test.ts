import { describe, it, expect } from 'vitest';
import { createRng, Rng, deriveSeed } from './rng';

describe('Rng', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const a = createRng(42), b = createRng(42), c = createRng(43);
    const xa = Array.from({ length: 5 }, () => a.next());
    const xb = Array.from({ length: 5 }, () => b.next());
    const xc = Array.from({ length: 5 }, () => c.next());
    expect(xa).toEqual(xb);
    expect(xa).not.toEqual(xc);
  });
  it('gives uniform values in [0,1) with the right mean and variance', () => {
    const r = new Rng(7);
    let s = 0, s2 = 0, min = 1, max = 0;
    const n = 200_000;
    for (let i = 0; i < n; i++) {
      const x = r.next();
      s += x; s2 += x * x; min = Math.min(min, x); max = Math.max(max, x);
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(s / n).toBeCloseTo(0.5, 2);
    expect(s2 / n - (s / n) ** 2).toBeCloseTo(1 / 12, 2);
  });
  it('gives normal deviates with the requested mean and std', () => {
    const r = new Rng(9);
    let s = 0, s2 = 0;
    const n = 200_000;
    for (let i = 0; i < n; i++) {
      const x = r.normal(3, 2);
      s += x; s2 += x * x;
    }
    const mean = s / n;
    expect(mean).toBeCloseTo(3, 1);
    expect(Math.sqrt(s2 / n - mean * mean)).toBeCloseTo(2, 1);
  });
  it('forks sub-streams that depend on seed and key, not on parent consumption', () => {
    const a = createRng(5), b = createRng(5);
    for (let i = 0; i < 10; i++) b.next();
    expect(a.fork('spread').next()).toBe(b.fork('spread').next());
    expect(a.fork('spread').next()).not.toBe(a.fork('noise').next());
    expect(a.fork(1).next()).not.toBe(a.fork(2).next());
    expect(deriveSeed(5, 'x')).not.toBe(deriveSeed(6, 'x'));
  });
  it('accepts large and fractional seeds distinctly and rejects NaN', () => {
    expect(createRng(2 ** 40).next()).not.toBe(createRng(0).next());
    expect(createRng(0.5).next()).not.toBe(createRng(0).next());
    expect(() => createRng(NaN)).toThrow();
  });
});
