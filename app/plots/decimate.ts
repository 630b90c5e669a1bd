// Min/max decimation per pixel bucket (the "M4"-style reduction plotting tools use).
// For x sorted ascending, keep, for each of `buckets` equal-width x buckets over [x0, x1],
// the point with the smallest y and the point with the largest y, in x order, plus the first and
// last point of the window and one neighbour outside each side so lines reach the plot edges.
// A line drawn through the kept points covers exactly the same pixels vertically as one drawn
// through all points. Pure: no DOM; allocation proportional to the output only.

export interface Decimated {
  x: Float64Array;
  y: Float64Array;
}

/** Index of the first element >= v in a sorted array (length if none). */
export function lowerBound(a: ArrayLike<number>, v: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first element > v in a sorted array (length if none). */
export function upperBound(a: ArrayLike<number>, v: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Decimates (x, y) over the window [x0, x1] into at most 2 * buckets + 4 points.
 * NaN y values are skipped when choosing extremes (they never become a bucket's min or max).
 * If the window holds no more than 2 * buckets + 4 points, they are returned as they are.
 */
export function decimateMinMax(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  buckets: number,
  x0: number = x.length ? x[0] : 0,
  x1: number = x.length ? x[x.length - 1] : 0,
): Decimated {
  const n = Math.min(x.length, y.length);
  if (n === 0) return { x: new Float64Array(0), y: new Float64Array(0) };
  const nb = Math.max(1, Math.floor(buckets));
  // Window indices, widened by one neighbour on each side for continuity at the edges.
  let start = lowerBound(x, x0);
  let end = upperBound(x, x1); // exclusive
  if (start > 0) start--;
  if (end < n) end++;
  if (end > n) end = n;
  const count = end - start;
  if (count <= 0) return { x: new Float64Array(0), y: new Float64Array(0) };
  if (count <= 2 * nb + 4) {
    const ox = new Float64Array(count);
    const oy = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      ox[i] = x[start + i];
      oy[i] = y[start + i];
    }
    return { x: ox, y: oy };
  }

  const idx = new Int32Array(2 * nb + 4);
  let m = 0;
  const first = start;
  const last = end - 1;
  idx[m++] = first;
  const span = x1 - x0;
  const width = span > 0 ? span / nb : 1;
  // Walk the interior points once, bucket by bucket.
  let i = first + 1;
  const stop = last; // exclusive: the last point is appended at the end
  while (i < stop) {
    const b = span > 0 ? Math.min(nb - 1, Math.max(0, Math.floor((x[i] - x0) / width))) : 0;
    const bucketEnd = span > 0 ? x0 + (b + 1) * width : Infinity;
    let iMin = -1;
    let iMax = -1;
    let vMin = Infinity;
    let vMax = -Infinity;
    // Points before x0 or after x1 (the neighbours) fall in bucket 0 / nb-1 by clamping.
    // do/while: always consume at least one point (guards against rounding at bucket edges).
    do {
      const v = y[i];
      if (v < vMin) {
        vMin = v;
        iMin = i;
      }
      if (v > vMax) {
        vMax = v;
        iMax = i;
      }
      i++;
    } while (i < stop && (x[i] < bucketEnd || b === nb - 1));
    if (iMin >= 0 && iMax >= 0) {
      if (iMin === iMax) idx[m++] = iMin;
      else if (iMin < iMax) {
        idx[m++] = iMin;
        idx[m++] = iMax;
      } else {
        idx[m++] = iMax;
        idx[m++] = iMin;
      }
    }
  }
  if (last !== first) idx[m++] = last;

  const ox = new Float64Array(m);
  const oy = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    ox[k] = x[idx[k]];
    oy[k] = y[idx[k]];
  }
  return { x: ox, y: oy };
}
