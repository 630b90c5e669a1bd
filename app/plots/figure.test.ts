import { describe, expect, it } from 'vitest';
import { PANELS } from './channels';
import {
  bucketsFor,
  MARGIN_B_AXIS_PX,
  MARGIN_L_PX,
  MARGIN_R_PX,
  MARGIN_R_SECONDARY_PX,
  legendTopPx,
  MARGIN_T_PX,
  MIN_PLOT_H_PX,
  panelFigure,
  panelGeometry,
  panelKey,
  prepare,
  redrawOrder,
  relayoutRange,
  type Prepared,
} from './figure';
import { systemPanels } from './systemChannels';

const colors = { fg: '#000', grid: '#ccc', muted: '#888' };

function v1Run(n: number, withPack = false) {
  const t = new Float64Array(n);
  const v = new Float64Array(n);
  const soc = new Float64Array(n);
  const i = new Float64Array(n);
  const temp = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    t[k] = k;
    v[k] = 4.2 - k / n;
    soc[k] = 1 - k / n;
    i[k] = k % 2 ? 1 : -1;
    temp[k] = 25 + Math.sin(k);
  }
  const channels = [
    { name: 'time_s', unit: 's', data: t },
    { name: 'voltage_V', unit: 'V', data: v },
    { name: 'current_A', unit: 'A', data: i },
    { name: 'soc', unit: '1', data: soc },
    { name: 'temp_C', unit: 'degC', data: temp },
  ];
  if (withPack) channels.push({ name: 'cell_v_min_V', unit: 'V', data: v.map((x) => x / 10) }, { name: 'cell_v_max_V', unit: 'V', data: v.map((x) => x / 10 + 0.01) });
  return channels;
}

function prepared(n: number, withPack = false): Prepared {
  const p = prepare(v1Run(n, withPack), n - 1, 'run-1');
  if (typeof p === 'string') throw new Error(p);
  return p;
}

describe('prepare', () => {
  it('the recorded arrays (not copied), the axis unit, SOC scale, one series list per panel', () => {
    const run = v1Run(4000);
    const p = prepare(run, 3999, 'run-1');
    if (typeof p === 'string') throw new Error(p);
    expect(p.axisUnit).toBe('min');
    expect(p.divisor).toBe(60);
    expect(p.timeS).toBe(run[0].data);
    expect(p.panelSeries.map((s) => s.map((c) => c.label))).toEqual([['terminal V'], ['current (+ discharge)'], ['SOC'], ['temperature']]);
    expect(p.panelSeries[2][0].y).toBe(run[3].data);
    expect(p.panelSeries[2][0].scale).toBe(100);
    expect(p.full).toEqual([0, 3999 / 60]);
    expect(p.packLegend).toBe(false);
    expect(p.anySecondary).toBe(false);
  });

  it('messages when there is nothing to draw', () => {
    expect(prepare([{ name: 'time_s', unit: 's', data: new Float64Array(0) }], 0, 'k')).toMatch(/no samples/);
    expect(prepare(v1Run(10), 9, 'k', [{ title: 'X', unit: 'x', channels: [{ name: 'nope', label: 'n' }] }])).toMatch(/None of the chosen/);
  });

  it('a pack run: cell voltages on the right-hand axis, with legends', () => {
    const p = prepared(100, true);
    expect(p.anySecondary).toBe(true);
    expect(p.packLegend).toBe(true);
    expect(p.panelSeries[0].map((s) => s.secondary)).toEqual([false, true, true]);
  });
});

describe('panelGeometry', () => {
  it('stacks the figures with no gap and gives every plotting area the same height', () => {
    const p = prepared(100, true);
    const g = panelGeometry(p, 700.6, 600);
    expect(g.widthPx).toBe(700);
    expect(g.marginL).toBe(MARGIN_L_PX);
    expect(g.marginR).toBe(MARGIN_R_SECONDARY_PX);
    const plotH = g.boxes.map((b) => b.heightPx - b.t - b.b);
    expect(new Set(plotH).size).toBe(1);
    for (let i = 1; i < g.boxes.length; i++) expect(g.boxes[i].topPx).toBe(g.boxes[i - 1].topPx + g.boxes[i - 1].heightPx);
    const last = g.boxes[g.boxes.length - 1];
    expect(last.topPx + last.heightPx).toBeLessThanOrEqual(600);
    expect(last.topPx + last.heightPx).toBeGreaterThan(600 - g.boxes.length);
    // the voltage panel (3 series) has a legend and the room above it for one; the bottom panel
    // holds the time axis
    expect(g.boxes[0].legend).toBe(true);
    expect(g.boxes[0].t).toBe(legendTopPx(['terminal V', 'cell min', 'cell max'], 700 - g.marginL - g.marginR));
    expect(g.boxes[1].legend).toBe(false);
    expect(g.boxes[1].t).toBe(MARGIN_T_PX);
    expect(last.b).toBe(MARGIN_B_AXIS_PX);
    expect(g.plotTopPx).toBe(g.boxes[0].t);
    expect(g.plotBottomPx).toBe(last.topPx + last.heightPx - last.b);
  });

  it('keeps a minimum plotting height when the area is too small', () => {
    const g = panelGeometry(prepared(100), 500, 50);
    for (const b of g.boxes) expect(b.heightPx - b.t - b.b).toBe(MIN_PLOT_H_PX);
  });

  it('adopts the top / bottom margins Plotly needed before for the same panel (no push, no second pass)', () => {
    const p = prepared(100, true);
    const key = panelKey(p, 2);
    const g = panelGeometry(p, 700, 600, MARGIN_L_PX, 48, (k) => (k === key ? { t: 31, b: 3 } : undefined));
    expect(g.boxes[2].t).toBe(31);
    expect(g.boxes[2].b).toBe(panelGeometry(p, 700, 600).boxes[2].b); // never below the default
    const plotH = g.boxes.map((b) => b.heightPx - b.t - b.b);
    expect(new Set(plotH).size).toBe(1);
    // the key tells panels apart by title, legend labels and position
    expect(new Set(p.panels.map((_, i) => panelKey(p, i))).size).toBe(p.panels.length);
  });

  it('uses the shared margins it is given', () => {
    const g = panelGeometry(prepared(100), 500, 400, 71, 20);
    expect([g.marginL, g.marginR]).toEqual([71, 20]);
    expect(panelGeometry(prepared(100), 500, 400).marginR).toBe(MARGIN_R_PX);
  });
});

describe('panelFigure', () => {
  const p = prepared(100_000, true);
  const g = panelGeometry(p, 800, 600);
  const len = g.widthPx - g.marginL - g.marginR;

  it('every panel: same width and left / right margins, the shared window, x labels on the bottom panel only', () => {
    const figs = p.panels.map((_, i) => panelFigure(p, i, g, [10, 20], bucketsFor(len), colors));
    for (const [i, f] of figs.entries()) {
      const l = f.layout as { width: number; height: number; margin: { l: number; r: number; t: number; b: number }; xaxis: { range: number[]; showticklabels: boolean; title?: unknown } };
      expect(l.width).toBe(800);
      expect(l.height).toBe(g.boxes[i].heightPx);
      expect([l.margin.l, l.margin.r]).toEqual([g.marginL, g.marginR]);
      expect([l.margin.t, l.margin.b]).toEqual([g.boxes[i].t, g.boxes[i].b]);
      expect(l.xaxis.range).toEqual([10, 20]);
      expect(l.xaxis.showticklabels).toBe(i === figs.length - 1);
      expect(l.xaxis.title !== undefined).toBe(i === figs.length - 1);
    }
  });

  it('decimates each series to at most 2 points per pixel bucket (+ window edges), keeping the extremes', () => {
    const buckets = bucketsFor(len);
    const f = panelFigure(p, 0, g, p.full, buckets, colors);
    expect(f.data).toHaveLength(3);
    for (const d of f.data) {
      expect(d.x.length).toBeLessThanOrEqual(2 * buckets + 4);
      expect(d.x.length).toBeGreaterThan(buckets);
    }
    expect(f.points).toBe(f.data.reduce((a, d) => a + d.x.length, 0));
    // the voltage falls monotonically: first and last sample survive
    expect(f.data[0].y[0]).toBe(p.panelSeries[0][0].y[0]);
    expect(f.data[0].y[f.data[0].y.length - 1]).toBe(p.panelSeries[0][0].y[99_999]);
    // the current alternates +1 / -1: both extremes survive in every bucket
    const cur = panelFigure(p, 1, g, p.full, buckets, colors).data[0];
    expect(Math.min(...cur.y)).toBe(-1);
    expect(Math.max(...cur.y)).toBe(1);
  });

  it('a panel with cell voltages gets a right-hand axis overlaying its own; others do not', () => {
    const f0 = panelFigure(p, 0, g, p.full, 100, colors);
    // y axes may widen the shared left / right margins, never the top / bottom ones
    expect((f0.layout.yaxis as { automargin: unknown }).automargin).toBe('width');
    expect((f0.layout.yaxis2 as { automargin: unknown }).automargin).toBe('width');
    expect(f0.data.map((d) => d.yaxis)).toEqual(['y', 'y2', 'y2']);
    expect((f0.layout.yaxis2 as { overlaying: string; side: string }).overlaying).toBe('y');
    expect(f0.data.every((d) => d.showlegend)).toBe(true);
    const f1 = panelFigure(p, 1, g, p.full, 100, colors);
    expect(f1.layout.yaxis2).toBeUndefined();
    expect(f1.data[0].showlegend).toBe(false);
    expect((f1.layout.yaxis as { zeroline: boolean }).zeroline).toBe(true);
  });

  it('points in the axis unit and display scale; a window given in the axis unit', () => {
    // 4000 samples at 1 s, axis in min; few enough points for the window to come back whole
    const q = prepared(4000);
    const gq = panelGeometry(q, 800, 600);
    const soc = panelFigure(q, 2, gq, [10, 20], 1000, colors).data[0];
    // the window 10..20 min = samples 600..1200, plus one neighbour each side, as they are
    expect(soc.x.length).toBe(603);
    expect(soc.x[0]).toBe(599 / 60);
    expect(soc.x[602]).toBe(1201 / 60);
    for (let k = 0; k < soc.x.length; k++) {
      const i = 599 + k;
      expect(soc.x[k]).toBe(i / 60);
      expect(soc.y[k]).toBe((1 - i / 4000) * 100);
    }
    // the recorded arrays are untouched
    expect(q.timeS[1200]).toBe(1200);
    expect(q.panelSeries[2][0].y[0]).toBe(1);
  });

  it('v2 panels: one figure per unit group', () => {
    const t = new Float64Array([0, 1, 2]);
    const ch = [
      { name: 'time_s', unit: 's', data: t },
      { name: 'a.temp_C', unit: 'degC', data: t },
      { name: 'b.temp_C', unit: 'degC', data: t },
      { name: 'hvac.power_W', unit: 'W', data: t },
    ];
    const panels = systemPanels(ch, ['a.temp_C', 'b.temp_C', 'hvac.power_W']);
    const q = prepare(ch, 2, 'k', panels);
    if (typeof q === 'string') throw new Error(q);
    expect(q.packLegend).toBe(true);
    const gq = panelGeometry(q, 400, 300);
    expect(gq.boxes.map((b) => b.legend)).toEqual([true, false]);
    const power = panelFigure(q, 1, gq, q.full, 50, colors);
    expect(Array.from(power.data[0].y)).toEqual([0, 1e-3, 2e-3]);
    expect((power.layout.yaxis as { title: { text: string } }).title.text).toBe('Power (kW)');
  });
});

describe('legendTopPx', () => {
  it('one row when the entries fit (37 px, as Plotly pushes it); else equal columns of the widest entry', () => {
    expect(legendTopPx(['a', 'b'], 600)).toBe(37);
    // the container run's temperature panel: 7 entries, the widest 46 characters (316 px):
    // 2 columns in 661 px, 4 rows; Plotly pushed 94 px
    const labels = [
      'site1/container1.temp_max_C',
      'ambient.temp_C',
      'site1/container1/air.temp_C',
      ...[1, 2, 3, 4].map((m) => `site1/container1/rack01/module0${m}/tsensor.temp_C`),
    ];
    expect(legendTopPx(labels, 661)).toBe(94);
    // its power panel: 3 entries in one row
    expect(legendTopPx(['site1/container1.power_W', 'site1/container1/hvac.power_W', 'site1/container1/hvac.cooling_W'], 661)).toBe(37);
    // one entry wider than the area still takes one row
    expect(legendTopPx(['x'.repeat(200)], 100)).toBe(37);
  });
});

describe('relayoutRange', () => {
  it('reads zoom, pan and reset events; ignores y-only changes', () => {
    expect(relayoutRange({ 'xaxis.range[0]': 1, 'xaxis.range[1]': 2 })).toEqual([1, 2]);
    expect(relayoutRange({ 'xaxis.range': [3, 4] })).toEqual([3, 4]);
    expect(relayoutRange({ 'xaxis.autorange': true, 'yaxis.autorange': true })).toBe('auto');
    expect(relayoutRange({ 'yaxis.range[0]': 1, 'yaxis.range[1]': 2 })).toBeNull();
    expect(relayoutRange({ 'xaxis.range[0]': '1', 'xaxis.range[1]': 2 })).toBeNull();
  });
});

describe('redrawOrder', () => {
  it('the zoomed panel last, every panel once', () => {
    expect(redrawOrder(4, 1)).toEqual([0, 2, 3, 1]);
    expect(redrawOrder(3, null)).toEqual([0, 1, 2]);
    expect(redrawOrder(2, 5)).toEqual([0, 1]);
  });
});

describe('v1 default panels', () => {
  it('are the four stacked panels', () => {
    expect(prepared(10).panels).toBe(PANELS);
  });
});
