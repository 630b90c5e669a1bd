'use client';
// Per-cell (or per-module) temperature over time: a canvas aligned with the plots' time axis
// (targets down, time across), drawn from the run's Float32Array through heatmapRender (max per
// pixel, reused buffers), a colour scale with its legend, the shared cursor, and a hover read-out
// (target / time / value). A click moves the cursor.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { HeatMap as HeatMapData } from '../../sim/system/types';
import { fmtTime, fmtValue, nearestIndex, pxToTime, timeToPx, type AxisMap } from './cursor';
import { buildLut, finiteRange, HEAT_STOPS, rasterHeatmap, type HeatRaster } from './heatmapRender';
import { Generation, nextTask } from '../plots/schedule';

interface Props {
  heatmap: HeatMapData;
  durationS: number;
  axis: AxisMap | null;
  cursorS: number | null;
  onSeek: (tS: number) => void;
}

const LUT = typeof window === 'undefined' ? new Uint32Array(256) : buildLut();
/** main-thread budget of one raster slice, ms */
const SLICE_MS = 8;

/** Canvas height for n targets: a readable band per target when few, one px or less when many. */
export function heatHeight(n: number): number {
  const per = n <= 4 ? 22 : n <= 16 ? 12 : n <= 64 ? 4 : n <= 240 ? 1 : 0;
  return Math.max(24, Math.min(240, per ? n * per : 240));
}

export function HeatMap({ heatmap, durationS, axis, cursorS, onSeek }: Props) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const raster = useRef<HeatRaster | null>(null);
  const [gen] = useState(() => new Generation());
  const image = useRef<ImageData | null>(null);
  const [hover, setHover] = useState<{ x: number; y: number; text: string } | null>(null);
  const T = heatmap.targets.length;
  const [vmin, vmax] = useMemo(() => finiteRange(heatmap.tempC), [heatmap]);
  const height = heatHeight(T);
  const width = axis ? Math.max(1, Math.round(axis.lengthPx)) : 0;

  // Raster in slices of columns, each slice at most SLICE_MS of main-thread time and in its own
  // task, so a large map (thousands of targets x frames) never blocks input; the canvas gets the
  // finished image in one putImageData (no half-drawn frame). A newer axis / size supersedes a
  // running raster.
  useEffect(() => {
    const c = canvas.current;
    if (!c || !axis || width <= 0) return;
    const id = gen.start();
    let r = raster.current;
    if (!r || r.width !== width || r.height !== height || r.colMax.length < T) {
      image.current = new ImageData(width, height);
      r = { width, height, out: new Uint32Array(image.current.data.buffer), colMax: new Float32Array(T) };
      raster.current = r;
    }
    const ras = r;
    const img = image.current!;
    void (async () => {
      let busyMs = 0;
      let slices = 0;
      let x = 0;
      while (x < width) {
        await nextTask();
        if (!gen.current(id)) return;
        const t0 = performance.now();
        // at least one column per slice; check the clock every column
        do {
          rasterHeatmap(heatmap.timeS, heatmap.tempC, T, axis.x0S, axis.x1S, vmin, vmax, LUT, ras, x, x + 1);
          x++;
        } while (x < width && performance.now() - t0 < SLICE_MS);
        busyMs += performance.now() - t0;
        slices++;
      }
      const t0 = performance.now();
      if (c.width !== width) c.width = width;
      if (c.height !== height) c.height = height;
      c.getContext('2d')?.putImageData(img, 0, 0);
      busyMs += performance.now() - t0;
      // for tests and the browser bench: main-thread time of the raster (all slices), slices, draws
      c.dataset.drawMs = busyMs.toFixed(1);
      c.dataset.slices = String(slices);
      c.dataset.draws = String(Number(c.dataset.draws ?? 0) + 1);
    })();
    return () => gen.cancel();
  }, [heatmap, axis, width, height, T, vmin, vmax, gen]);

  const at = (ev: React.MouseEvent<HTMLCanvasElement>) => {
    if (!axis) return null;
    const rect = ev.currentTarget.getBoundingClientRect();
    const px = ev.clientX - rect.left;
    const py = ev.clientY - rect.top;
    const tS = pxToTime({ ...axis, offsetPx: 0 }, px);
    const k = Math.min(T - 1, Math.max(0, Math.floor((py / rect.height) * T)));
    return { px, py, tS, k };
  };

  const cursorPx = axis && cursorS !== null ? timeToPx(axis, cursorS) : null;
  const gradient = `linear-gradient(to right, ${HEAT_STOPS.map(([p, c]) => `${c} ${p * 100}%`).join(', ')})`;
  const short = (p: string) => p.split('/').slice(-1)[0];

  return (
    <section className="v2-block heatmap" aria-label="Temperature heat map" data-testid="heatmap">
      <div className="v2-head">
        Temperature map <span className="muted">{T} {T === 1 ? 'target' : 'targets'} × time · max per pixel</span>
        <span className="heat-legend" data-testid="heatmap-legend">
          <span>{fmtValue(vmin)} °C</span>
          <span className="heat-scale" style={{ background: gradient }} />
          <span>{fmtValue(vmax)} °C</span>
        </span>
      </div>
      <div className="heat-body" style={{ height }}>
        {axis && T <= 16 && (
          <div className="heat-labels" style={{ width: axis.offsetPx - 4 }}>
            {heatmap.targets.map((t) => (
              <span key={t} style={{ height: height / T }} title={t}>
                {short(t)}
              </span>
            ))}
          </div>
        )}
        {axis && (
          <canvas
            ref={canvas}
            className="heat-canvas"
            style={{ left: axis.offsetPx, width, height }}
            data-testid="heatmap-canvas"
            aria-label={`Temperature of ${T} targets over time, ${fmtValue(vmin)} to ${fmtValue(vmax)} °C`}
            onMouseMove={(ev) => {
              const a = at(ev);
              if (!a) return;
              const f = nearestIndex(heatmap.timeS, a.tS);
              const v = f >= 0 ? heatmap.tempC[f * T + a.k] : NaN;
              setHover({ x: axis.offsetPx + a.px, y: a.py, text: `${heatmap.targets[a.k]} · ${fmtTime(f >= 0 ? heatmap.timeS[f] : a.tS, durationS)} · ${fmtValue(v)} °C` });
            }}
            onMouseLeave={() => setHover(null)}
            onClick={(ev) => {
              const a = at(ev);
              if (a) onSeek(a.tS);
            }}
          />
        )}
        {cursorPx !== null && <div className="strip-cursor" style={{ left: cursorPx }} aria-hidden />}
        {hover && (
          <div
            className={`heat-tip${axis && hover.x > axis.offsetPx + axis.lengthPx * 0.6 ? ' flip' : ''}`}
            style={{ left: hover.x, top: hover.y }}
            data-testid="heatmap-tip"
          >
            {hover.text}
          </div>
        )}
      </div>
    </section>
  );
}
