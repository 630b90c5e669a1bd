// BMS threshold checks (README: foxBMS 2 defaults discharge 45/50/55 degC, charge 35/40/45 degC).
import { describe, it, expect } from 'vitest';
import { createBmsMonitor, stepBms, resetBms, bmsLimitsFromCell, type BmsMonitor } from './bmsMonitor';

const cell = { vMinV: 2.7, vMaxV: 4.15, capacityAh: 94 };

/** ramp cell 3 of 10 from t0C at rateKPerS, dt 0.1 s, current I; returns the monitor */
function ramp(m: BmsMonitor, t0C: number, rateKPerS: number, durS: number, currentA: number, passExtrema = false) {
  const n = m.n;
  const V = new Float64Array(n).fill(3.7);
  const T = new Float64Array(n).fill(25);
  const dt = 0.1;
  for (let k = 0; k <= Math.round(durS / dt); k++) {
    const t = k * dt;
    T[3] = t0C + rateKPerS * t;
    const ex = passExtrema ? { minV: 3.7, maxV: 3.7, minT: 25, maxT: Math.max(25, T[3]) } : {};
    stepBms(m, { tS: t, cellV: V, cellTempC: T, packCurrentA: currentA, ...ex });
  }
  return m;
}

const find = (m: BmsMonitor, code: string) => m.events.find((e) => e.code === code);

describe('temperature limits (foxBMS 2 defaults)', () => {
  it('discharge: OT warning / alarm / trip at 45 / 50 / 55 degC with their debounce, then shutoff', () => {
    // 0.1 K/s from 40 degC: 45 at 50 s, 50 at 100 s, 55 at 150 s
    const m = ramp(createBmsMonitor(10, bmsLimitsFromCell(cell), { cellTarget: (i) => `site/c1/cell[${i}]` }), 40, 0.1, 200, 50);
    const w = find(m, 'OT_WARN')!;
    const a = find(m, 'OT_ALARM')!;
    const tr = find(m, 'OT_TRIP')!;
    expect(w.severity).toBe('warning');
    expect(w.target).toBe('site/c1/cell[3]');
    expect(w.t_s).toBeGreaterThanOrEqual(50 + 2 - 0.11);
    expect(w.t_s).toBeLessThanOrEqual(50 + 2 + 0.21);
    expect(a.t_s).toBeGreaterThanOrEqual(100 + 1 - 0.11);
    expect(a.t_s).toBeLessThanOrEqual(100 + 1 + 0.21);
    expect(tr.severity).toBe('trip');
    expect(tr.t_s).toBeGreaterThanOrEqual(150 + 0.5 - 0.11);
    expect(tr.t_s).toBeLessThanOrEqual(150 + 0.5 + 0.21);
    expect(m.contactorsOpen).toBe(true);
    expect(m.loadRemoved).toBe(true);
    expect(m.shutoffCause).toBe('OT_TRIP');
    expect(find(m, 'EMERGENCY_SHUTOFF')!.t_s).toBe(tr.t_s);
    // no other cell raised anything
    expect(m.events.every((e) => e.target === 'site/c1/cell[3]' || e.code === 'EMERGENCY_SHUTOFF')).toBe(true);
  });
  it('charge: 35 / 40 / 45 degC', () => {
    const m = ramp(createBmsMonitor(10, bmsLimitsFromCell(cell)), 30, 0.1, 200, -50);
    expect(find(m, 'OT_WARN')!.t_s).toBeCloseTo(50 + 2, 0);
    expect(find(m, 'OT_ALARM')!.t_s).toBeCloseTo(100 + 1, 0);
    expect(find(m, 'OT_TRIP')!.t_s).toBeCloseTo(150 + 0.5, 0);
  });
  it('passing extrema gives the same timeline as scanning', () => {
    const a = ramp(createBmsMonitor(10, bmsLimitsFromCell(cell)), 40, 0.1, 200, 50);
    const b = ramp(createBmsMonitor(10, bmsLimitsFromCell(cell)), 40, 0.1, 200, 50, true);
    expect(b.events).toEqual(a.events);
  });
  it('debounce: a 1 s excursion above the warning level raises nothing', () => {
    const m = createBmsMonitor(2, bmsLimitsFromCell(cell));
    const V = new Float64Array(2).fill(3.7);
    const T = new Float64Array(2).fill(25);
    for (let k = 0; k < 100; k++) {
      T[0] = k >= 20 && k < 30 ? 46 : 40;
      stepBms(m, { tS: k * 0.1, cellV: V, cellTempC: T, packCurrentA: 10 });
    }
    expect(m.events).toHaveLength(0);
  });
  it('hysteresis: latched until 2 K below the limit, then can be raised again', () => {
    const m = createBmsMonitor(1, bmsLimitsFromCell(cell));
    const V = new Float64Array(1).fill(3.7);
    const T = new Float64Array(1);
    const seq = [[46, 30], [44, 30], [46, 30], [42, 30], [46, 30]];
    let t = 0;
    for (const [temp, steps] of seq) {
      for (let k = 0; k < steps; k++) {
        T[0] = temp;
        stepBms(m, { tS: t, cellV: V, cellTempC: T, packCurrentA: 10 });
        t += 0.1;
      }
    }
    expect(m.events.filter((e) => e.code === 'OT_WARN')).toHaveLength(2);
  });
  it('under-temperature on charge below 0 degC trips (charge limits 5 / 2 / 0)', () => {
    const m = ramp(createBmsMonitor(10, bmsLimitsFromCell(cell)), 10, -0.1, 150, -20);
    expect(find(m, 'UT_WARN')).toBeDefined();
    expect(find(m, 'UT_TRIP')!.t_s).toBeCloseTo(100 + 0.5, 0);
  });
});

describe('voltage, current, gas', () => {
  it('over-voltage levels derive from vMaxV; under-voltage trip opens the contactors', () => {
    const L = bmsLimitsFromCell(cell);
    expect(L.overVoltageV.warning).toBeCloseTo(4.16, 6);
    const m = createBmsMonitor(4, L);
    const V = new Float64Array(4).fill(3.7);
    const T = new Float64Array(4).fill(25);
    V[1] = 4.17;
    for (let k = 0; k < 40; k++) stepBms(m, { tS: k * 0.1, cellV: V, cellTempC: T, packCurrentA: -10 });
    expect(find(m, 'OV_WARN')!.target).toBe('cell[1]');
    expect(find(m, 'OV_ALARM')).toBeUndefined();
    V[1] = 3.7;
    V[2] = 2.55;
    for (let k = 40; k < 80; k++) stepBms(m, { tS: k * 0.1, cellV: V, cellTempC: T, packCurrentA: 10 });
    expect(find(m, 'UV_TRIP')!.target).toBe('cell[2]');
    expect(m.contactorsOpen).toBe(true);
    resetBms(m, 10);
    expect(m.contactorsOpen).toBe(false);
  });
  it('over-current: discharge 2C and charge 1C defaults (x parallel)', () => {
    const L = bmsLimitsFromCell(cell, { parallel: 2 });
    const m = createBmsMonitor(1, L);
    const V = new Float64Array(1).fill(3.7);
    const T = new Float64Array(1).fill(25);
    for (let k = 0; k < 30; k++) stepBms(m, { tS: k * 0.1, cellV: V, cellTempC: T, packCurrentA: 2 * 94 * 2 * 1.05 });
    expect(find(m, 'OC_WARN')!.target).toBe('pack');
    expect(find(m, 'OC_ALARM')).toBeUndefined();
    const m2 = createBmsMonitor(1, L);
    for (let k = 0; k < 30; k++) stepBms(m2, { tS: k * 0.1, cellV: V, cellTempC: T, packCurrentA: -94 * 2 * 1.25 });
    expect(find(m2, 'OC_TRIP')).toBeDefined();
  });
  it('gas detection: warning and alarm; a failed detector sees nothing', () => {
    const m = createBmsMonitor(1, bmsLimitsFromCell(cell));
    const V = new Float64Array(1).fill(3.7);
    const T = new Float64Array(1).fill(25);
    for (let k = 0; k < 50; k++) stepBms(m, { tS: k * 0.1, cellV: V, cellTempC: T, packCurrentA: 0, gasPpm: 60 });
    expect(find(m, 'GAS_WARN')!.t_s).toBeCloseTo(2, 6);
    expect(find(m, 'GAS_ALARM')).toBeDefined();
    expect(m.contactorsOpen).toBe(false);
    const f = createBmsMonitor(1, bmsLimitsFromCell(cell));
    f.gasDetectorFailed = true;
    for (let k = 0; k < 50; k++) stepBms(f, { tS: k * 0.1, cellV: V, cellTempC: T, packCurrentA: 0, gasPpm: 500 });
    expect(f.events).toHaveLength(0);
  });
  it('event log is capped per code for large fleets', () => {
    const m = createBmsMonitor(1000, bmsLimitsFromCell(cell), { maxEventsPerCode: 5 });
    const V = new Float64Array(1000).fill(3.7);
    const T = new Float64Array(1000).fill(46);
    for (let k = 0; k < 30; k++) stepBms(m, { tS: k * 0.1, cellV: V, cellTempC: T, packCurrentA: 10 });
    const warn = m.events.filter((e) => e.code === 'OT_WARN');
    expect(warn).toHaveLength(5);
    expect(m.events.filter((e) => e.code === 'OT_WARN_MORE')).toHaveLength(1);
    expect(m.eventCount.get('OT_WARN')).toBe(1000);
  });
});
