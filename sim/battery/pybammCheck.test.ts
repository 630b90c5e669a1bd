// PyBaMM Thevenin check: with the ECM_Example tables, a 1C discharge from 100 % SOC at 25 degC
// stepped by the fleet (exact ZOH, dt = 1 s, uniform-grid tables) agrees within 1 mV with a
// high-accuracy RK4 integration (dt = 0.02 s) of the same ODEs evaluated directly on the source
// breakpoints (binary-search interpolation, no resampling):
//   dz/dt  = -I / (3600 Q)
//   dv1/dt = -v1 / (R1 C1) - I / C1                      R1, C1 = f(T_cell, |I|, z)
//   Cc dTc/dt = I^2 R0 - I v1 - I (Tc + 273.15) dU/dT - k_cj (Tc - Tj)
//   Cj dTj/dt = k_cj (Tc - Tj) - k_ja (Tj - Tamb)
//   V = OCV(z) - I R0 + v1
import { describe, it, expect } from 'vitest';
import { getParamSet } from './paramSets';
import { createEcmFleet, stepEcmFleet } from './ecm';
import { interp1, interp2 } from '../core/table';
import type { CellParams } from './params';

function referenceRk4(p: CellParams, currentA: number, tEndS: number, h: number, ambientC: number) {
  const Q = p.capacityAh;
  const cd = p.currentDependence!;
  const th = p.thermal;
  const cc = th.massKg * th.cpJPerKgK;
  const kcj = th.hConvWPerM2K * th.areaM2;
  const cj = th.jig!.heatCapacityJPerK;
  const kja = th.jig!.jigAmbientWPerK;
  const sb = p.socBreakpoints;
  const tb = p.tempBreakpointsC;
  const I = currentA;
  const params = (z: number, T: number) => {
    const s0 = interp2(tb, cd.currentBreakpointsA, cd.r0Scale, T, Math.abs(I));
    const s1 = interp2(tb, cd.currentBreakpointsA, cd.rcScale!, T, Math.abs(I));
    const r0 = interp2(tb, sb, p.r0Ohm, T, z) * s0;
    const r1b = interp2(tb, sb, p.r1Ohm, T, z);
    const c1b = interp2(tb, sb, p.c1F, T, z);
    return { r0, r1: r1b * s1, c1: c1b / s1, ocv: interp2(tb, sb, p.ocvV, T, z), dudt: interp2(tb, sb, p.dUdTVPerKTable!, T, z) };
  };
  const deriv = (x: number[]) => {
    const [z, v1, tc, tj] = x;
    const k = params(z, tc);
    const q = I * I * k.r0 - I * v1 - I * (tc + 273.15) * k.dudt;
    return [-I / (3600 * Q), -v1 / (k.r1 * k.c1) - I / k.c1, (q - kcj * (tc - tj)) / cc, (kcj * (tc - tj) - kja * (tj - ambientC)) / cj];
  };
  let x = [1, 0, ambientC, ambientC];
  const out: { t: number; v: number; T: number }[] = [];
  const steps = Math.round(tEndS / h);
  const perSecond = Math.round(1 / h);
  for (let s = 1; s <= steps; s++) {
    const k1 = deriv(x);
    const k2 = deriv(x.map((v, i) => v + (h / 2) * k1[i]));
    const k3 = deriv(x.map((v, i) => v + (h / 2) * k2[i]));
    const k4 = deriv(x.map((v, i) => v + h * k3[i]));
    x = x.map((v, i) => v + (h / 6) * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]));
    if (s % perSecond === 0) {
      const k = params(x[0], x[2]);
      out.push({ t: s * h, v: k.ocv - I * k.r0 + x[1], T: x[2] });
    }
  }
  return out;
}

describe('PyBaMM ECM_Example, 1C discharge at 25 degC', () => {
  it('fleet (dt = 1 s) agrees with an RK4 reference within 1 mV until the 3.2 V cut-off', () => {
    const p = getParamSet('pybamm-ecm-example');
    const I = p.capacityAh; // 1C = 100 A
    const ref = referenceRk4(p, I, 3500, 0.02, 25);
    const f = createEcmFleet(p, 1, { soc: 1, tempC: 25, rcPairs: 1 });
    const cur = new Float64Array([I]);
    let maxErr = 0;
    let tempErr = 0;
    let checked = 0;
    for (const r of ref) {
      stepEcmFleet(f, p, cur, 25, 1);
      if (r.v < p.vMinV) break;
      maxErr = Math.max(maxErr, Math.abs(f.terminalV[0] - r.v));
      tempErr = Math.max(tempErr, Math.abs(f.tempC[0] - r.T));
      checked++;
    }
    expect(checked).toBeGreaterThan(3000);
    expect(maxErr).toBeLessThan(1e-3);
    expect(tempErr).toBeLessThan(0.05);
    // the cell does warm up (the check would be weak with an isothermal cell)
    expect(ref[3000].T - 25).toBeGreaterThan(0.5);
  });
});
