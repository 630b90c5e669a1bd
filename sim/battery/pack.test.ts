import { describe, it, expect } from 'vitest';
import { getParamSet } from './paramSets';
import { createEcmFleet, stepEcmFleet } from './ecm';
import type { CellParams } from './params';
import {
  createPack,
  stepPack,
  packCurrentForVoltage,
  packCurrentForPower,
  packCurrentForCellVoltage,
  packVoltageAfter,
} from './pack';

const PANA = getParamSet('panasonic-ncr18650pf');
// The same cell without current-dependent resistance: the group voltage is then exactly affine
// in the cell currents within one OCV table segment, so the sharing closed form is exact.
const LINEAR: CellParams = { ...PANA, name: 'pana-linear', currentDependence: undefined };

function profile(k: number): number {
  // 1C discharge with pulses and regen, 2.9 Ah cell
  const ph = k % 120;
  if (ph < 30) return 2.9;
  if (ph < 40) return 8;
  if (ph < 50) return -3;
  if (ph < 60) return 0;
  return 1.5;
}

describe('pack', () => {
  it('1s1p is exactly the bare cell', () => {
    const pack = createPack(PANA, { series: 1, parallel: 1 }, { soc: 0.9, tempC: 25 }, 1);
    const f = createEcmFleet(PANA, 1, { soc: 0.9, tempC: 25 });
    const I = new Float64Array(1);
    for (let k = 0; k < 2000; k++) {
      const i = profile(k);
      I[0] = i;
      stepEcmFleet(f, PANA, I, 25, 1);
      stepPack(pack, PANA, i, 25, 1);
      expect(pack.packV).toBe(f.terminalV[0]);
      expect(pack.fleet.soc[0]).toBe(f.soc[0]);
      expect(pack.fleet.tempC[0]).toBe(f.tempC[0]);
    }
    expect(pack.minCellV).toBe(pack.maxCellV);
  });

  it('two parallel cells with different R0 share inversely to R0 at the first instant; sum holds every step', () => {
    const pack = createPack(LINEAR, { series: 1, parallel: 2 }, { soc: 0.9, tempC: 25 }, 1);
    pack.fleet.r0Scale[1] = 2;
    stepPack(pack, LINEAR, 10, 25, 1e-4); // very short step: RC branches and SOC barely move
    const ratio = pack.cellCurrentA[0] / pack.cellCurrentA[1];
    expect(ratio).toBeGreaterThan(2 * 0.99);
    expect(ratio).toBeLessThan(2 * 1.01);
    expect(pack.cellCurrentA[0] + pack.cellCurrentA[1]).toBeCloseTo(10, 12);
    let maxDv = 0;
    for (let k = 0; k < 3000; k++) {
      const i = 2 * profile(k);
      stepPack(pack, LINEAR, i, 25, 1);
      expect(Math.abs(pack.cellCurrentA[0] + pack.cellCurrentA[1] - i)).toBeLessThan(1e-12);
      maxDv = Math.max(maxDv, Math.abs(pack.fleet.terminalV[0] - pack.fleet.terminalV[1]));
    }
    // cells in parallel see the same voltage: the linearization of the SOC-dependent tables over
    // one step (and ecm.ts interpolating exp(-dt/tau) node-wise) leaves a sub-millivolt residual,
    // largest at low SOC with 2.75C pulses (about 0.7 mV there)
    expect(maxDv).toBeLessThan(1e-3);
    // the low-R cell carried more charge: lower SOC
    expect(pack.fleet.soc[0]).toBeLessThan(pack.fleet.soc[1]);
  });

  it('sharing with current-dependent R0 keeps equal voltages (two-pass chord)', () => {
    const pack = createPack(PANA, { series: 2, parallel: 3, spread: { capacityRelStd: 0.03, r0RelStd: 0.1 } }, { soc: 0.8, tempC: 25 }, 7);
    let maxDv = 0;
    for (let k = 0; k < 2000; k++) {
      const i = 3 * profile(k);
      stepPack(pack, PANA, i, 25, 1);
      for (let g = 0; g < 2; g++) {
        let s = 0;
        for (let j = 0; j < 3; j++) s += pack.cellCurrentA[g * 3 + j];
        expect(Math.abs(s - i)).toBeLessThan(1e-12);
        const v = pack.fleet.terminalV;
        maxDv = Math.max(maxDv, Math.abs(v[g * 3] - v[g * 3 + 1]), Math.abs(v[g * 3] - v[g * 3 + 2]));
      }
    }
    expect(maxDv).toBeLessThan(1e-3);
  });

  it('in series, the cell with less capacity reaches the cut-off first', () => {
    const pack = createPack(LINEAR, { series: 3, parallel: 1 }, { soc: 1, tempC: 25 }, 1);
    pack.fleet.capacityAh[1] = 0.9 * LINEAR.capacityAh;
    let k = 0;
    while (pack.minCellV > LINEAR.vMinV && k < 20000) {
      stepPack(pack, LINEAR, 2.9, 25, 1);
      k++;
    }
    expect(pack.minCellV).toBeLessThanOrEqual(LINEAR.vMinV);
    const v = pack.fleet.terminalV;
    expect(v[1]).toBeLessThan(v[0]);
    expect(v[1]).toBeLessThan(v[2]);
    expect(v[0]).toBeGreaterThan(LINEAR.vMinV + 0.05); // the others still have charge
    // about 90 % of a 1C discharge (3240 s), well before the full-capacity cells would end
    expect(k).toBeLessThan(0.93 * 3600);
  });

  it('passive balancing narrows the SOC spread; without it the spread stays', () => {
    const spec = { series: 6, parallel: 2, spread: { capacityRelStd: 0, r0RelStd: 0, socAbsStd: 0.04 } };
    const a = createPack(LINEAR, { ...spec, balancing: { thresholdV: 0.003, bleedOhm: 10 } }, { soc: 0.6, tempC: 25 }, 3);
    const b = createPack(LINEAR, spec, { soc: 0.6, tempC: 25 }, 3);
    const spread = (p: typeof a) => {
      // spread of the group SOCs (cells in a group equalize through the parallel connection)
      let lo = Infinity;
      let hi = -Infinity;
      for (let g = 0; g < 6; g++) {
        const z = (p.fleet.soc[2 * g] + p.fleet.soc[2 * g + 1]) / 2;
        lo = Math.min(lo, z);
        hi = Math.max(hi, z);
      }
      return hi - lo;
    };
    const s0 = spread(a);
    expect(s0).toBeGreaterThan(0.03);
    expect(spread(b)).toBeCloseTo(s0, 12);
    for (let k = 0; k < 6 * 3600; k += 10) {
      stepPack(a, LINEAR, 0, 25, 10);
      stepPack(b, LINEAR, 0, 25, 10);
    }
    expect(spread(a)).toBeLessThan(0.5 * s0);
    expect(Math.abs(spread(b) - s0)).toBeLessThan(0.002); // only intra-group equalization
    expect(a.balancingWh).toBeGreaterThan(0);
    // balancing is off during discharge by default
    stepPack(a, LINEAR, 5, 25, 1);
    expect(Array.from(a.bleedA).every((x) => x === 0)).toBe(true);
  });

  it('same seed gives the same spread; another seed a different one', () => {
    const spec = { series: 4, parallel: 3, spread: { capacityRelStd: 0.02, r0RelStd: 0.05 } };
    const a = createPack(PANA, spec, { soc: 0.5, tempC: 25 }, 42);
    const b = createPack(PANA, spec, { soc: 0.5, tempC: 25 }, 42);
    const c = createPack(PANA, spec, { soc: 0.5, tempC: 25 }, 43);
    expect(Array.from(a.fleet.capacityAh)).toEqual(Array.from(b.fleet.capacityAh));
    expect(Array.from(a.fleet.r0Scale)).toEqual(Array.from(b.fleet.r0Scale));
    expect(Array.from(a.fleet.capacityAh)).not.toEqual(Array.from(c.fleet.capacityAh));
    const caps = Array.from(a.fleet.capacityAh);
    expect(new Set(caps).size).toBe(12);
  });

  it('CV and CP helpers hit their targets at the end of the step', () => {
    const pack = createPack(PANA, { series: 4, parallel: 2, spread: { capacityRelStd: 0.02, r0RelStd: 0.05 } }, { soc: 0.5, tempC: 25 }, 5);
    for (let k = 0; k < 300; k++) stepPack(pack, PANA, 5, 25, 1);
    const vT = 4 * 3.9;
    const iCv = packCurrentForVoltage(pack, PANA, vT, 1);
    expect(iCv).toBeLessThan(0); // charging to a voltage above the present one
    expect(Math.abs(packVoltageAfter(pack, PANA, iCv, 1) - vT)).toBeLessThan(1e-6);
    stepPack(pack, PANA, iCv, 25, 1);
    expect(Math.abs(pack.packV - vT)).toBeLessThan(2e-3);
    const iCell = packCurrentForCellVoltage(pack, PANA, 3.95, 'max', 1);
    stepPack(pack, PANA, iCell, 25, 1);
    expect(Math.abs(pack.maxCellV - 3.95)).toBeLessThan(2e-3);
    const pW = 60;
    const iCp = packCurrentForPower(pack, PANA, pW, 1);
    stepPack(pack, PANA, iCp, 25, 1);
    expect(Math.abs((iCp * pack.packV) / pW - 1)).toBeLessThan(1e-3);
  });

  it('the fused fast path matches the general path (linearize + share + stepEcmFleet) to rounding', () => {
    // replacing one hot array by a fresh one (not a view of pack.state) sends a pack down the general path
    const cases: [CellParams, number, number][] = [
      [PANA, 6, 4], // 2 RC, current-dependent R0 (two passes), 6 temperature rows
      [LINEAR, 6, 4],
      [getParamSet('nmc-huria2012'), 5, 3], // 1 RC, 3 temperature rows
      [getParamSet('lco-chen2006'), 5, 3], // 2 RC, one temperature row
    ];
    for (const [p, series, parallel] of cases) {
      const spec = { series, parallel, spread: { capacityRelStd: 0.03, r0RelStd: 0.1 } };
      const fast = createPack(p, spec, { soc: 0.9, tempC: 20 }, 11);
      const ref = createPack(p, spec, { soc: 0.9, tempC: 20 }, 11);
      ref.shareA = new Float64Array(ref.shareA.length);
      let maxDi = 0;
      let maxDv = 0;
      for (let k = 0; k < 1500; k++) {
        const i = parallel * profile(k) * (p.capacityAh / 2.9);
        const amb = 10 + 25 * Math.sin(k / 300) ** 2; // moves the cells across temperature rows
        stepPack(fast, p, i, amb, 1);
        stepPack(ref, p, i, amb, 1);
        for (let c = 0; c < series * parallel; c++) {
          maxDi = Math.max(maxDi, Math.abs(fast.cellCurrentA[c] - ref.cellCurrentA[c]));
          maxDv = Math.max(maxDv, Math.abs(fast.fleet.terminalV[c] - ref.fleet.terminalV[c]));
        }
        expect(Math.abs(fast.packV - ref.packV)).toBeLessThan(1e-9);
        expect(Math.abs(fast.meanSoc - ref.meanSoc)).toBeLessThan(1e-12);
        expect(fast.maxTempC).toBeCloseTo(ref.maxTempC, 9);
      }
      expect(fast.fusedSteps).toBeGreaterThan(1490); // the first step at a new dt is general
      expect(ref.fusedSteps).toBe(0);
      expect(maxDi).toBeLessThan(1e-8);
      expect(maxDv).toBeLessThan(1e-10);
      expect(Array.from(fast.fleet.clampCounts)).toEqual(Array.from(ref.fleet.clampCounts));
    }
  });

  it("cellThermal 'external' leaves tempC to the caller and changes nothing else", () => {
    const spec = { series: 3, parallel: 4, spread: { capacityRelStd: 0.02, r0RelStd: 0.05 } };
    const a = createPack(PANA, spec, { soc: 0.8, tempC: 25 }, 2);
    const b = createPack(PANA, { ...spec, cellThermal: 'external' as const }, { soc: 0.8, tempC: 25 }, 2);
    for (let k = 0; k < 500; k++) {
      stepPack(a, PANA, 4 * profile(k), 30, 1);
      stepPack(b, PANA, 4 * profile(k), 30, 1);
      expect(Array.from(b.fleet.tempC).every((t) => t === 25)).toBe(true);
      a.fleet.tempC.fill(25); // the 'caller' of a owns the temperatures too
      expect(Array.from(b.fleet.heatW)).toEqual(Array.from(a.fleet.heatW));
      expect(Array.from(b.fleet.terminalV)).toEqual(Array.from(a.fleet.terminalV));
    }
  });

  it('rejects bad specs with a path', () => {
    expect(() => createPack(PANA, { series: 0, parallel: 1 }, { soc: 0.5, tempC: 25 }, 1)).toThrow(/pack.series/);
    expect(() => createPack(PANA, { series: 1, parallel: 1.5 }, { soc: 0.5, tempC: 25 }, 1)).toThrow(/pack.parallel/);
    expect(() =>
      createPack(PANA, { series: 2, parallel: 1, spread: { capacityRelStd: -1, r0RelStd: 0 } }, { soc: 0.5, tempC: 25 }, 1),
    ).toThrow(/capacityRelStd/);
  });
});
