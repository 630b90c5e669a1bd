import { describe, it, expect } from 'vitest';
import { CellParamsSchema, parseCellParams, type CellParams } from './params';
import { createEcmFleet, stepEcmFleet, currentForVoltage, currentForPower, currentForResistance, fleetWarnings, terminalVoltageAfter } from './ecm';
import { getParamSet, listParamSets } from './paramSets';

function synthetic(over: Partial<CellParams> = {}): CellParams {
  const soc = [0, 0.5, 1];
  const temps = [0, 25];
  const flat = (v: number) => temps.map(() => soc.map(() => v));
  return CellParamsSchema.parse({
    name: 'synthetic',
    chemistry: 'other',
    source: 'unit test',
    capacityAh: 2,
    vMinV: 2.5,
    vMaxV: 4.2,
    socBreakpoints: soc,
    tempBreakpointsC: temps,
    ocvV: temps.map(() => [3.0, 3.6, 4.2]),
    r0Ohm: flat(0.02),
    r1Ohm: flat(0.01),
    c1F: flat(2000),
    thermal: { massKg: 0.05, cpJPerKgK: 1000, hConvWPerM2K: 0, areaM2: 0.004 },
    ...over,
  });
}

describe('ECM closed forms', () => {
  it('RC step response v1 = -I R1 (1 - exp(-t/(R1 C1))) with exact ZOH, any dt', () => {
    const p = synthetic({ ocvV: [[3.7, 3.7, 3.7], [3.7, 3.7, 3.7]] });
    const f = createEcmFleet(p, 1, { soc: 0.9, tempC: 25 });
    const I = 3;
    const cur = new Float64Array([I]);
    const tau = 0.01 * 2000;
    let t = 0;
    const dts = [0.1, 1, 2.5, 0.3, 7, 1, 1, 1, 13];
    for (const dt of dts) {
      stepEcmFleet(f, p, cur, 25, dt);
      t += dt;
      const v1 = -I * 0.01 * (1 - Math.exp(-t / tau));
      expect(f.v1V[0]).toBeCloseTo(v1, 12);
      expect(f.terminalV[0]).toBeCloseTo(3.7 - I * 0.02 + v1, 12);
    }
  });

  it('2RC step response sums both branches', () => {
    const p = synthetic({ ocvV: [[3.7, 3.7, 3.7], [3.7, 3.7, 3.7]], r2Ohm: [[0.005, 0.005, 0.005], [0.005, 0.005, 0.005]], c2F: [[40000, 40000, 40000], [40000, 40000, 40000]] });
    const f = createEcmFleet(p, 3, { soc: 0.9, tempC: 25, rcPairs: 2 });
    const I = 2;
    const cur = new Float64Array([I, I, I]);
    for (let k = 0; k < 100; k++) stepEcmFleet(f, p, cur, 25, 1);
    const v1 = -I * 0.01 * (1 - Math.exp(-100 / 20));
    const v2 = -I * 0.005 * (1 - Math.exp(-100 / 200));
    for (let i = 0; i < 3; i++) expect(f.terminalV[i]).toBeCloseTo(3.7 - I * 0.02 + v1 + v2, 12);
  });

  it('adiabatic heating dT = I^2 R0 t / (m cp)', () => {
    const p = synthetic({ r1Ohm: [[1e-9, 1e-9, 1e-9], [1e-9, 1e-9, 1e-9]] });
    const f = createEcmFleet(p, 2, { soc: 1, tempC: 10 });
    const cur = new Float64Array([4, -4]);
    for (let k = 0; k < 600; k++) stepEcmFleet(f, p, cur, 10, 1);
    const dT = (16 * 0.02 * 600) / (0.05 * 1000);
    expect(f.tempC[0] - 10).toBeCloseTo(dT, 6);
    expect(f.tempC[1] - 10).toBeCloseTo(dT, 6);
    expect(f.heatW[0]).toBeCloseTo(16 * 0.02, 6);
  });

  it('convection: constant heat relaxes to Tamb + Q/(hA) with time constant m cp / hA', () => {
    const p = synthetic({ r1Ohm: [[1e-9, 1e-9, 1e-9], [1e-9, 1e-9, 1e-9]], thermal: { massKg: 0.05, cpJPerKgK: 1000, hConvWPerM2K: 20, areaM2: 0.005 } });
    const f = createEcmFleet(p, 1, { soc: 0.5, tempC: 25 });
    const cur = new Float64Array([0]);
    // pure cooling from 35 degC to 25 degC ambient
    f.tempC[0] = 35;
    for (let k = 0; k < 300; k++) stepEcmFleet(f, p, cur, 25, 2);
    const tau = (0.05 * 1000) / (20 * 0.005);
    expect(f.tempC[0]).toBeCloseTo(25 + 10 * Math.exp(-600 / tau), 9);
  });

  it('coulomb counting over a known profile', () => {
    const p = synthetic();
    const f = createEcmFleet(p, 1, { soc: 0.8, tempC: 25 });
    const cur = new Float64Array(1);
    const profile: [number, number, number][] = [
      [2, 0.5, 1000], // A, dt, steps
      [-1, 2, 300],
      [4, 0.1, 2000],
      [0, 10, 10],
    ];
    let ah = 0;
    for (const [I, dt, steps] of profile) {
      cur[0] = I;
      for (let k = 0; k < steps; k++) stepEcmFleet(f, p, cur, 25, dt);
      ah += (I * dt * steps) / 3600;
    }
    expect(f.soc[0]).toBeCloseTo(0.8 - ah / 2, 12);
    f.capacityAh[0] = 1;
    cur[0] = 1;
    stepEcmFleet(f, p, cur, 25, 36);
    expect(f.soc[0]).toBeCloseTo(0.8 - ah / 2 - 0.01, 12);
  });

  it('fast (table) and general (per-cell exp) paths agree', () => {
    const p = getParamSet('panasonic-ncr18650pf');
    const a = createEcmFleet(p, 1, { soc: 0.9, tempC: 5 });
    const b = createEcmFleet(p, 400, { soc: 0.9, tempC: 5 });
    for (let k = 0; k < 500; k++) {
      const I = 3 * Math.sin(k / 7) + 1;
      stepEcmFleet(a, p, new Float64Array([I]), 5, 1 + (k % 2) * 1e-9); // alternating dt: per-cell path
      stepEcmFleet(b, p, new Float64Array(400).fill(I), 5, 1);
    }
    // interpolating exp(-dt/tau) vs interpolating tau: differ by a few mV at most
    expect(Math.abs(a.terminalV[0] - b.terminalV[399])).toBeLessThan(3e-3);
    expect(Math.abs(a.tempC[0] - b.tempC[0])).toBeLessThan(5e-3);
  });

  it('currentForVoltage / currentForPower hit their targets at the end of the step', () => {
    const p = getParamSet('panasonic-ncr18650pf');
    const f = createEcmFleet(p, 1, { soc: 0.6, tempC: 25 });
    const I = currentForVoltage(f, p, 0, 3.5, 1);
    expect(terminalVoltageAfter(f, p, 0, I, 1)).toBeCloseTo(3.5, 9);
    stepEcmFleet(f, p, new Float64Array([I]), 25, 1);
    expect(f.terminalV[0]).toBeCloseTo(3.5, 6);
    const Ic = currentForVoltage(f, p, 0, 4.1, 1);
    expect(Ic).toBeLessThan(0);
    const Ip = currentForPower(f, p, 0, 10, 1);
    expect(Ip * terminalVoltageAfter(f, p, 0, Ip, 1)).toBeCloseTo(10, 6);
    const In = currentForPower(f, p, 0, -8, 1);
    expect(In * terminalVoltageAfter(f, p, 0, In, 1)).toBeCloseTo(-8, 6);
    // unreachable power: returns the max-power current (finite)
    const Imax = currentForPower(f, p, 0, 1e6, 1);
    expect(Number.isFinite(Imax)).toBe(true);
    expect(Imax * terminalVoltageAfter(f, p, 0, Imax, 1)).toBeLessThan(1e6);
  });

  it('currentForResistance gives V = I R at the end of the step', () => {
    const p = getParamSet('nmc-huria2012');
    const f = createEcmFleet(p, 1, { soc: 0.7, tempC: 20 });
    const I = currentForResistance(f, p, 0, 0.5, 1);
    expect(I).toBeGreaterThan(0);
    expect(terminalVoltageAfter(f, p, 0, I, 1)).toBeCloseTo(I * 0.5, 9);
  });

  it('reversible heat -I T dU/dT (adiabatic, R1 ~ 0): dT = -I T dUdT t / (m cp) for small rises', () => {
    const soc = [0, 1];
    const p = synthetic({
      socBreakpoints: soc,
      ocvV: [[3.7, 3.7], [3.7, 3.7]],
      r0Ohm: [[0, 0], [0, 0]],
      r1Ohm: [[1e-9, 1e-9], [1e-9, 1e-9]],
      c1F: [[1, 1], [1, 1]],
      dUdTVPerK: [-5e-4, -5e-4],
    });
    const f = createEcmFleet(p, 1, { soc: 0.9, tempC: 25 });
    for (let k = 0; k < 60; k++) stepEcmFleet(f, p, new Float64Array([2]), 25, 1);
    // heat = -I (T + 273.15) dUdT = 2 * 298.15 * 5e-4 W at the start; T rises slowly
    const q0 = 2 * 298.15 * 5e-4;
    expect(f.tempC[0] - 25).toBeGreaterThan((q0 * 60) / 50);
    expect(f.tempC[0] - 25).toBeLessThan((q0 * 60 * 1.001) / 50);
    // charging with dU/dT < 0 cools the cell
    const g = createEcmFleet(p, 1, { soc: 0.5, tempC: 25 });
    stepEcmFleet(g, p, new Float64Array([-2]), 25, 10);
    expect(g.tempC[0]).toBeLessThan(25);
  });

  it('one-state hysteresis (Plett 2004): h -> -1 on discharge, V shifted by M h', () => {
    const p = synthetic({ ocvV: [[3.7, 3.7, 3.7], [3.7, 3.7, 3.7]], hysteresis: { maxV: [0.02], gamma: 50 } });
    const f = createEcmFleet(p, 1, { soc: 0.8, tempC: 25 });
    const I = 2;
    let t = 0;
    for (let k = 0; k < 100; k++) {
      stepEcmFleet(f, p, new Float64Array([I]), 25, 1);
      t += 1;
    }
    const h = -(1 - Math.exp(-(50 * I * t) / (3600 * 2)));
    expect(f.hyst[0]).toBeCloseTo(h, 12);
    const v1 = -I * 0.01 * (1 - Math.exp(-t / 20));
    expect(f.terminalV[0]).toBeCloseTo(3.7 + 0.02 * h - I * 0.02 + v1, 12);
  });

  it('surface-SOC lag: delta = lagS I / (3600 Q) (1 - exp(-t/tauS)), OCV read at z - delta (any dt)', () => {
    // linear OCV (1.2 V per unit SOC), so V = OCV(z) + 1.2 (-delta) - I R0 + v1 exactly
    const p = synthetic({ surfaceSoc: { tauS: [30, 10], lagS: [90, 40] } });
    const f = createEcmFleet(p, 1, { soc: 0.9, tempC: 25 });
    const I = 2;
    const cur = new Float64Array([I]);
    let t = 0;
    for (const dt of [0.1, 1, 2.5, 0.3, 7, 1, 1, 1, 13, 60]) {
      stepEcmFleet(f, p, cur, 25, dt);
      f.tempC[0] = 25; // isothermal check
      t += dt;
      const delta = ((40 * I) / (3600 * 2)) * (1 - Math.exp(-t / 10));
      const z = 0.9 - (I * t) / 3600 / 2;
      const v1 = -I * 0.01 * (1 - Math.exp(-t / 20));
      expect(f.surfLag[0]).toBeCloseTo(delta, 12);
      expect(f.soc[0]).toBeCloseTo(z, 12);
      expect(f.terminalV[0]).toBeCloseTo(3.0 + 1.2 * (z - delta) - I * 0.02 + v1, 9);
    }
    // rest: the lag relaxes with tauS, the voltage recovers toward OCV(z)
    const d0 = f.surfLag[0];
    cur[0] = 0;
    stepEcmFleet(f, p, cur, 25, 10);
    expect(f.surfLag[0]).toBeCloseTo(d0 * Math.exp(-1), 12);
    // the operating-mode solvers see the lag too
    const it = currentForVoltage(f, p, 0, 3.5, 1);
    expect(terminalVoltageAfter(f, p, 0, it, 1)).toBeCloseTo(3.5, 9);
  });
  it('clamps out-of-range SOC and temperature with a warning, never NaN', () => {
    const p = synthetic();
    const f = createEcmFleet(p, 1, { soc: 0.01, tempC: -30 });
    const cur = new Float64Array([4]);
    for (let k = 0; k < 100; k++) stepEcmFleet(f, p, cur, -30, 1);
    expect(f.soc[0]).toBeLessThan(0);
    expect(Number.isFinite(f.terminalV[0])).toBe(true);
    const w = fleetWarnings(f, p).join('\n');
    expect(w).toMatch(/SOC: \d+ lookup\(s\) below/);
    expect(w).toMatch(/temperature \(degC\): \d+ lookup\(s\) below/);
  });
});

describe('parameter sets and schema', () => {
  it('lists and validates every built-in set', () => {
    const names = listParamSets();
    expect(names).toContain('panasonic-ncr18650pf');
    expect(names).toContain('pybamm-ecm-example');
    for (const n of names) {
      const p = getParamSet(n);
      expect(p.name.startsWith(n)).toBe(true); // 'samsung-94ah' carries a longer display name
      const f = createEcmFleet(p, 1, { soc: 0.5, tempC: 25 });
      expect(f.terminalV[0]).toBeGreaterThan(p.vMinV);
      expect(f.terminalV[0]).toBeLessThan(p.vMaxV);
    }
  });
  it('unknown set names list the known ones', () => {
    expect(() => getParamSet('nope')).toThrow(/known sets: .*panasonic-ncr18650pf/);
  });
  it('reports schema problems with a path', () => {
    const bad = { ...synthetic(), r0Ohm: [[0.01, 0.01], [0.01, 0.01, 0.01]], capacityAh: -1 };
    const r = parseCellParams(bad);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.issues.some((i) => i.path.join('.') === 'capacityAh')).toBe(true);
    }
    const r2 = parseCellParams({ ...synthetic(), r0Ohm: [[0.01, 0.01], [0.01, 0.01, 0.01]] });
    expect(r2.ok).toBe(false);
    if (!r2.ok) expect(r2.issues.some((i) => i.path.join('.') === 'r0Ohm.0' && /needs 3 values/.test(i.message))).toBe(true);
  });
});

describe('kernels', () => {
  it('the current-dependent kernel matches the general per-cell path', () => {
    const p = getParamSet('panasonic-ncr18650pf');
    for (const rc of [1, 2] as const) {
      const a = createEcmFleet(p, 100, { soc: 0.95, tempC: -5, rcPairs: rc }); // table path (kernelCur)
      const b = createEcmFleet(p, 100, { soc: 0.95, tempC: -5, rcPairs: rc });
      const cur = new Float64Array(100);
      for (let k = 0; k < 300; k++) {
        for (let i = 0; i < 100; i++) cur[i] = (i % 9) * 2.5 * Math.sin(k / 11 + i) + 1; // up to 21 A: clamps |I|
        stepEcmFleet(a, p, cur, -5, 1);
        stepEcmFleet(b, p, cur, -5, 1 + (k % 2) * 1e-12); // alternating dt: per-cell exp path
      }
      for (let i = 0; i < 100; i += 17) {
        expect(Math.abs(a.terminalV[i] - b.terminalV[i])).toBeLessThan(3e-3);
        expect(Math.abs(a.soc[i] - b.soc[i])).toBeLessThan(1e-9);
      }
      expect(fleetWarnings(a, p).join(' ')).toMatch(/current/);
    }
  });
});
