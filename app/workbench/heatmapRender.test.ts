import { describe, expect, it } from 'vitest';
import { buildLut, finiteRange, rasterHeatmap, type HeatRaster } from './heatmapRender';

const raster = (width: number, height: number, targets: number): HeatRaster => ({ width, height, out: new Uint32Array(width * height), colMax: new Float32Array(targets) });

describe('heat map raster', () => {
  const lut = buildLut();

  it('scale runs from the first to the last stop, opaque', () => {
    expect(lut[0]).toBe(0xff040000); // #000004 as RGBA bytes 00 00 04 ff
    expect(lut[255]).toBe(0xffa4fffc); // #fcffa4
    for (const c of lut) expect(c >>> 24).toBe(255);
  });

  it('finite range ignores NaN', () => {
    expect(finiteRange(new Float32Array([3, NaN, -1, 7]))).toEqual([-1, 7]);
    expect(finiteRange(new Float32Array([NaN]))).toEqual([NaN, NaN]);
  });

  it('one pixel per frame and target: cold is lut[0], hot is lut[255]', () => {
    // 2 targets, 4 frames at 0,1,2,3 s; target 1 is hot at frame 2 only
    const t = new Float64Array([0, 1, 2, 3]);
    const v = new Float32Array([20, 20, 20, 20, 20, 100, 20, 20]);
    const r = raster(4, 2, 2);
    rasterHeatmap(t, v, 2, 0, 4, 20, 100, lut, r);
    expect([...r.out.slice(0, 4)]).toEqual([lut[0], lut[0], lut[0], lut[0]]);
    expect([...r.out.slice(4, 8)]).toEqual([lut[0], lut[0], lut[255], lut[0]]);
  });

  it('keeps a one-frame hot spot when many frames and targets share a pixel', () => {
    const frames = 1000;
    const targets = 50;
    const t = new Float64Array(frames).map((_, i) => i);
    const v = new Float32Array(frames * targets).fill(25);
    v[637 * targets + 33] = 90;
    const r = raster(10, 5, targets);
    rasterHeatmap(t, v, targets, 0, frames, 25, 90, lut, r);
    const hot = [...r.out].map((c, i) => (c === lut[255] ? i : -1)).filter((i) => i >= 0);
    // frame 637 is in column 6, target 33 in row 3 (targets 30..39)
    expect(hot).toEqual([3 * 10 + 6]);
  });

  it('holds the last frame across columns without frames and leaves columns before the first frame empty', () => {
    const t = new Float64Array([10, 20]);
    const v = new Float32Array([0, 1]);
    const r = raster(4, 1, 1);
    rasterHeatmap(t, v, 1, 0, 40, 0, 1, lut, r);
    // columns [0,10) no frame before -> empty; [10,20) frame 0; [20,30) frame 1; [30,40) holds frame 1
    expect([...r.out]).toEqual([0, lut[0], lut[255], lut[255]]);
  });

  it('drawn in column slices (several tasks): the same pixels as in one go, stale pixels overwritten', () => {
    const frames = 300;
    const targets = 7;
    const t = new Float64Array(frames).map((_, i) => 5 + i * 2);
    const v = new Float32Array(frames * targets).map((_, i) => 20 + ((i * 37) % 61));
    v[123 * targets + 4] = NaN;
    const whole = raster(97, 13, targets);
    rasterHeatmap(t, v, targets, -50, 700, 20, 80, lut, whole);
    const sliced = raster(97, 13, targets);
    sliced.out.fill(0xdeadbeef); // leftovers of a previous, different raster
    for (let x = 0; x < 97; x += 10) rasterHeatmap(t, v, targets, -50, 700, 20, 80, lut, sliced, x, x + 10);
    expect([...sliced.out]).toEqual([...whole.out]);
    // columns before the first frame (t < 5 s) and after the hold ran out are transparent
    expect(whole.out[0]).toBe(0);
    expect(whole.out[96]).toBe(0);
    expect(whole.out[10]).not.toBe(0);
  });
});
