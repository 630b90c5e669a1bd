import { describe, it, expect } from 'vitest';
import { interp1, interp2, uniformGridFor, resample1D, resample2D, lookupUniform1D, lookupUniform2D, newClampStats, Table1D } from './table';

describe('table', () => {
  it('interp1 is piecewise linear and clamps with a count', () => {
    const c = newClampStats();
    expect(interp1([0, 1, 3], [0, 10, 30], 2, c)).toBe(20);
    expect(interp1([0, 1, 3], [0, 10, 30], -1, c)).toBe(0);
    expect(interp1([0, 1, 3], [0, 10, 30], 5, c)).toBe(30);
    expect(c).toEqual({ low: 1, high: 1 });
  });
  it('uniform grid is exact when breakpoints sit on nodes', () => {
    const xs = [-20, -10, 0, 10, 25];
    const g = uniformGridFor(xs);
    expect(g.exact).toBe(true);
    expect(g.dx).toBeCloseTo(5, 12);
    const ys = [5, 3, 2, 1.5, 1];
    const d = resample1D(xs, ys, g);
    for (let x = -20; x <= 25; x += 0.37) expect(lookupUniform1D(g, d, x)).toBeCloseTo(interp1(xs, ys, x), 12);
  });
  it('irregular breakpoints fall back to a fine grid', () => {
    const g = uniformGridFor([0, 0.0137, 0.5, 1]);
    expect(g.n).toBeGreaterThan(100);
  });
  it('bilinear uniform lookup equals interp2 on exact grids, clamps both axes', () => {
    const xs = [0, 10, 20];
    const ys = [0, 0.5, 1];
    const z = [
      [1, 2, 3],
      [2, 4, 8],
      [0, 1, 5],
    ];
    const gx = uniformGridFor(xs);
    const gy = uniformGridFor(ys);
    const d = resample2D(xs, ys, z, gx, gy);
    for (const [x, y] of [
      [3, 0.2],
      [17, 0.9],
      [10, 0.5],
      [20, 1],
    ])
      expect(lookupUniform2D(gx, gy, d, x, y)).toBeCloseTo(interp2(xs, ys, z, x, y), 12);
    const cx = newClampStats();
    const cy = newClampStats();
    expect(lookupUniform2D(gx, gy, d, 30, -1, cx, cy)).toBe(0);
    expect(cx.high).toBe(1);
    expect(cy.low).toBe(1);
    expect(Number.isNaN(lookupUniform2D(gx, gy, d, NaN, 0.5))).toBe(false);
  });
  it('Table1D reports warnings', () => {
    const t = new Table1D('ocv', [0, 1], [3, 4]);
    expect(t.at(0.25)).toBeCloseTo(3.25, 12);
    t.at(2);
    expect(t.warnings()[0]).toMatch(/ocv: 1 lookup\(s\) above the table range, clamped to 1/);
    expect(() => new Table1D('bad', [0, 0], [1, 2])).toThrow(/strictly ascending/);
  });
});
