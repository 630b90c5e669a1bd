// Lumped thermal model of a cell (H1), exact zero-order-hold discretization.
//
// One node:   m cp dT/dt = Q - hA (T - Tamb)
//   => T(k+1) = Tamb + (T - Tamb) e^(-dt/tau) + Q (1 - e^(-dt/tau)) / hA,  tau = m cp / (hA)
//      (adiabatic when hA = 0: T(k+1) = T + Q dt / (m cp)).
// Two nodes (cell + jig/coolant, as PyBaMM's Thevenin model, Q_cell_jig = k_cj (Tc - Tj)):
//   Cc dTc/dt = Q - k_cj (Tc - Tj)
//   Cj dTj/dt = k_cj (Tc - Tj) - k_ja (Tj - Tamb)
//   discretized with the matrix exponential of the augmented system [[A, B], [0, 0]] so that
//   x(k+1) = Phi x(k) + Gamma [Q, Tamb] is exact for piecewise-constant Q and Tamb.
import type { CellParams } from './params';

export interface ThermalCoefficients {
  dtS: number;
  twoNode: boolean;
  // one node: Tc' = eth * Tc + (1 - eth) * Tamb + gth * Q
  eth: number;
  gth: number;
  // two nodes: [Tc', Tj'] = P [Tc, Tj] + G [Q, Tamb]
  p11: number;
  p12: number;
  p21: number;
  p22: number;
  gq1: number;
  gq2: number;
  ga1: number;
  ga2: number;
}

/** exp(M) for a small dense square matrix (row-major), scaling and squaring + Taylor. */
export function expmSmall(m: number[], n: number): number[] {
  let norm = 0;
  for (let i = 0; i < n; i++) {
    let row = 0;
    for (let j = 0; j < n; j++) row += Math.abs(m[i * n + j]);
    norm = Math.max(norm, row);
  }
  let s = 0;
  while (norm > 0.25) {
    norm /= 2;
    s++;
  }
  const scale = 1 / 2 ** s;
  const a = m.map((v) => v * scale);
  const mul = (x: number[], y: number[]) => {
    const r = new Array<number>(n * n).fill(0);
    for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) r[i * n + j] += x[i * n + k] * y[k * n + j];
    return r;
  };
  const result = new Array<number>(n * n).fill(0);
  for (let i = 0; i < n; i++) result[i * n + i] = 1;
  let term = result.slice();
  for (let k = 1; k <= 18; k++) {
    term = mul(term, a).map((v) => v / k);
    for (let i = 0; i < n * n; i++) result[i] += term[i];
  }
  let r = result;
  for (let i = 0; i < s; i++) r = mul(r, r);
  return r;
}

export function thermalCoefficients(p: CellParams, dtS: number): ThermalCoefficients {
  const th = p.thermal;
  const cc = th.massKg * th.cpJPerKgK;
  const hA = th.hConvWPerM2K * th.areaM2;
  const out: ThermalCoefficients = { dtS, twoNode: false, eth: 1, gth: dtS / cc, p11: 1, p12: 0, p21: 0, p22: 1, gq1: 0, gq2: 0, ga1: 0, ga2: 0 };
  if (!th.jig) {
    if (hA > 0) {
      out.eth = Math.exp((-dtS * hA) / cc);
      out.gth = (1 - out.eth) / hA;
    }
    return out;
  }
  out.twoNode = true;
  const cj = th.jig.heatCapacityJPerK;
  const kja = th.jig.jigAmbientWPerK;
  // augmented state [Tc, Tj, Q, Tamb], inputs held constant over the step
  const m = [
    -hA / cc, hA / cc, 1 / cc, 0,
    hA / cj, -(hA + kja) / cj, 0, kja / cj,
    0, 0, 0, 0,
    0, 0, 0, 0,
  ].map((v) => v * dtS);
  const e = expmSmall(m, 4);
  out.p11 = e[0];
  out.p12 = e[1];
  out.gq1 = e[2];
  out.ga1 = e[3];
  out.p21 = e[4];
  out.p22 = e[5];
  out.gq2 = e[6];
  out.ga2 = e[7];
  return out;
}

/** Adiabatic temperature rise (K) for constant heat Q over t seconds (closed form). */
export function adiabaticRiseK(heatW: number, tS: number, massKg: number, cpJPerKgK: number): number {
  return (heatW * tS) / (massKg * cpJPerKgK);
}
