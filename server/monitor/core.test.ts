import { describe, expect, it } from 'vitest';
import { VirtualDevice, parseFault } from '../../bridge/sources/virtual';
import type { Channel } from '../../sim/protocol/bridge';
import { TwinImpl } from '../../workers/live/TwinImpl';
import { MonitorCore, RESTART_BACKSTEP_S, type MonitorAlert } from './core';
import { MONITOR_DEFAULTS } from './settings';

const R0 = 1.7e12;

/** rows of one slot in the wire format: [t, r, v...] per sample, NaN for null */
function pack(slot: number, rows: { t: number; r: number; v: (number | null)[] }[]) {
  const width = 2 + rows[0].v.length;
  const data = new Float64Array(rows.length * width);
  rows.forEach((s, j) => {
    data[j * width] = s.t;
    data[j * width + 1] = s.r;
    s.v.forEach((x, c) => (data[j * width + 2 + c] = x === null ? NaN : x));
  });
  return { index: Int32Array.of(slot, rows.length, width), data };
}

/** A virtual device (bridge/sources/virtual.ts) sampled at 10 Hz for `seconds`, in 1 s batches. */
function deviceBatches(fault: string | undefined, seconds: number, seed = 3) {
  const dev = new VirtualDevice({ paramSet: 'panasonic-ncr18650pf', seed, fault: parseFault(fault), ambientC: 25 });
  const batches: { t: number; r: number; v: (number | null)[] }[][] = [[{ t: 0, r: R0, v: [0, dev.pack.packV, 25, 25] }]];
  for (let k = 0; k < seconds; k++) {
    const b = [];
    for (let j = 0; j < 10; j++) {
      const v = dev.step(0.1);
      b.push({ t: dev.timeS, r: R0 + Math.round(dev.timeS * 1000), v });
    }
    batches.push(b);
  }
  return { channels: dev.channels, batches };
}

function run(core: MonitorCore, slot: number, batches: { t: number; r: number; v: (number | null)[] }[][]) {
  const out: MonitorAlert[] = [];
  let samples = 0;
  let resets = 0;
  for (const b of batches) {
    const p = pack(slot, b);
    const r = core.process(p.index, 1, p.data, out);
    samples += r.samples;
    resets += r.resets;
  }
  return { out, samples, resets };
}

const cell: Channel[] = [
  { id: 'i', name: 'current', unit: 'A', kind: 'current', range: [-8, 8] },
  { id: 'v', name: 'voltage', unit: 'V', kind: 'voltage', range: [2, 4.4] },
  { id: 'T', name: 'cell temperature', unit: 'degC', kind: 'temperature', range: [-20, 80] },
];

describe('MonitorCore (server-side twin + safety checks on typed-array batches)', () => {
  it('raises nothing for a healthy virtual device', () => {
    const core = new MonitorCore(MONITOR_DEFAULTS);
    const d = deviceBatches(undefined, 240);
    expect(core.open(1, 'dev-a', d.channels)).toEqual({ ok: true });
    const r = run(core, 1, d.batches);
    expect(r.samples).toBe(2401);
    expect(r.out).toEqual([]);
  });

  it('raises the residual alarm once when the device develops a resistance fault', () => {
    const core = new MonitorCore(MONITOR_DEFAULTS);
    const d = deviceBatches('r0:4@100', 240);
    core.open(7, 'dev-b', d.channels);
    const { out } = run(core, 7, d.batches);
    expect(out).toHaveLength(1);
    const a = out[0];
    expect(a).toMatchObject({ deviceId: 'dev-b', source: 'twin', code: 'RESIDUAL_V', severity: 'alarm' });
    expect(a.deviceT).toBeGreaterThan(100);
    expect(Math.abs(a.value!)).toBeGreaterThan(0.05);
    // the occurrence is the bridge receive time of the sample that raised it
    expect(a.atMs).toBe(R0 + Math.round(a.deviceT * 1000));
    expect(a.message).toMatch(/^measured - twin voltage beyond 50 mV for 5 s \(-?\d+ mV at device t = \d+\.\d s\)$/);
  });

  it('reports each occurrence of a safety condition once: a repeat is a second alarm with a later time', () => {
    const core = new MonitorCore(MONITOR_DEFAULTS);
    core.open(1, 'dev-c', cell);
    // 1 A discharge, 3.7 V; the cell temperature reads 47 degC (above the 45 degC warning, below
    // the 50 degC alarm; debounce 2 s) from 10 to 20 s and from 40 to 50 s, else 25 degC
    const rows = [];
    for (let k = 0; k <= 600; k++) {
      const t = k * 0.1;
      const hot = (t >= 10 && t < 20) || (t >= 40 && t < 50);
      rows.push({ t, r: R0 + k * 100, v: [1, 3.7, hot ? 47 : 25] });
    }
    const { out } = run(core, 1, [rows.slice(0, 300), rows.slice(300)]);
    expect(out.map((a) => [a.code, a.severity, a.source])).toEqual([
      ['OT_WARN', 'warning', 'safety'],
      ['OT_WARN', 'warning', 'safety'],
    ]);
    expect(out[0].deviceT).toBeCloseTo(12, 6);
    expect(out[0].atMs).toBe(R0 + 120 * 100);
    expect(out[1].deviceT).toBeCloseTo(42, 6);
    expect(out[1].atMs).toBe(R0 + 420 * 100);
    expect(out[0].message).toBe('OT_WARN on cell: 47.000 (device t = 12.0 s)');
  });

  it('raises exactly what the live page reports for the same samples (same codes, times, values)', () => {
    for (const fault of ['r0:4@60', 'temp-drift:1800']) {
      const d = deviceBatches(fault, 150, 5);
      const core = new MonitorCore(MONITOR_DEFAULTS);
      core.open(2, 'dev-d', d.channels);
      const server = run(core, 2, d.batches).out;
      // the live page: TwinImpl in its worker, then app/live/LivePage.tsx turns the frame into reports
      const page = new TwinImpl();
      page.configure({ channels: d.channels, thresholdV: 0.05, holdS: 5 });
      const reports: { code: string; severity: string; atMs?: number; deviceT: number }[] = [];
      for (const b of d.batches) {
        const f = page.process(b);
        for (const x of f.events) if (x.kind === 'raised') reports.push({ code: 'RESIDUAL_V', severity: 'alarm', atMs: x.atMs, deviceT: x.t });
        for (const x of f.safety) if (x.severity !== 'info') reports.push({ code: x.code, severity: x.severity, atMs: x.atMs, deviceT: x.t });
      }
      expect(server.length).toBeGreaterThan(0);
      const key = (x: { code: string; severity: string; atMs?: number; deviceT: number }) => `${x.code}|${x.severity}|${x.atMs}|${x.deviceT}`;
      expect(server.map(key).sort()).toEqual(reports.map(key).sort());
    }
  });

  it('starts a fresh twin when device time goes back (a restarted device)', () => {
    const core = new MonitorCore(MONITOR_DEFAULTS);
    core.open(1, 'dev-e', cell);
    const rows = (t0: number, n: number) => Array.from({ length: n }, (_, k) => ({ t: t0 + k * 0.1, r: R0 + k, v: [1, 3.7, 25] }));
    expect(run(core, 1, [rows(100, 50)]).resets).toBe(0);
    // a small step back (jitter) is skipped by the twin, not a restart
    expect(run(core, 1, [rows(104.9 - RESTART_BACKSTEP_S / 2, 5)]).resets).toBe(0);
    expect(run(core, 1, [rows(0, 50)]).resets).toBe(1);
  });

  it('refuses a device without current or voltage channel; skips samples of unknown slots and keeps its place', () => {
    const core = new MonitorCore(MONITOR_DEFAULTS);
    expect(core.open(1, 'x', [{ id: 'T', name: 'T', unit: 'degC', kind: 'temperature', range: [0, 100] }])).toMatchObject({ ok: false, error: expect.stringMatching(/current or no voltage/) });
    expect(core.size).toBe(0);
    core.open(2, 'dev-f', cell);
    // one message: 3 rows of an unknown slot (width 5), then the device's rows with a 60 degC reading
    const hot = Array.from({ length: 40 }, (_, k) => ({ t: k * 0.1, r: R0 + k, v: [1, 3.7, 60] }));
    const p = pack(2, hot);
    const data = new Float64Array(15 + p.data.length);
    data.fill(99, 0, 15);
    data.set(p.data, 15);
    const out: MonitorAlert[] = [];
    const r = core.process(Int32Array.of(9, 3, 5, 2, 40, 5), 2, data, out);
    expect(r.samples).toBe(40);
    expect(out.map((a) => a.code)).toEqual(['OT_TRIP', 'EMERGENCY_SHUTOFF', 'OT_ALARM', 'OT_WARN']);
    core.close(2);
    expect(core.process(p.index, 1, p.data, out).samples).toBe(0);
  });
});
