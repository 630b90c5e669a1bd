// Heat map rasteriser (pure, no DOM): per-target temperature over time (row-major
// tempC[frame * targets + target], sim/system HeatMap) into an RGBA pixel buffer, x = time over
// the plots' window, y = targets. Each pixel shows the MAXIMUM of the frames and targets it covers,
// so a short hot spot is never lost when many frames or targets share a pixel (the same idea as
// the plots' min/max decimation). Scratch arrays are passed in and reused: no allocation per pixel.
import { lowerBound } from '../plots/decimate';

/** Colour stops of the scale (matplotlib "inferno": dark = cold, yellow = hot; readable in both themes). */
export const HEAT_STOPS: [number, string][] = [
  [0, '#000004'],
  [0.13, '#1b0c41'],
  [0.25, '#4a0c6b'],
  [0.38, '#781c6d'],
  [0.5, '#a52c60'],
  [0.63, '#cf4446'],
  [0.75, '#ed6925'],
  [0.88, '#fb9b06'],
  [1, '#fcffa4'],
];

/** 256 colours as little-endian RGBA words (ImageData byte order on every browser we target). */
export function buildLut(stops = HEAT_STOPS): Uint32Array {
  const lut = new Uint32Array(256);
  const rgb = stops.map(([p, hex]) => [p, parseInt(hex.slice(1, 3), 16), parseInt(hex.slice(3, 5), 16), parseInt(hex.slice(5, 7), 16)]);
  for (let i = 0; i < 256; i++) {
    const f = i / 255;
    let k = 0;
    while (k < rgb.length - 2 && f > rgb[k + 1][0]) k++;
    const [p0, r0, g0, b0] = rgb[k];
    const [p1, r1, g1, b1] = rgb[k + 1];
    const u = p1 > p0 ? Math.min(1, Math.max(0, (f - p0) / (p1 - p0))) : 0;
    const r = Math.round(r0 + u * (r1 - r0));
    const g = Math.round(g0 + u * (g1 - g0));
    const b = Math.round(b0 + u * (b1 - b0));
    lut[i] = ((255 << 24) | (b << 16) | (g << 8) | r) >>> 0;
  }
  return lut;
}

/** Finite min and max of the array ([NaN, NaN] when none). */
export function finiteRange(a: Float32Array): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : [NaN, NaN];
}

export interface HeatRaster {
  width: number;
  height: number;
  /** RGBA words, width * height */
  out: Uint32Array;
  /** scratch: per-target maximum of one pixel column, length >= targets */
  colMax: Float32Array;
}

const NO_DATA = 0x00000000; // transparent

/**
 * Draws frames whose time falls in [x0S, x1S] into r.out. vmin..vmax maps to the LUT.
 * A column with no frame inside it repeats the nearest earlier frame (zero-order hold).
 * Only columns [xFrom, xTo) are written (every pixel of them: a colour or transparent), so a
 * caller can spread one raster over several tasks (HeatMap.tsx) and get the same pixels.
 */
export function rasterHeatmap(
  timeS: Float64Array,
  tempC: Float32Array,
  targets: number,
  x0S: number,
  x1S: number,
  vmin: number,
  vmax: number,
  lut: Uint32Array,
  r: HeatRaster,
  xFrom = 0,
  xTo = r.width,
): void {
  const { width: W, height: H, out, colMax } = r;
  const frames = timeS.length;
  const from = Math.max(0, Math.floor(xFrom));
  const to = Math.min(W, Math.floor(xTo));
  const blank = (x: number) => {
    for (let y = 0; y < H; y++) out[y * W + x] = NO_DATA;
  };
  if (frames === 0 || targets === 0 || W <= 0 || H <= 0 || !(x1S > x0S)) {
    for (let x = from; x < to; x++) blank(x);
    return;
  }
  const span = vmax > vmin ? vmax - vmin : 1;
  const dt = (x1S - x0S) / W;
  for (let x = from; x < to; x++) {
    const a = x0S + x * dt;
    const b = a + dt;
    let f0 = lowerBound(timeS, a);
    let f1 = x === W - 1 ? lowerBound(timeS, b + 1e-9 * dt) : lowerBound(timeS, b);
    if (f1 <= f0) {
      // no frame inside this column: hold the last frame before it (none before the first frame)
      if (f0 === 0 || (f0 >= frames && timeS[frames - 1] < a - dt)) {
        blank(x);
        continue;
      }
      f0 = f0 - 1;
      f1 = f0 + 1;
    }
    colMax.fill(-Infinity, 0, targets);
    for (let f = f0; f < f1; f++) {
      const base = f * targets;
      for (let k = 0; k < targets; k++) {
        const v = tempC[base + k];
        if (v > colMax[k]) colMax[k] = v;
      }
    }
    for (let y = 0; y < H; y++) {
      const k0 = Math.floor((y * targets) / H);
      const k1 = Math.max(k0 + 1, Math.floor(((y + 1) * targets) / H));
      let m = -Infinity;
      for (let k = k0; k < k1; k++) if (colMax[k] > m) m = colMax[k];
      if (m === -Infinity) {
        out[y * W + x] = NO_DATA;
        continue;
      }
      let i = Math.floor(((m - vmin) / span) * 255);
      if (i < 0) i = 0;
      else if (i > 255) i = 255;
      out[y * W + x] = lut[i];
    }
  }
}
