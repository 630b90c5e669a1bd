'use client';
// Stacked plots (voltage / current / SOC / temperature, or a v2 run's panels) on one time axis.
// Plotly is imported on demand (client only). Each panel is its own Plotly figure (app/plots/
// figure.ts), drawn one per macrotask so no main-thread task carries the whole redraw (the one
// figure with N subplots took 55-350 ms per draw; see docs/ui.md "Measured"). The panels share
// one time window: a zoom, pan or reset on one re-draws the others (a pan drag moves the others
// live), each trace re-decimated (min/max per pixel bucket) from the full data, so a million
// points stay fluid and no extreme is lost. The left / right margins are shared (grown together
// when a panel's tick labels need more), so every plotting area has the same left edge and width.
import { useEffect, useRef, useState } from 'react';
import type { PlotlyHTMLElement, PlotlyStatic } from 'plotly.js-basic-dist-min';
import { PANELS, type PanelSpec } from './channels';
import {
  bucketsFor,
  MARGIN_L_PX,
  MARGIN_R_PX,
  MARGIN_R_SECONDARY_PX,
  panelFigure,
  panelGeometry,
  panelKey,
  prepare,
  redrawOrder,
  relayoutRange,
  type FigureColors,
  type LearnedMargins,
  type PlotChannel,
  type Prepared,
} from './figure';
import { Generation, nextTask } from './schedule';
import './plots.css';

export type { PlotChannel } from './figure';

/** Where the plots' time axis is drawn, so the timeline, heat map and scrubber line up with it. */
export interface PlotAxis {
  /** left edge of the plotting area and its width, px from the plots' left edge */
  offsetPx: number;
  lengthPx: number;
  /** visible time window, s */
  x0S: number;
  x1S: number;
  /** axis unit and its size in s (the plots show time in s, min or h) */
  unit: string;
  divisor: number;
}

interface Props {
  channels: PlotChannel[];
  durationS: number;
  /** Changes when a different run is shown (resets zoom). */
  runKey: string;
  /** Stacked panels (default: the v1 voltage / current / SOC / temperature panels). */
  panels?: PanelSpec[];
  /** Shared cursor time (s): a vertical line over every panel; null hides it. */
  cursorS?: number | null;
  /** Called after every draw with the axis geometry and window. */
  onAxis?: (axis: PlotAxis) => void;
  /** A click on a plot picks that time (s). */
  onPick?: (tS: number) => void;
}

const CONFIG = { displaylogo: false, responsive: false, modeBarButtonsToRemove: ['lasso2d', 'select2d', 'toImage'] };

let plotlyPromise: Promise<PlotlyStatic> | null = null;
/** Loads Plotly once (started when Run is pressed, so it overlaps the first run) and warms it up. */
export function loadPlotly(): Promise<PlotlyStatic> {
  plotlyPromise ??= import('plotly.js-basic-dist-min')
    .then((m) => (m as unknown as { default: PlotlyStatic }).default ?? (m as unknown as PlotlyStatic))
    .then(async (P) => {
      await warmUp(P);
      return P;
    });
  return plotlyPromise;
}

/**
 * The first figure of a page pays Plotly's one-time costs (its style sheet, the first compilation
 * of its layout, axis, legend and scatter code): ~100-200 ms in one task on this machine. Paid
 * here instead, in small steps of one task each, on a hidden figure shaped like the real panels
 * (a legend, a right-hand axis, a labelled time axis), so the first result draws like later ones.
 */
async function warmUp(P: PlotlyStatic): Promise<void> {
  if (typeof document === 'undefined') return;
  const t = new Float64Array([0, 1, 2, 3]);
  const v = new Float64Array([3.9, 3.7, 3.8, 3.6]);
  const warm = prepare(
    [
      { name: 'time_s', unit: 's', data: t },
      { name: 'voltage_V', unit: 'V', data: v },
      { name: 'cell_v_min_V', unit: 'V', data: v },
      { name: 'cell_v_max_V', unit: 'V', data: v },
      { name: 'temp_C', unit: 'degC', data: v },
    ],
    3,
    'warm-up',
  );
  if (typeof warm === 'string') return;
  const div = document.createElement('div');
  div.setAttribute('aria-hidden', 'true');
  div.style.cssText = 'position:fixed;left:-10000px;top:0;width:400px;height:200px;visibility:hidden;pointer-events:none;contain:strict';
  document.body.appendChild(div);
  const colors = { fg: '#000', grid: '#ddd', muted: '#888' };
  const g = panelGeometry(warm, 400, 400);
  try {
    await nextTask();
    await P.react(div, [], { width: 400, height: 200, margin: { l: 40, r: 10, t: 10, b: 10 } }, CONFIG);
    for (const i of [1, 0, warm.panels.length - 1]) {
      await nextTask();
      const f = panelFigure(warm, i, g, warm.full, 50, colors);
      await P.react(div, f.data, f.layout, CONFIG);
    }
  } catch {
    // a warm-up failure only costs the first draw its speed; the real draw reports errors
  } finally {
    await nextTask();
    P.purge(div);
    div.remove();
  }
}

/** Theme colours from the CSS variables (read once, again when the colour scheme changes). */
function readColors(): FigureColors {
  const style = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return { fg: v('--fg', '#1d232b'), grid: v('--grid', '#e3e6ea'), muted: v('--muted', '#66707c') };
}

interface FullLayout {
  xaxis?: { _offset: number; _length: number; range: [number, number] };
  _size?: { l: number; r: number; t: number; b: number; w: number; h: number };
  dragmode?: string;
}
const fullLayoutOf = (el: HTMLElement) => (el as unknown as { _fullLayout?: FullLayout })._fullLayout;

/** The panel figures' divs inside the host: exactly n, created / purged at the end. */
function ensurePanels(hostEl: HTMLDivElement, n: number, purge: (el: HTMLElement) => void): HTMLDivElement[] {
  const els = Array.from(hostEl.querySelectorAll<HTMLDivElement>(':scope > .plot-panel'));
  while (els.length > n) {
    const e = els.pop()!;
    purge(e);
    e.remove();
  }
  while (els.length < n) {
    const d = document.createElement('div');
    d.className = 'plot-panel';
    d.dataset.panel = String(els.length);
    hostEl.appendChild(d);
    els.push(d);
  }
  return els;
}

type Axis = PlotAxis & { topPx: number; heightPx: number };

/**
 * Before re-drawing a panel under the mouse: remove its hover label and forget the hovered
 * subplot, else Plotly re-runs the hover at the old mouse position inside the draw (the 'x
 * unified' label: about a third of that panel's draw). The next mouse move hovers again.
 */
function dropHover(plotly: PlotlyStatic, div: HTMLElement) {
  const fl = (div as unknown as { _fullLayout?: { _hoversubplot?: string | null } })._fullLayout;
  if (!fl?._hoversubplot) return;
  plotly.Fx.unhover(div);
  fl._hoversubplot = null;
}

export function Plots({ channels, durationS, runKey, panels = PANELS, cursorS = null, onAxis, onPick }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const [status, setStatus] = useState<'loading' | 'ready' | 'failed'>('loading');
  const [message, setMessage] = useState('');
  const [axis, setAxis] = useState<Axis | null>(null);
  const plotlyRef = useRef<PlotlyStatic | null>(null);
  const current = useRef<Prepared | null>(null);
  const windowRange = useRef<[number, number] | null>(null);
  const lastRunKey = useRef<string | null>(null);
  const [gen] = useState(() => new Generation());
  /** host size from the ResizeObserver (no layout read per draw) */
  const sizePx = useRef<{ w: number; h: number } | null>(null);
  /** shared left / right margins, grown when a panel's axis labels need more */
  const margins = useRef<{ l: number; r: number }>({ l: MARGIN_L_PX, r: MARGIN_R_PX });
  /** top / bottom margins Plotly needed per panel (panelKey), adopted for later draws */
  const learned = useRef(new Map<string, LearnedMargins>());
  const colors = useRef<FigureColors | null>(null);
  /** > 0 while we call Plotly: its relayout events then are ours, not the user's */
  const quiet = useRef(0);
  const bound = useRef(new WeakSet<HTMLElement>());
  /** latest range of a pan drag in progress, which the other panels follow */
  const live = useRef<{ source: number; range: [number, number] } | null>(null);
  const following = useRef(false);
  const onAxisRef = useRef(onAxis);
  onAxisRef.current = onAxis;
  const onPickRef = useRef(onPick);
  onPickRef.current = onPick;

  const purge = (el: HTMLElement) => plotlyRef.current?.purge(el);
  /** Runs one Plotly call; the relayout events it emits (before its promise settles) are ours. */
  const quietly = async (call: () => Promise<unknown>) => {
    quiet.current++;
    try {
      await call();
    } finally {
      quiet.current--;
    }
  };

  /** Follows a pan drag on one panel: the others take its range, one panel per task. */
  const follow = async () => {
    const plotly = plotlyRef.current;
    const el = host.current;
    if (following.current || !plotly || !el) return;
    following.current = true;
    const applied = new WeakMap<HTMLElement, [number, number]>();
    try {
      for (;;) {
        let moved = false;
        const els = ensurePanels(el, current.current?.panels.length ?? 0, purge);
        for (let j = 0; j < els.length; j++) {
          const target = live.current;
          if (!target) return;
          if (j === target.source || applied.get(els[j]) === target.range) continue;
          await nextTask();
          const latest = live.current;
          if (!latest) return;
          await quietly(() => plotly.relayout(els[j], { 'xaxis.range': [latest.range[0], latest.range[1]] }));
          applied.set(els[j], latest.range);
          moved = true;
        }
        if (!moved) return;
      }
    } finally {
      following.current = false;
    }
  };

  /** Binds the user events of one panel figure (after its first draw). */
  const bind = (div: HTMLDivElement) => {
    if (bound.current.has(div)) return;
    bound.current.add(div);
    const index = Number(div.dataset.panel);
    const gd = div as unknown as PlotlyHTMLElement;
    gd.on('plotly_relayouting', (ev) => {
      if (quiet.current > 0 || fullLayoutOf(div)?.dragmode !== 'pan') return;
      const r = relayoutRange(ev);
      if (!Array.isArray(r)) return;
      live.current = { source: index, range: r };
      void follow();
    });
    gd.on('plotly_relayout', (ev) => {
      if (quiet.current > 0) return;
      const r = relayoutRange(ev);
      if (r === null) return;
      live.current = null;
      windowRange.current = r === 'auto' ? null : r;
      void drawRef.current(index);
    });
    gd.on('plotly_click', (ev) => {
      const x = (ev as unknown as { points?: { x?: unknown }[] }).points?.[0]?.x;
      const p = current.current;
      if (typeof x === 'number' && p) onPickRef.current?.(x * p.divisor);
    });
  };

  /**
   * Draws every panel of the current result over the shared window, one panel per macrotask
   * (`source`, the panel the user zoomed, last). A newer draw supersedes a running one.
   */
  const draw = async (source: number | null = null) => {
    const el = host.current;
    const plotly = plotlyRef.current;
    const p = current.current;
    if (!el || !plotly || !p) return;
    const id = gen.start();
    live.current = null;
    el.dataset.busy = 'true';
    sizePx.current ??= { w: el.clientWidth || 800, h: el.clientHeight || 400 };
    colors.current ??= readColors();
    const els = ensurePanels(el, p.panels.length, purge);
    const minR = p.anySecondary ? MARGIN_R_SECONDARY_PX : MARGIN_R_PX;
    const learnt = (key: string) => learned.current.get(key);
    let g = panelGeometry(p, sizePx.current.w, sizePx.current.h, margins.current.l, Math.max(margins.current.r, minR), learnt);
    const win = windowRange.current ?? p.full;
    let decimateMs = 0;
    let plotMs = 0;
    const panelMs: number[] = [];
    const points = new Array<number>(els.length).fill(0);
    const drawPanel = async (i: number): Promise<boolean> => {
      await nextTask();
      if (!gen.current(id)) return false;
      const div = els[i];
      const box = g.boxes[i];
      div.style.top = `${box.topPx}px`;
      div.style.height = `${box.heightPx}px`;
      let t0 = performance.now();
      const fig = panelFigure(p, i, g, win, bucketsFor(g.widthPx - g.marginL - g.marginR), colors.current!);
      let t1 = performance.now();
      decimateMs += t1 - t0;
      if (!fullLayoutOf(div)) {
        // a new figure: its frame (SVG layers, axes, mode bar) in one task, the traces in the next
        await quietly(() => plotly.react(div, [], fig.layout, CONFIG));
        const t = performance.now();
        plotMs += t - t1;
        panelMs.push(t - t0);
        await nextTask();
        if (!gen.current(id)) return false;
        t0 = t1 = performance.now();
      }
      dropHover(plotly, div);
      await quietly(() => plotly.react(div, fig.data, fig.layout, CONFIG));
      const t2 = performance.now();
      bind(div);
      plotMs += t2 - t1;
      panelMs.push(t2 - t0);
      points[i] = fig.points;
      return gen.current(id);
    };
    try {
      for (const i of redrawOrder(els.length, source)) if (!(await drawPanel(i))) return;
      // Margins Plotly needed beyond ours (automargin: long tick labels, a legend of several
      // rows): adopt them so later draws need no second layout pass inside Plotly; left / right
      // go to every panel (the plotting areas line up), top / bottom are remembered per panel.
      // Then re-draw the panels whose box changed (once per new set of panels).
      const sizes = els.map((e) => fullLayoutOf(e)?._size);
      const l = Math.max(g.marginL, ...sizes.map((s) => s?.l ?? 0));
      const r = Math.max(g.marginR, ...sizes.map((s) => s?.r ?? 0));
      let grew = l > g.marginL || r > g.marginR;
      sizes.forEach((s, i) => {
        if (s && (s.t > g.boxes[i].t || s.b > g.boxes[i].b)) {
          const key = panelKey(p, i);
          const old = learned.current.get(key);
          learned.current.set(key, { t: Math.max(s.t, old?.t ?? 0), b: Math.max(s.b, old?.b ?? 0) });
          grew = true;
        }
      });
      if (grew) {
        margins.current = { l, r };
        const before = g;
        g = panelGeometry(p, sizePx.current.w, sizePx.current.h, l, r, learnt);
        for (let i = 0; i < els.length; i++) {
          const a = before.boxes[i];
          const b = g.boxes[i];
          if (sizes[i]?.l !== l || sizes[i]?.r !== r || a.topPx !== b.topPx || a.heightPx !== b.heightPx || sizes[i]?.t !== b.t || sizes[i]?.b !== b.b) {
            if (!(await drawPanel(i))) return;
          }
        }
      }
      // Exposed for tests and the browser bench: completed draws, the last draw's costs, its run.
      el.dataset.draws = String(Number(el.dataset.draws ?? 0) + 1);
      el.dataset.decimateMs = decimateMs.toFixed(1);
      el.dataset.drawMs = plotMs.toFixed(1);
      // each panel's decimation + Plotly draw (one task each), in drawing order
      el.dataset.panelDrawMs = panelMs.map((v) => v.toFixed(1)).join(' ');
      el.dataset.points = String(points.reduce((a, b) => a + b, 0));
      el.dataset.runKey = p.runKey;
      const first = fullLayoutOf(els[0]);
      const lastSize = fullLayoutOf(els[els.length - 1])?._size;
      if (first?.xaxis && first._size && lastSize) {
        const lastBox = g.boxes[g.boxes.length - 1];
        const a: Axis = {
          offsetPx: first.xaxis._offset,
          lengthPx: first.xaxis._length,
          x0S: first.xaxis.range[0] * p.divisor,
          x1S: first.xaxis.range[1] * p.divisor,
          unit: p.axisUnit,
          divisor: p.divisor,
          topPx: first._size.t,
          heightPx: lastBox.topPx + lastSize.t + lastSize.h - first._size.t,
        };
        setAxis(a);
        onAxisRef.current?.(a);
      }
    } finally {
      if (gen.current(id)) el.dataset.busy = 'false';
    }
  };
  const drawRef = useRef(draw);
  drawRef.current = draw;

  // Mount: load Plotly, follow size and colour scheme; purge only on unmount.
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    let cancelled = false;
    let ro: ResizeObserver | null = null;
    let t: ReturnType<typeof setTimeout> | null = null;
    const scheme = window.matchMedia?.('(prefers-color-scheme: dark)');
    const onScheme = () => {
      colors.current = null;
      void drawRef.current();
    };
    loadPlotly()
      .then(async (P) => {
        if (cancelled) return;
        plotlyRef.current = P;
        await drawRef.current();
        if (cancelled) return;
        if (current.current) {
          setStatus('ready');
          el.dataset.ready = 'true';
        }
        scheme?.addEventListener('change', onScheme);
        ro = new ResizeObserver((entries) => {
          const box = entries[entries.length - 1].contentRect;
          const w = Math.round(box.width);
          const h = Math.round(box.height);
          // The observer also fires once when observing starts: redraw only on a real change.
          if (sizePx.current && sizePx.current.w === w && sizePx.current.h === h) return;
          sizePx.current = { w, h };
          if (t) clearTimeout(t);
          t = setTimeout(() => {
            if (!cancelled) void drawRef.current();
          }, 120);
        });
        ro.observe(el);
      })
      .catch((e: unknown) => {
        if (cancelled) return;
        setStatus('failed');
        setMessage(`Plots could not load: ${e instanceof Error ? e.message : String(e)}`);
      });
    return () => {
      cancelled = true;
      gen.cancel();
      live.current = null;
      if (t) clearTimeout(t);
      ro?.disconnect();
      scheme?.removeEventListener('change', onScheme);
      ensurePanels(el, 0, (p) => plotlyRef.current?.purge(p));
      plotlyRef.current = null;
      delete el.dataset.ready;
    };
  }, [gen]);

  // Each result (or channel choice): prepare its arrays once, reset the zoom on a new run, draw.
  useEffect(() => {
    const el = host.current;
    const p = prepare(channels, durationS, runKey, panels);
    if (typeof p === 'string') {
      current.current = null;
      gen.cancel();
      setStatus('failed');
      setMessage(p);
      return;
    }
    current.current = p;
    // A new run resets the zoom; other channels for the same run keep it.
    if (lastRunKey.current !== runKey) windowRange.current = null;
    lastRunKey.current = runKey;
    if (!plotlyRef.current) return; // the mount effect draws once Plotly is loaded
    void drawRef.current().then(() => {
      if (current.current !== p) return;
      setStatus('ready');
      if (el) el.dataset.ready = 'true';
    });
  }, [channels, durationS, runKey, panels, gen]);

  const cursorLeft =
    axis && cursorS !== null && Number.isFinite(cursorS) && axis.x1S > axis.x0S && cursorS >= axis.x0S && cursorS <= axis.x1S
      ? axis.offsetPx + ((cursorS - axis.x0S) / (axis.x1S - axis.x0S)) * axis.lengthPx
      : null;

  return (
    <div className="plots-wrap">
      <div ref={host} className="plots-host" data-testid="plots" aria-label={`Run plots: ${panels.map((p) => p.title.toLowerCase()).join(', ')}`} />
      {cursorLeft !== null && axis && (
        <div
          className="plot-cursor"
          data-testid="plot-cursor"
          data-cursor-s={cursorS ?? undefined}
          style={{ left: cursorLeft, top: axis.topPx, height: axis.heightPx }}
          aria-hidden
        />
      )}
      {status === 'loading' && <div className="plots-overlay">Loading plots…</div>}
      {status === 'failed' && <div className="plots-overlay error" role="alert">{message}</div>}
    </div>
  );
}
