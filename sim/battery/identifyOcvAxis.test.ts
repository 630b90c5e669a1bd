import { describe, it, expect } from 'vitest';
import { fitOcvShapeCapacity, scaleOcvShape } from './identify';

describe('OCV shape capacity axis', () => {
  it('recovers the Ah-axis factor between a slow-discharge shape and HPPC rest points', () => {
    // synthetic shape with a steep knee near empty, measured on a cell with 3 % more charge
    const soc = Array.from({ length: 121 }, (_, k) => -0.05 + k * 0.01);
    const ocv = (z: number) => 3.3 + 0.8 * z - 0.7 * Math.exp(-(z + 0.05) / 0.03);
    const shape = { soc, voltageV: soc.map(ocv) };
    const gammaTrue = 1.03;
    const truth = scaleOcvShape(shape, gammaTrue);
    const interp = (z: number) => {
      let i = 0;
      while (i < truth.soc.length - 2 && truth.soc[i + 1] < z) i++;
      const w = (z - truth.soc[i]) / (truth.soc[i + 1] - truth.soc[i]);
      return truth.voltageV[i] + w * (truth.voltageV[i + 1] - truth.voltageV[i]);
    };
    const rest = [0.02, 0.035, 0.05, 0.1, 0.5].map((z) => ({ soc: z, voltageV: interp(z), restS: 2000, tempC: 25 }));
    const fit = fitOcvShapeCapacity(shape, rest, 0.15);
    expect(fit.points).toBe(4);
    expect(fit.gamma).toBeCloseTo(gammaTrue, 3);
    expect(fit.rmseMv).toBeLessThan(1);
    // the scaled axis keeps SOC 1 fixed and stretches toward empty
    const s = scaleOcvShape({ soc: [0, 1], voltageV: [3, 4.2] }, 1.05);
    expect(s.soc[1]).toBe(1);
    expect(s.soc[0]).toBeCloseTo(1 - 1 / 1.05, 6);
  });
});

// ---- whole-test merge and surface-SOC lag (H9)
import { mergeHppcWithInterpulse, fitSurfaceSoc, simulateSeriesV, surfaceSocRows } from './identify';
import { CellParamsSchema } from './params';

function cell(surface?: { tauS: number[]; lagS: number[] }) {
  const soc = [0, 0.1, 0.2, 0.5, 1];
  return CellParamsSchema.parse({
    name: 'synthetic-knee',
    chemistry: 'other',
    source: 'unit test',
    capacityAh: 2,
    vMinV: 2.5,
    vMaxV: 4.2,
    socBreakpoints: soc,
    tempBreakpointsC: [25],
    ocvV: [[2.9, 3.35, 3.5, 3.7, 4.15]], // steep near empty, where the surface lag shows
    r0Ohm: [[0.05, 0.04, 0.03, 0.03, 0.03]],
    r1Ohm: [[0.02, 0.02, 0.02, 0.02, 0.02]],
    c1F: [[1000, 1000, 1000, 1000, 1000]],
    ...(surface ? { surfaceSoc: surface } : {}),
    thermal: { massKg: 0.05, cpJPerKgK: 1000, hConvWPerM2K: 10, areaM2: 0.004 },
  });
}

describe('whole HPPC test (H9)', () => {
  it('merges an interpulse file logged on its own clock into the pulse file by the Ah counter', () => {
    // pulse file: a pulse, a gap (the slow discharge runs there), rest, next pulse
    const pulse = { timeS: [0, 10, 20, 30, 1000, 1010, 1020], currentA: [0, 2, 0, 0, 0, 2, 0], voltageV: [4, 3.9, 4, 4, 3.95, 3.85, 3.95], ahAh: [0, -0.0056, -0.0056, -0.0056, -0.1056, -0.1112, -0.1112], tempC: [25, 25, 25, 25, 25, 25, 25] };
    // interpulse file: clock starts 100 s after the pulse file's (offset 100 s)
    const inter = { timeS: [0, 60, 180, 600, 900], currentA: [1, 1, 1, 0, 0], voltageV: [3.9, 3.89, 3.88, 3.95, 3.95], ahAh: [-0.0389, -0.0556, -0.0889, -0.1056, -0.1056], tempC: [25, 25, 25, 25, 25] };
    const m = mergeHppcWithInterpulse(pulse, inter);
    expect(m.offsetS).toBeCloseTo(100, 9);
    expect(m.insertedRows).toBe(4); // the last rest sample coincides with the pulse file's row after the gap
    expect(Array.from(m.timeS)).toEqual([0, 10, 20, 30, 100, 160, 280, 700, 1000, 1010, 1020]);
    expect(Array.from(m.currentA)).toEqual([0, 2, 0, 0, 1, 1, 1, 0, 0, 2, 0]);
    expect(() => mergeHppcWithInterpulse(pulse, { ...inter, ahAh: inter.ahAh.map((a) => a - 1) })).toThrow(/could not align/);
  });

  it('fitSurfaceSoc recovers tauS and lagS from pulses simulated with them', () => {
    // pulse sets at 30 %, 15 % and 8 % SOC: 10 s pulses at 2, 4, 8 A with 120 s rests, 1 s logging
    const t: number[] = [];
    const I: number[] = [];
    let time = 0;
    const push = (a: number, n: number) => {
      for (let k = 0; k < n; k++) {
        time += 1;
        t.push(time);
        I.push(a);
      }
    };
    push(0, 5);
    for (const level of [0.3, 0.15, 0.08]) {
      const now = 1 - I.reduce((s, a) => s + a, 0) / 3600 / 2;
      push(2, Math.round(((now - level) * 2 * 3600) / 2)); // slow discharge to the set at 2 A
      push(0, 600);
      for (const a of [2, 4, 8]) {
        push(a, 10);
        push(0, 120);
      }
    }
    const truth = cell({ tauS: [6], lagS: [40] });
    const s = { timeS: Float64Array.from(t), currentA: Float64Array.from(I), voltageV: new Float64Array(t.length), tempC: new Float64Array(t.length).fill(25) };
    simulateSeriesV(s, truth, 1, s.voltageV);
    const fit = fitSurfaceSoc(s, cell(), { soc0: 1 });
    expect(fit.tauS).toBeGreaterThan(6 * 0.9);
    expect(fit.tauS).toBeLessThan(6 * 1.1);
    expect(fit.lagS).toBeGreaterThan(40 * 0.95);
    expect(fit.lagS).toBeLessThan(40 * 1.05);
    expect(fit.rmseMv).toBeLessThan(0.5);
    expect(fit.rmseWithoutMv).toBeGreaterThan(5);
    expect(fit.atBound).toBe(false);
  });

  it('surfaceSocRows fills unidentified temperatures by Arrhenius (log-linear in 1/T)', () => {
    const f = (tauS: number, lagS: number, atBound = false) => ({ tauS, lagS, rmseMv: 1, rmseWithoutMv: 2, samples: 10, atBound });
    const r = surfaceSocRows([-20, 0, 25, 40], [f(1, 1, true), f(10, 100), f(2, 20), null]);
    expect(r.tauS[1]).toBe(10);
    expect(r.source[0]).toMatch(/Arrhenius from 0 and 25/);
    const inv = (c: number) => 1 / (c + 273.15);
    const w = (inv(40) - inv(0)) / (inv(25) - inv(0));
    expect(r.lagS[3]).toBeCloseTo(Math.exp(Math.log(100) + w * (Math.log(20) - Math.log(100))), 1);
    expect(r.lagS[0]).toBeGreaterThan(100); // colder: slower diffusion, larger lag
  });
});

// ---- sustained-load R1 from a constant-current discharge (H10)
import { fitSustainedR1 } from './identify';

describe('sustained-load R1 (H10)', () => {
  it('fitSustainedR1 recovers an SOC-dependent R1 from a 1C discharge simulated with it', () => {
    const base = cell();
    const factor = [1, 1, 1.5, 1, 0.6]; // on socBreakpoints [0, 0.1, 0.2, 0.5, 1]
    const truth = { ...base, r1Ohm: [base.r1Ohm[0].map((r, j) => r * factor[j])], c1F: [base.c1F[0].map((c, j) => c / factor[j])] };
    // 2 A (1C) from full, logged every 10 s, to SOC 0.12, then 10 min of rest
    const t: number[] = [];
    const I: number[] = [];
    for (let k = 0; k <= 3168 + 60; k += 1) {
      t.push(10 * k);
      I.push(k === 0 || k * 10 > 3168 ? 0 : 2);
    }
    const s = { timeS: t, currentA: I, voltageV: new Float64Array(t.length), tempC: new Float64Array(t.length).fill(25) }; // SOC by coulomb counting
    simulateSeriesV(s, truth, 1, s.voltageV);
    const { params, fit } = fitSustainedR1([{ series: s, soc0: 1 }], base, { rows: [0], qAh: 2 });
    expect(fit.rmseBeforeMv[0]).toBeGreaterThan(5);
    expect(fit.rmseAfterMv[0]).toBeLessThan(0.5);
    for (let j = 1; j < 5; j++) expect(fit.multiplier[j]).toBeCloseTo(factor[j], 1);
    expect(fit.multiplier[0]).toBe(fit.multiplier[1]); // no data below SOC 0.1: held flat
    // tau1 is kept
    expect(params.r1Ohm[0][4] * params.c1F[0][4]).toBeCloseTo(base.r1Ohm[0][4] * base.c1F[0][4], 9);
  });
});
