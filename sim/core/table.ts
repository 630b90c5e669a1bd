// Interpolation tables for the twin core (H1).
//
// Two flavours:
//  - general piecewise-linear lookups on ascending, possibly non-uniform breakpoints
//    (interp1 / interp2, binary search), used off the hot path;
//  - uniform-grid tables (resampled once) where a lookup is an index computation, used in the
//    fleet step loops. When every breakpoint lies on the uniform grid the resampling is exact
//    (a piecewise-linear function is reproduced exactly on a refinement of its breakpoints).
//
// Out-of-range arguments are clamped to the table edge and counted in a ClampStats object so
// callers can report a warning; a lookup never returns NaN for a finite argument.

export interface ClampStats {
  low: number;
  high: number;
}

export function newClampStats(): ClampStats {
  return { low: 0, high: 0 };
}

/** Index i such that xs[i] <= x < xs[i+1] (clamped to [0, n-2]); xs ascending, n >= 2. */
export function findInterval(xs: ArrayLike<number>, x: number): number {
  const n = xs.length;
  if (n < 2) return 0;
  if (x <= xs[0]) return 0;
  if (x >= xs[n - 1]) return n - 2;
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] <= x) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** Piecewise-linear y(x), clamped to the end values outside [xs[0], xs[n-1]]. */
export function interp1(xs: ArrayLike<number>, ys: ArrayLike<number>, x: number, clamp?: ClampStats): number {
  const n = xs.length;
  if (n === 0) return NaN;
  if (n === 1) return ys[0];
  if (x < xs[0]) {
    if (clamp) clamp.low++;
    return ys[0];
  }
  if (x > xs[n - 1]) {
    if (clamp) clamp.high++;
    return ys[n - 1];
  }
  const i = findInterval(xs, x);
  const x0 = xs[i];
  const x1 = xs[i + 1];
  const w = x1 === x0 ? 0 : (x - x0) / (x1 - x0);
  return ys[i] + w * (ys[i + 1] - ys[i]);
}

/** Slope dy/dx of the piecewise-linear interpolant at x (0 outside the range). */
export function interp1Slope(xs: ArrayLike<number>, ys: ArrayLike<number>, x: number): number {
  const n = xs.length;
  if (n < 2 || x < xs[0] || x > xs[n - 1]) return 0;
  const i = findInterval(xs, x);
  const dx = xs[i + 1] - xs[i];
  return dx === 0 ? 0 : (ys[i + 1] - ys[i]) / dx;
}

/**
 * Bilinear z(x, y) with z[ix][iy] (rows over xs, columns over ys), clamped at the edges.
 * clampX / clampY count clamping of each argument separately.
 */
export function interp2(
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  z: ArrayLike<ArrayLike<number>>,
  x: number,
  y: number,
  clampX?: ClampStats,
  clampY?: ClampStats,
): number {
  const nx = xs.length;
  if (nx === 1) return interp1(ys, z[0], y, clampY);
  let xc = x;
  if (x < xs[0]) {
    xc = xs[0];
    if (clampX) clampX.low++;
  } else if (x > xs[nx - 1]) {
    xc = xs[nx - 1];
    if (clampX) clampX.high++;
  }
  const i = findInterval(xs, xc);
  const w = xs[i + 1] === xs[i] ? 0 : (xc - xs[i]) / (xs[i + 1] - xs[i]);
  const a = interp1(ys, z[i], y, clampY);
  const b = interp1(ys, z[i + 1], y); // count y clamping once
  return a + w * (b - a);
}

// ---------------------------------------------------------------------------------------------
// Uniform grids

export interface UniformGrid {
  x0: number;
  dx: number;
  invDx: number;
  n: number;
  /** true when every original breakpoint is a grid node (resampling is exact). */
  exact: boolean;
}

/**
 * Picks a uniform grid covering [bp[0], bp[n-1]]. Tries the smallest breakpoint spacing and its
 * integer fractions so that all breakpoints fall on nodes; falls back to `fallbackPoints` nodes.
 */
export function uniformGridFor(breakpoints: ArrayLike<number>, maxPoints = 2001, fallbackPoints = 401): UniformGrid {
  const n = breakpoints.length;
  if (n === 0) throw new Error('uniformGridFor: no breakpoints');
  const x0 = breakpoints[0];
  const x1 = breakpoints[n - 1];
  if (n === 1 || x1 === x0) return { x0, dx: 1, invDx: 1, n: 1, exact: true };
  const span = x1 - x0;
  let minGap = Infinity;
  for (let i = 1; i < n; i++) minGap = Math.min(minGap, breakpoints[i] - breakpoints[i - 1]);
  for (let div = 1; div <= 64; div++) {
    const dx = minGap / div;
    const count = Math.round(span / dx) + 1;
    if (count > maxPoints) break;
    const dxAdj = span / (count - 1);
    let ok = true;
    for (let i = 0; i < n && ok; i++) {
      const k = (breakpoints[i] - x0) / dxAdj;
      if (Math.abs(k - Math.round(k)) > 1e-6) ok = false;
    }
    if (ok) return { x0, dx: dxAdj, invDx: 1 / dxAdj, n: count, exact: true };
  }
  const dx = span / (fallbackPoints - 1);
  return { x0, dx, invDx: 1 / dx, n: fallbackPoints, exact: false };
}

export function gridNode(g: UniformGrid, k: number): number {
  return k === g.n - 1 ? g.x0 + g.dx * (g.n - 1) : g.x0 + g.dx * k;
}

/** Resamples y(x) (non-uniform, piecewise linear) onto a uniform grid. */
export function resample1D(xs: ArrayLike<number>, ys: ArrayLike<number>, g: UniformGrid): Float64Array {
  const out = new Float64Array(g.n);
  for (let k = 0; k < g.n; k++) out[k] = interp1(xs, ys, gridNode(g, k));
  return out;
}

/** Resamples z[ix][iy] onto gx x gy, row-major: out[kx * gy.n + ky]. */
export function resample2D(
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  z: ArrayLike<ArrayLike<number>>,
  gx: UniformGrid,
  gy: UniformGrid,
): Float64Array {
  const out = new Float64Array(gx.n * gy.n);
  for (let kx = 0; kx < gx.n; kx++) {
    const x = gridNode(gx, kx);
    for (let ky = 0; ky < gy.n; ky++) out[kx * gy.n + ky] = interp2(xs, ys, z, x, gridNode(gy, ky));
  }
  return out;
}

/** Uniform-grid 1-D lookup (index computation, no search). */
export function lookupUniform1D(g: UniformGrid, data: Float64Array, x: number, clamp?: ClampStats): number {
  if (g.n === 1) return data[0];
  let u = (x - g.x0) * g.invDx;
  if (!(u >= 0)) {
    if (clamp && u < 0) clamp.low++;
    u = 0;
  } else if (u > g.n - 1) {
    if (clamp) clamp.high++;
    u = g.n - 1;
  }
  let i = u | 0;
  if (i >= g.n - 1) i = g.n - 2;
  const w = u - i;
  return data[i] + w * (data[i + 1] - data[i]);
}

/** Uniform-grid bilinear lookup on a row-major table data[kx * gy.n + ky]. */
export function lookupUniform2D(
  gx: UniformGrid,
  gy: UniformGrid,
  data: Float64Array,
  x: number,
  y: number,
  clampX?: ClampStats,
  clampY?: ClampStats,
): number {
  let ux = gx.n === 1 ? 0 : (x - gx.x0) * gx.invDx;
  if (!(ux >= 0)) {
    if (clampX && ux < 0) clampX.low++;
    ux = 0;
  } else if (ux > gx.n - 1) {
    if (clampX) clampX.high++;
    ux = gx.n - 1;
  }
  let uy = gy.n === 1 ? 0 : (y - gy.x0) * gy.invDx;
  if (!(uy >= 0)) {
    if (clampY && uy < 0) clampY.low++;
    uy = 0;
  } else if (uy > gy.n - 1) {
    if (clampY) clampY.high++;
    uy = gy.n - 1;
  }
  let ix = ux | 0;
  if (ix > gx.n - 2) ix = Math.max(0, gx.n - 2);
  let iy = uy | 0;
  if (iy > gy.n - 2) iy = Math.max(0, gy.n - 2);
  const wx = gx.n === 1 ? 0 : ux - ix;
  const wy = gy.n === 1 ? 0 : uy - iy;
  const ny = gy.n;
  const iy1 = gy.n === 1 ? iy : iy + 1;
  const r0 = ix * ny;
  const r1 = gx.n === 1 ? r0 : r0 + ny;
  const a = data[r0 + iy] + wy * (data[r0 + iy1] - data[r0 + iy]);
  const b = data[r1 + iy] + wy * (data[r1 + iy1] - data[r1 + iy]);
  return a + wx * (b - a);
}

/** A 1-D table object with its own clamp statistics (convenience for non-hot code). */
export class Table1D {
  readonly grid: UniformGrid;
  readonly data: Float64Array;
  readonly clamp: ClampStats = newClampStats();
  constructor(
    readonly name: string,
    readonly xs: readonly number[],
    readonly ys: readonly number[],
  ) {
    if (xs.length !== ys.length || xs.length === 0) throw new Error(`table ${name}: xs and ys must be non-empty and equally long`);
    for (let i = 1; i < xs.length; i++) {
      if (!(xs[i] > xs[i - 1])) throw new Error(`table ${name}: breakpoints must be strictly ascending (index ${i})`);
    }
    this.grid = uniformGridFor(xs);
    this.data = resample1D(xs, ys, this.grid);
  }
  /** Fast uniform-grid value (exact when the grid is exact). */
  at(x: number): number {
    return lookupUniform1D(this.grid, this.data, x, this.clamp);
  }
  /** Value on the original breakpoints (binary search). */
  exactAt(x: number): number {
    return interp1(this.xs, this.ys, x, this.clamp);
  }
  warnings(): string[] {
    return clampWarnings(this.name, this.clamp, this.xs[0], this.xs[this.xs.length - 1]);
  }
}

export function clampWarnings(what: string, c: ClampStats, lo: number, hi: number): string[] {
  const out: string[] = [];
  if (c.low > 0) out.push(`${what}: ${c.low} lookup(s) below the table range, clamped to ${lo}`);
  if (c.high > 0) out.push(`${what}: ${c.high} lookup(s) above the table range, clamped to ${hi}`);
  return out;
}
