'use client';
// Stacked voltage / current / SOC / temperature plots with one linked time axis.
// Plotly is imported on demand (client only). Each trace shows a min/max decimation of the full
// data for the visible window, at about one bucket per pixel; zooming re-decimates from the full
// data, so a million points stay fluid and no extreme is lost. One Plotly figure lives as long as
// the component: a new result is drawn with Plotly.react into it (cheaper than a new plot).
import { useEffect, useRef, useState } from 'react';
import type { PlotlyHTMLElement, PlotlyStatic } from 'plotly.js-basic-dist-min';
import { decimateMinMax } from './decimate';
import { PANELS, timeAxis, type PanelSpec } from './channels';

export interface PlotChannel {
  name: string;
  unit: string;
  data: Float64Array;
}

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

let plotlyPromise: Promise<PlotlyStatic> | null = null;
export function loadPlotly(): Promise<PlotlyStatic> {
  plotlyPromise ??= import('plotly.js-basic-dist-min').then((m) => (m as unknown as { default: PlotlyStatic }).default ?? (m as unknown as PlotlyStatic));
  return plotlyPromise;
}

const COLORS = ['#2f7fd8', '#d9822b', '#2e9c6a', '#c2453d', '#8a5cc2', '#888888'];

function cssVar(name: string, fallback: string): string {
  if (typeof window === 'undefined') return fallback;
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

interface Series {
  panel: number;
  secondary: boolean;
  label: string;
  dash: string;
  color: string;
  y: Float64Array;
}

/** Everything one result needs for drawing, prepared once per result. */
interface Prepared {
  runKey: string;
  x: Float64Array;
  series: Series[];
  full: [number, number];
  axisUnit: string;
  divisor: number;
  panels: PanelSpec[];
  packLegend: boolean;
}

/** Plotly id ('y5', 'y6', ...) of a panel's right-hand axis, after the panels' own axes. */
function secondaryAxisId(panels: PanelSpec[], panel: number): string {
  return `y${panels.length + 1 + panel}`;
}

function prepare(channels: PlotChannel[], durationS: number, runKey: string, PANELS: PanelSpec[]): Prepared | string {
  const byName = new Map(channels.map((c) => [c.name, c]));
  const time = byName.get('time_s') ?? channels[0];
  if (!time || time.data.length === 0) return 'This run recorded no samples.';
  const ax = timeAxis(durationS || time.data[time.data.length - 1] || 0);
  const x = new Float64Array(time.data.length);
  for (let i = 0; i < x.length; i++) x[i] = time.data[i] / ax.divisor;
  const series: Series[] = [];
  PANELS.forEach((p, pi) => {
    p.channels.forEach((c, ci) => {
      const ch = byName.get(c.name);
      if (!ch) return;
      let y = ch.data;
      if (c.scale && c.scale !== 1) {
        const s = new Float64Array(y.length);
        for (let i = 0; i < y.length; i++) s[i] = y[i] * c.scale;
        y = s;
      }
      series.push({ panel: pi, secondary: !!c.secondary, label: c.label, dash: c.dash ?? 'solid', color: ci === 0 ? COLORS[pi] : COLORS[(pi + ci + 3) % COLORS.length], y });
    });
  });
  const full: [number, number] = x[0] === x[x.length - 1] ? [x[0] - 0.5, x[0] + 0.5] : [x[0], x[x.length - 1]];
  if (series.length === 0) return 'None of the chosen channels is in this run: pick channels below.';
  return { runKey, x, series, full, axisUnit: ax.unit, divisor: ax.divisor, panels: PANELS, packLegend: PANELS !== DEFAULT_PANELS || byName.has('cell_v_min_V') };
}

const DEFAULT_PANELS = PANELS;

interface PlotlyAxisLayout {
  _offset: number;
  _length: number;
  range: [number, number];
}

export function Plots({ channels, durationS, runKey, panels = DEFAULT_PANELS, cursorS = null, onAxis, onPick }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const [status, setStatus] = useState<'loading' | 'ready' | 'failed'>('loading');
  const [message, setMessage] = useState('');
  const plotlyRef = useRef<PlotlyStatic | null>(null);
  const current = useRef<Prepared | null>(null);
  const windowRange = useRef<[number, number] | null>(null);
  const drawing = useRef(false);
  const cursorEl = useRef<HTMLDivElement>(null);
  const [axis, setAxis] = useState<(PlotAxis & { topPx: number; heightPx: number }) | null>(null);
  const lastRunKey = useRef<string | null>(null);
  const onAxisRef = useRef(onAxis);
  onAxisRef.current = onAxis;
  const onPickRef = useRef(onPick);
  onPickRef.current = onPick;

  const traces = (el: HTMLElement, p: Prepared) => {
    const [a, b] = windowRange.current ?? p.full;
    const buckets = Math.max(50, Math.floor(el.clientWidth || 800));
    const PANELS = p.panels;
    return p.series.map((s) => {
      const d = decimateMinMax(p.x, s.y, buckets, a, b);
      return {
        type: 'scatter',
        mode: 'lines',
        name: s.label,
        x: d.x,
        y: d.y,
        xaxis: 'x',
        yaxis: s.secondary ? secondaryAxisId(PANELS, s.panel) : s.panel === 0 ? 'y' : `y${s.panel + 1}`,
        line: { color: s.color, width: 1.4, dash: s.dash },
        showlegend: PANELS[s.panel].channels.length > 1 && p.packLegend,
        hovertemplate: `%{y:.4g} ${PANELS[s.panel].unit}<extra>${s.label}</extra>`,
      };
    });
  };

  const layout = (p: Prepared) => {
    const PANELS = p.panels;
    const fg = cssVar('--fg', '#1d232b');
    const grid = cssVar('--grid', '#e3e6ea');
    const muted = cssVar('--muted', '#66707c');
    const l: Record<string, unknown> = {
      uirevision: p.runKey,
      paper_bgcolor: 'rgba(0,0,0,0)',
      plot_bgcolor: 'rgba(0,0,0,0)',
      font: { family: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif', size: 11, color: fg },
      margin: { l: 56, r: p.series.some((s) => s.secondary) ? 48 : 12, t: 8, b: 36 },
      grid: { rows: PANELS.length, columns: 1, pattern: 'coupled', roworder: 'top to bottom', ygap: 0.12 },
      hovermode: 'x unified',
      showlegend: true,
      legend: { orientation: 'h', x: 1, xanchor: 'right', y: 1.02, yanchor: 'bottom', font: { size: 10 } },
      xaxis: {
        title: { text: `time (${p.axisUnit})`, font: { size: 11, color: muted } },
        gridcolor: grid,
        zeroline: false,
        range: windowRange.current ?? p.full,
        autorange: false,
        showspikes: true,
        spikemode: 'across',
        spikethickness: 1,
        spikecolor: muted,
      },
    };
    PANELS.forEach((panel, i) => {
      if (panel.secondaryTitle && p.series.some((s) => s.panel === i && s.secondary)) {
        l[`yaxis${secondaryAxisId(PANELS, i).slice(1)}`] = {
          title: { text: panel.secondaryTitle, font: { size: 11, color: muted } },
          overlaying: i === 0 ? 'y' : `y${i + 1}`,
          side: 'right',
          anchor: 'x',
          showgrid: false,
          zeroline: false,
          automargin: true,
        };
      }
      l[i === 0 ? 'yaxis' : `yaxis${i + 1}`] = {
        title: { text: `${panel.title} (${panel.unit})`, font: { size: 11, color: muted } },
        gridcolor: grid,
        zeroline: panel.title === 'Current',
        zerolinecolor: muted,
        automargin: true,
        fixedrange: false,
      };
    });
    return l;
  };

  const config = { displaylogo: false, responsive: false, modeBarButtonsToRemove: ['lasso2d', 'select2d', 'toImage'] };

  const draw = async () => {
    const el = host.current;
    const plotly = plotlyRef.current;
    const p = current.current;
    if (!el || !plotly || !p) return;
    drawing.current = true;
    try {
      const t0 = performance.now();
      const data = traces(el, p);
      const t1 = performance.now();
      await plotly.react(el, data, layout(p), config);
      // Exposed for tests and the browser bench: draws so far, the last draw's cost, its run.
      el.dataset.draws = String(Number(el.dataset.draws ?? 0) + 1);
      el.dataset.decimateMs = (t1 - t0).toFixed(1);
      el.dataset.drawMs = (performance.now() - t1).toFixed(1);
      el.dataset.runKey = p.runKey;
      const fl = (el as unknown as { _fullLayout?: { xaxis?: PlotlyAxisLayout; _size?: { t: number; h: number } } })._fullLayout;
      if (fl?.xaxis && fl._size) {
        const a: PlotAxis & { topPx: number; heightPx: number } = {
          offsetPx: fl.xaxis._offset,
          lengthPx: fl.xaxis._length,
          x0S: fl.xaxis.range[0] * p.divisor,
          x1S: fl.xaxis.range[1] * p.divisor,
          unit: p.axisUnit,
          divisor: p.divisor,
          topPx: fl._size.t,
          heightPx: fl._size.h,
        };
        setAxis(a);
        onAxisRef.current?.(a);
      }
    } finally {
      drawing.current = false;
    }
  };
  const drawRef = useRef(draw);
  drawRef.current = draw;

  // Mount: load Plotly, follow zoom and size; purge only on unmount.
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    let cancelled = false;
    let ro: ResizeObserver | null = null;
    let t: ReturnType<typeof setTimeout> | null = null;
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
        (el as unknown as PlotlyHTMLElement).on('plotly_relayout', (ev) => {
          if (drawing.current) return;
          const a = ev['xaxis.range[0]'];
          const b = ev['xaxis.range[1]'];
          const r = ev['xaxis.range'];
          if (ev['xaxis.autorange'] === true) windowRange.current = null;
          else if (typeof a === 'number' && typeof b === 'number') windowRange.current = [a, b];
          else if (Array.isArray(r) && typeof r[0] === 'number' && typeof r[1] === 'number') windowRange.current = [r[0], r[1]];
          else return;
          void drawRef.current();
        });
        (el as unknown as PlotlyHTMLElement).on('plotly_click', (ev) => {
          const x = (ev as unknown as { points?: { x?: unknown }[] }).points?.[0]?.x;
          const p = current.current;
          if (typeof x === 'number' && p) onPickRef.current?.(x * p.divisor);
        });
        let size = `${el.clientWidth}x${el.clientHeight}`;
        ro = new ResizeObserver(() => {
          // The observer also fires once when observing starts: redraw only on a real change.
          const now = `${el.clientWidth}x${el.clientHeight}`;
          if (now === size) return;
          size = now;
          if (t) clearTimeout(t);
          t = setTimeout(() => {
            const P2 = plotlyRef.current;
            if (!P2 || cancelled) return;
            void Promise.resolve(P2.Plots.resize(el)).then(() => drawRef.current());
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
      if (t) clearTimeout(t);
      ro?.disconnect();
      plotlyRef.current?.purge(el);
      plotlyRef.current = null;
      delete el.dataset.ready;
    };
  }, []);

  // Each result: prepare its arrays once, reset the zoom, draw into the same figure.
  useEffect(() => {
    const el = host.current;
    const p = prepare(channels, durationS, runKey, panels);
    if (typeof p === 'string') {
      current.current = null;
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
      setStatus('ready');
      if (el) el.dataset.ready = 'true';
    });
  }, [channels, durationS, runKey, panels]);

  const cursorLeft =
    axis && cursorS !== null && Number.isFinite(cursorS) && axis.x1S > axis.x0S && cursorS >= axis.x0S && cursorS <= axis.x1S
      ? axis.offsetPx + ((cursorS - axis.x0S) / (axis.x1S - axis.x0S)) * axis.lengthPx
      : null;

  return (
    <div className="plots-wrap">
      <div ref={host} className="plots-host" data-testid="plots" aria-label={`Run plots: ${panels.map((p) => p.title.toLowerCase()).join(', ')}`} />
      {cursorLeft !== null && axis && (
        <div
          ref={cursorEl}
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
