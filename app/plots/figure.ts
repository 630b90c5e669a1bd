// The plots as one Plotly figure per panel (pure: no DOM, no Plotly; tested in Node).
// Why one figure per panel: Plotly redraws a whole figure in one synchronous call, and one
// figure with N stacked subplots cost 55-350 ms per draw on this machine (docs/ui.md); a figure
// per panel lets Plots.tsx draw one panel per macrotask, each well under the 50 ms guideline.
// The panels share one time window (zoom on one re-draws the others) and are laid out so their
// plotting areas have the same left edge and width: the same time is at the same x in every
// panel, in the event timeline, the heat map and the scrubber (they read PlotAxis).
import { decimateMinMax } from './decimate';
import { PANELS, timeAxis, type PanelSpec } from './channels';

export interface PlotChannel {
  name: string;
  unit: string;
  data: Float64Array;
}

export const COLORS = ['#2f7fd8', '#d9822b', '#2e9c6a', '#c2453d', '#8a5cc2', '#888888'];

export interface Series {
  panel: number;
  secondary: boolean;
  label: string;
  dash: string;
  color: string;
  /** the channel's recorded values (not copied) */
  y: Float64Array;
  /** display factor (SOC 1 -> %, W -> kW), applied to the decimated points only */
  scale: number;
}

/** Everything one result needs for drawing, prepared once per result (or channel choice). */
export interface Prepared {
  runKey: string;
  /** time of every sample, s (the run's time_s, not copied) */
  timeS: Float64Array;
  /** series per panel, in panel order */
  panelSeries: Series[][];
  /** full time range in the axis unit */
  full: [number, number];
  axisUnit: string;
  /** seconds per axis unit */
  divisor: number;
  panels: PanelSpec[];
  /** legends on panels with several series (v2 runs, v1 pack runs) */
  packLegend: boolean;
  /** some panel has a right-hand axis */
  anySecondary: boolean;
}

/**
 * What one result draws: the panels' series and the time axis. O(channels), no copy of the
 * recorded arrays (a million-sample run would otherwise allocate and fill ~16 MB inside the React
 * commit): the axis unit and display scales are applied to the decimated points in panelFigure.
 * Returns a message when there is nothing to draw.
 */
export function prepare(channels: PlotChannel[], durationS: number, runKey: string, panels: PanelSpec[] = PANELS): Prepared | string {
  const byName = new Map(channels.map((c) => [c.name, c]));
  const time = byName.get('time_s') ?? channels[0];
  if (!time || time.data.length === 0) return 'This run recorded no samples.';
  const t = time.data;
  const ax = timeAxis(durationS || t[t.length - 1] || 0);
  const panelSeries: Series[][] = panels.map((p, pi) => {
    const out: Series[] = [];
    p.channels.forEach((c, ci) => {
      const ch = byName.get(c.name);
      if (!ch) return;
      out.push({
        panel: pi,
        secondary: !!c.secondary,
        label: c.label,
        dash: c.dash ?? 'solid',
        color: ci === 0 ? COLORS[pi % COLORS.length] : COLORS[(pi + ci + 3) % COLORS.length],
        y: ch.data,
        scale: c.scale ?? 1,
      });
    });
    return out;
  });
  if (panelSeries.every((s) => s.length === 0)) return 'None of the chosen channels is in this run: pick channels below.';
  const x0 = t[0] / ax.divisor;
  const x1 = t[t.length - 1] / ax.divisor;
  const full: [number, number] = x0 === x1 ? [x0 - 0.5, x0 + 0.5] : [x0, x1];
  return {
    runKey,
    timeS: t,
    panelSeries,
    full,
    axisUnit: ax.unit,
    divisor: ax.divisor,
    panels,
    packLegend: panels !== PANELS || byName.has('cell_v_min_V'),
    anySecondary: panelSeries.some((s) => s.some((c) => c.secondary)),
  };
}

/** Margins (px) of the panel figures. Left / right are shared so the plotting areas line up. */
export const MARGIN_L_PX = 56;
export const MARGIN_R_PX = 12;
/** right margin when some panel has a right-hand axis (its ticks and title) */
export const MARGIN_R_SECONDARY_PX = 48;
/** above / below each panel: room for half of the top / bottom y tick label (11 px text) */
export const MARGIN_T_PX = 10;
export const MARGIN_B_PX = 8;
/** below the bottom panel: the time axis tick labels and title */
export const MARGIN_B_AXIS_PX = 36;
/** smallest plotting-area height per panel */
export const MIN_PLOT_H_PX = 40;
/**
 * Horizontal legend above a panel (10 px text), as Plotly lays it out (measured in Chromium):
 * entries in one row when they fit, else a grid of equal columns as wide as the widest entry;
 * ~19 px per row, and the top margin it pushes is ~18 px plus the rows (one row: 37 px). An entry
 * is ~40 px (line sample, gaps) plus ~5.6-6 px per character. Only an estimate: when Plotly needs
 * more, Plots.tsx learns its actual margin after the draw.
 */
const LEGEND_BASE_PX = 18;
const LEGEND_ROW_PX = 19;
const LEGEND_ITEM_PX = 40;
const LEGEND_CHAR_PX = 6;

/** Top margin for a horizontal legend of these labels over a plotting area `widthPx` wide. */
export function legendTopPx(labels: readonly string[], widthPx: number): number {
  let total = 0;
  let widest = 0;
  for (const l of labels) {
    const w = LEGEND_ITEM_PX + LEGEND_CHAR_PX * l.length;
    total += w;
    widest = Math.max(widest, w);
  }
  const columns = total <= widthPx ? labels.length : Math.max(1, Math.floor(widthPx / widest));
  const rows = Math.max(1, Math.ceil(labels.length / Math.max(1, columns)));
  return LEGEND_BASE_PX + LEGEND_ROW_PX * rows;
}

export interface PanelBox {
  /** top of the panel's figure from the top of the plots, px */
  topPx: number;
  /** figure height, px */
  heightPx: number;
  /** margins of the figure, px */
  t: number;
  b: number;
  legend: boolean;
}

export interface PanelGeometry {
  widthPx: number;
  boxes: PanelBox[];
  /** left / right margins shared by every panel (Plotly may only grow them: automargin) */
  marginL: number;
  marginR: number;
  /** top of the first plotting area and bottom of the last one, px from the plots' top */
  plotTopPx: number;
  plotBottomPx: number;
}

/** Whether panel `i` shows a legend (several series, on runs that label them). */
export function panelHasLegend(p: Prepared, i: number): boolean {
  return p.packLegend && p.panelSeries[i].length > 1;
}

/** Identity of a panel's decorations (title, legend labels, position): margins learnt for it apply. */
export function panelKey(p: Prepared, i: number): string {
  const last = i === p.panels.length - 1;
  return `${p.panels[i].title}|${p.panels[i].unit}|${last ? 'last' : ''}|${panelHasLegend(p, i) ? p.panelSeries[i].map((s) => s.label).join('\u0000') : ''}`;
}

/** Top / bottom margins Plotly actually needed for a panel (its automargin pushes), px. */
export interface LearnedMargins {
  t: number;
  b: number;
}

/**
 * Splits a widthPx x heightPx area into the panels' figures so every plotting area gets the same
 * height: each figure is its top margin + that height + its bottom margin, stacked with no gap.
 * Top / bottom margins: the defaults (legend rows estimated), or more where Plotly needed more
 * before (`learned`), so Plotly's automargin does not have to push them (a second layout pass
 * inside every draw).
 */
export function panelGeometry(
  p: Prepared,
  widthPx: number,
  heightPx: number,
  marginL = MARGIN_L_PX,
  marginR = p.anySecondary ? MARGIN_R_SECONDARY_PX : MARGIN_R_PX,
  learned: (key: string) => LearnedMargins | undefined = () => undefined,
): PanelGeometry {
  const n = p.panels.length;
  const w = Math.max(1, Math.floor(widthPx));
  const tb = p.panels.map((_, i) => {
    const legend = panelHasLegend(p, i);
    const l = learned(panelKey(p, i));
    const t = legend ? legendTopPx(p.panelSeries[i].map((s) => s.label), w - marginL - marginR) : MARGIN_T_PX;
    const b = i === n - 1 ? MARGIN_B_AXIS_PX : MARGIN_B_PX;
    return { t: Math.max(t, l?.t ?? 0), b: Math.max(b, l?.b ?? 0), legend };
  });
  const fixed = tb.reduce((a, m) => a + m.t + m.b, 0);
  const plotH = Math.max(MIN_PLOT_H_PX, Math.floor((heightPx - fixed) / Math.max(1, n)));
  const boxes: PanelBox[] = [];
  let top = 0;
  for (const m of tb) {
    const h = m.t + plotH + m.b;
    boxes.push({ topPx: top, heightPx: h, t: m.t, b: m.b, legend: m.legend });
    top += h;
  }
  const last = boxes[boxes.length - 1];
  return {
    widthPx: w,
    boxes,
    marginL,
    marginR,
    plotTopPx: boxes.length ? boxes[0].t : 0,
    plotBottomPx: last ? last.topPx + last.t + plotH : 0,
  };
}

/** Theme colours the figures use (read from CSS variables by the caller). */
export interface FigureColors {
  fg: string;
  grid: string;
  muted: string;
}

/** Plotly id of a panel's right-hand axis inside its own figure. */
const SECONDARY = 'y2';

/** Min/max buckets for a plotting area `lengthPx` wide: one per pixel (at most 2 points each). */
export function bucketsFor(lengthPx: number): number {
  return Math.max(50, Math.floor(lengthPx));
}

/**
 * Plotly data and layout of panel `i` over the window [x0, x1] (axis unit), each series
 * min/max-decimated to `buckets` buckets from the full arrays.
 */
export function panelFigure(p: Prepared, i: number, g: PanelGeometry, window: [number, number], buckets: number, colors: FigureColors) {
  const panel = p.panels[i];
  const series = p.panelSeries[i];
  const box = g.boxes[i];
  const last = i === p.panels.length - 1;
  const [a, b] = window;
  let points = 0;
  const div = p.divisor;
  const data = series.map((s) => {
    // Decimate the recorded arrays over the window in seconds, then convert only the kept points
    // to the axis unit and the display scale (a constant factor keeps the same min / max points).
    const d = decimateMinMax(p.timeS, s.y, buckets, a * div, b * div);
    for (let k = 0; k < d.x.length; k++) d.x[k] /= div;
    if (s.scale !== 1) for (let k = 0; k < d.y.length; k++) d.y[k] *= s.scale;
    points += d.x.length;
    return {
      type: 'scatter',
      mode: 'lines',
      name: s.label,
      x: d.x,
      y: d.y,
      yaxis: s.secondary ? SECONDARY : 'y',
      line: { color: s.color, width: 1.4, dash: s.dash },
      showlegend: box.legend,
      hovertemplate: `%{y:.4g} ${panel.unit}<extra>${s.label}</extra>`,
    };
  });
  const axisTitle = (text: string) => ({ text, font: { size: 11, color: colors.muted } });
  const layout: Record<string, unknown> = {
    uirevision: p.runKey,
    width: g.widthPx,
    height: box.heightPx,
    autosize: false,
    paper_bgcolor: 'rgba(0,0,0,0)',
    plot_bgcolor: 'rgba(0,0,0,0)',
    font: { family: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif', size: 11, color: colors.fg },
    margin: { l: g.marginL, r: g.marginR, t: box.t, b: box.b, pad: 0 },
    hovermode: 'x unified',
    showlegend: box.legend,
    legend: { orientation: 'h', x: 1, xanchor: 'right', y: 1, yanchor: 'bottom', font: { size: 10 } },
    xaxis: {
      // only the bottom panel labels the shared time axis
      title: last ? axisTitle(`time (${p.axisUnit})`) : undefined,
      showticklabels: last,
      // 'allow': Plotly then skips measuring every tick label to hide the ones past the figure
      // (the panel's box clips them anyway: contain: strict in results.css)
      ticklabeloverflow: 'allow',
      gridcolor: colors.grid,
      zeroline: false,
      range: [a, b],
      autorange: false,
      showspikes: true,
      spikemode: 'across',
      spikethickness: 1,
      spikecolor: colors.muted,
    },
    yaxis: {
      title: axisTitle(`${panel.title} (${panel.unit})`),
      ticklabeloverflow: 'allow',
      gridcolor: colors.grid,
      zeroline: panel.title === 'Current',
      zerolinecolor: colors.muted,
      // long tick labels may widen the left / right margin (shared by all panels, Plots.tsx); never
      // the top / bottom: a y title taller than a short panel would push them again at every draw
      automargin: 'width',
      fixedrange: false,
    },
  };
  if (panel.secondaryTitle && series.some((s) => s.secondary)) {
    layout.yaxis2 = {
      title: axisTitle(panel.secondaryTitle),
      ticklabeloverflow: 'allow',
      overlaying: 'y',
      side: 'right',
      anchor: 'x',
      showgrid: false,
      zeroline: false,
      automargin: 'width',
    };
  }
  return { data, layout, points };
}

/** The new time window of a plotly_relayout event: a range, 'auto' (reset), or null (no x change). */
export function relayoutRange(ev: Record<string, unknown>): [number, number] | 'auto' | null {
  if (ev['xaxis.autorange'] === true) return 'auto';
  const a = ev['xaxis.range[0]'];
  const b = ev['xaxis.range[1]'];
  if (typeof a === 'number' && typeof b === 'number') return [a, b];
  const r = ev['xaxis.range'];
  if (Array.isArray(r) && typeof r[0] === 'number' && typeof r[1] === 'number') return [r[0], r[1]];
  return null;
}

/** Order to redraw the panels after panel `source` changed the window: the others first. */
export function redrawOrder(n: number, source: number | null): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (i !== source) out.push(i);
  if (source !== null && source >= 0 && source < n) out.push(source);
  return out;
}
