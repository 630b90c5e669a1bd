// Equivalent-circuit (Thevenin) cell fleet, structure of arrays (H1).
//
// Equations (PyBaMM `Thevenin`, I > 0 on discharge, RC voltages v_j negative on discharge):
//   dz/dt   = -I / (3600 Q)                               (coulomb counting, Q in Ah)
//   dv_j/dt = -v_j / (R_j C_j) - I / C_j                  (RC branch j = 1, 2)
//   V       = OCV(z, T) + M h - I R0 + v1 + v2            (terminal voltage, optional hysteresis h)
//   Q_heat  = I^2 R0 - I (v1 + v2) - I T_K dU/dT          (Joule + RC + reversible heat)
// Exact zero-order hold over a step dt with I constant:
//   v_j(k+1) = a_j v_j(k) - I b_j,  a_j = exp(-dt / tau_j),  b_j = R_j (1 - a_j)
// Hysteresis (Plett 2004, J. Power Sources 134, one-state model):
//   h(k+1) = e^{-|gamma I dt / (3600 Q)|} h(k) - (1 - e^{...}) sgn(I)
// Thermal: see ./thermal.ts (one lumped node, or cell + jig as in PyBaMM).
// Optional surface-SOC state (H9, params.surfaceSoc): the particle surface lags the bulk SOC,
//   d(delta)/dt = (lagS I / (3600 Q) - delta) / tauS,   z_surf = z - delta   (ZOH:
//   delta(k+1) = e^{-dt/tauS} delta(k) + (1 - e^{-dt/tauS}) lagS I / (3600 Q)),
// and OCV, R0 and the RC tables are looked up at z_surf (first-order reduction of solid diffusion
// in a single-particle model; see docs/twin-core.md, issue-3 section).
//
// Parameter tables are resampled once onto uniform [temp][soc] grids (exact when the original
// breakpoints lie on the grid), and for a constant dt the per-node coefficients
// [OCV, R0, a1, b1, a2, b2, dU/dT] are precomputed so that a step is index arithmetic plus a
// bilinear blend, with no exp() and no allocation. Lookups use the state after the coulomb
// update (SOC at the end of the step) and the temperature at the start of the step.
import type { CellParams } from './params';
import { interp1, interp2, uniformGridFor, gridNode, clampWarnings, type UniformGrid } from '../core/table';
import { thermalCoefficients, type ThermalCoefficients } from './thermal';

const STRIDE = 8; // ocv, r0, a1, b1, a2, b2, dudt, (pad)
const KELVIN = 273.15;

export interface CompiledCell {
  readonly params: CellParams;
  readonly gS: UniformGrid;
  readonly gT: UniformGrid;
  readonly nodes: number;
  readonly hasRc2: boolean;
  /** false when dU/dT is zero everywhere (the kernels then skip the reversible-heat lookup) */
  readonly hasDudt: boolean;
  readonly ocv: Float64Array;
  readonly r0: Float64Array;
  readonly r1: Float64Array;
  readonly tau1: Float64Array;
  readonly r2: Float64Array;
  readonly tau2: Float64Array;
  readonly dudt: Float64Array;
  readonly hystM: Float64Array | null; // over gT
  readonly hystGamma: number;
  readonly cur: { gI: UniformGrid; r0s: Float64Array; rcs: Float64Array } | null; // [temp][|I|]
  /** surface-SOC lag (H9): tauS and lagS on the temperature grid, or null */
  readonly surf: { tau: Float64Array; lag: Float64Array } | null;
  /** per-dt surface coefficients on the temperature grid: [a, b] pairs, a = e^{-dt/tau}, b = (1 - a) lag / 3600 */
  surfStep: Float64Array;
  surfDt: number;
  /** per-dt node coefficients, stride 8 */
  stepTable: Float64Array;
  stepDt: number;
  lastDt: number;
  thermal: ThermalCoefficients | null;
}

export interface EcmFleet {
  readonly n: number;
  readonly rcPairs: 1 | 2;
  soc: Float64Array;
  v1V: Float64Array;
  v2V: Float64Array;
  tempC: Float64Array;
  capacityAh: Float64Array;
  r0Scale: Float64Array;
  terminalV: Float64Array;
  ocvV: Float64Array;
  heatW: Float64Array;
  /** hysteresis state h in [-1, 1] */
  hyst: Float64Array;
  /** jig / coolant node temperature (only used when params.thermal.jig is set) */
  jigTempC: Float64Array;
  /** surface lag delta = z - z_surf (SOC fraction; only used when params.surfaceSoc is set) */
  surfLag: Float64Array;
  /** clamp counters: [socLow, socHigh, tempLow, tempHigh, currentHigh] lookups */
  clampCounts: Float64Array;
  /** internal: last seen capacityAh and its inverse (avoids a division per cell-step) */
  capSeen: Float64Array;
  invCap: Float64Array;
  /** compiled tables for the params the fleet was created with (recompiled if params change) */
  model: CompiledCell;
}

function tableOrConst(
  p: CellParams,
  t: number[][] | undefined,
  gT: UniformGrid,
  gS: UniformGrid,
  fill: number,
): Float64Array {
  const out = new Float64Array(gT.n * gS.n);
  if (!t) {
    out.fill(fill);
    return out;
  }
  for (let kt = 0; kt < gT.n; kt++) {
    const T = gridNode(gT, kt);
    for (let ks = 0; ks < gS.n; ks++) out[kt * gS.n + ks] = interp2(p.tempBreakpointsC, p.socBreakpoints, t, T, gridNode(gS, ks));
  }
  return out;
}

/**
 * SOC headroom above the top SOC breakpoint (H8). Parameter sets define OCV up to SOC = 1, the
 * relaxed state after the rated CC-CV charge, which lies below vMaxV (e.g. 4.175 V for a 4.2 V
 * cell). A constant-voltage hold at vMaxV pushes the cell past that state: a real cell's voltage
 * keeps rising as it fills, so the CV current tapers. The compiled OCV is therefore continued
 * linearly above the top breakpoint, over SOC_HEADROOM, with the slope of the top 5 % of the table
 * (raised where needed so that the OCV reaches vMaxV + 10 mV within 80 % of the headroom); the
 * resistance tables are held constant there. Lookups beyond the headroom are clamped and counted.
 */
export const SOC_HEADROOM = 0.05;

function extendedSocBreakpoints(p: CellParams): number[] {
  const sb = p.socBreakpoints;
  const top = sb[sb.length - 1];
  const g0 = uniformGridFor(sb);
  const dx = g0.n > 1 ? g0.dx : SOC_HEADROOM;
  const k = Math.max(1, Math.ceil(SOC_HEADROOM / dx - 1e-9));
  const out = sb.slice();
  for (let j = 1; j <= k; j++) out.push(top + j * dx);
  return out;
}

/** OCV continued above the top SOC breakpoint (see SOC_HEADROOM); in place on the compiled grid. */
function extendOcvAboveTop(p: CellParams, ocv: Float64Array, gT: UniformGrid, gS: UniformGrid): void {
  const sb = p.socBreakpoints;
  const top = sb[sb.length - 1];
  const span = Math.min(0.05, top - sb[0]);
  for (let kt = 0; kt < gT.n; kt++) {
    const T = gridNode(gT, kt);
    const vTop = interp2(p.tempBreakpointsC, sb, p.ocvV, T, top);
    const slopeTop = span > 0 ? (vTop - interp2(p.tempBreakpointsC, sb, p.ocvV, T, top - span)) / span : 0;
    const slope = Math.max(slopeTop, (p.vMaxV + 0.01 - vTop) / (0.8 * SOC_HEADROOM), 0);
    for (let ks = 0; ks < gS.n; ks++) {
      const z = gridNode(gS, ks);
      if (z > top + 1e-12) ocv[kt * gS.n + ks] = vTop + slope * (z - top);
    }
  }
}

export function compileCell(p: CellParams): CompiledCell {
  const gS = uniformGridFor(extendedSocBreakpoints(p));
  const gT = uniformGridFor(p.tempBreakpointsC);
  const nodes = gS.n * gT.n;
  const hasRc2 = !!(p.r2Ohm && p.c2F);
  const ocv = tableOrConst(p, p.ocvV, gT, gS, 0);
  extendOcvAboveTop(p, ocv, gT, gS);
  const r0 = tableOrConst(p, p.r0Ohm, gT, gS, 0);
  const r1 = tableOrConst(p, p.r1Ohm, gT, gS, 0);
  const c1 = tableOrConst(p, p.c1F, gT, gS, 1);
  const r2 = tableOrConst(p, p.r2Ohm, gT, gS, 0);
  const c2 = tableOrConst(p, p.c2F, gT, gS, 1);
  const tau1 = new Float64Array(nodes);
  const tau2 = new Float64Array(nodes);
  for (let k = 0; k < nodes; k++) {
    tau1[k] = r1[k] * c1[k];
    tau2[k] = hasRc2 ? r2[k] * c2[k] : 1;
  }
  let dudt: Float64Array;
  if (p.dUdTVPerKTable) dudt = tableOrConst(p, p.dUdTVPerKTable, gT, gS, 0);
  else if (p.dUdTVPerK) {
    const row = p.dUdTVPerK;
    dudt = tableOrConst(p, p.tempBreakpointsC.map(() => row), gT, gS, 0);
  } else dudt = new Float64Array(nodes);
  let hystM: Float64Array | null = null;
  if (p.hysteresis) {
    hystM = new Float64Array(gT.n);
    const m = p.hysteresis.maxV;
    for (let kt = 0; kt < gT.n; kt++) hystM[kt] = m.length === 1 ? m[0] : interp1(p.tempBreakpointsC, m, gridNode(gT, kt));
  }
  let cur: CompiledCell['cur'] = null;
  if (p.currentDependence) {
    const cd = p.currentDependence;
    const gI = uniformGridFor(cd.currentBreakpointsA);
    const r0s = new Float64Array(gT.n * gI.n);
    const rcs = new Float64Array(gT.n * gI.n);
    for (let kt = 0; kt < gT.n; kt++) {
      const T = gridNode(gT, kt);
      for (let ki = 0; ki < gI.n; ki++) {
        const I = gridNode(gI, ki);
        r0s[kt * gI.n + ki] = interp2(p.tempBreakpointsC, cd.currentBreakpointsA, cd.r0Scale, T, I);
        rcs[kt * gI.n + ki] = cd.rcScale ? interp2(p.tempBreakpointsC, cd.currentBreakpointsA, cd.rcScale, T, I) : 1;
      }
    }
    cur = { gI, r0s, rcs };
  }
  let surf: CompiledCell['surf'] = null;
  if (p.surfaceSoc) {
    const ss = p.surfaceSoc;
    const tau = new Float64Array(gT.n);
    const lag = new Float64Array(gT.n);
    for (let kt = 0; kt < gT.n; kt++) {
      const T = gridNode(gT, kt);
      tau[kt] = ss.tauS.length === 1 ? ss.tauS[0] : interp1(p.tempBreakpointsC, ss.tauS, T);
      lag[kt] = ss.lagS.length === 1 ? ss.lagS[0] : interp1(p.tempBreakpointsC, ss.lagS, T);
    }
    surf = { tau, lag };
  }
  return {
    params: p,
    gS,
    gT,
    nodes,
    hasRc2,
    hasDudt: dudt.some((v) => v !== 0),
    ocv,
    r0,
    r1,
    tau1,
    r2,
    tau2,
    dudt,
    hystM,
    hystGamma: p.hysteresis?.gamma ?? 0,
    cur,
    surf,
    surfStep: new Float64Array(2 * gT.n),
    surfDt: NaN,
    stepTable: new Float64Array(nodes * STRIDE),
    stepDt: NaN,
    lastDt: NaN,
    thermal: null,
  };
}

function buildStepTable(m: CompiledCell, dtS: number): void {
  const t = m.stepTable;
  for (let k = 0; k < m.nodes; k++) {
    const o = k * STRIDE;
    const a1 = Math.exp(-dtS / m.tau1[k]);
    t[o] = m.ocv[k];
    t[o + 1] = m.r0[k];
    t[o + 2] = a1;
    t[o + 3] = m.r1[k] * (1 - a1);
    if (m.hasRc2) {
      const a2 = Math.exp(-dtS / m.tau2[k]);
      t[o + 4] = a2;
      t[o + 5] = m.r2[k] * (1 - a2);
    } else {
      t[o + 4] = 0;
      t[o + 5] = 0;
    }
    t[o + 6] = m.dudt[k];
    t[o + 7] = 0;
  }
  m.stepDt = dtS;
}

function ensureSurfStep(m: CompiledCell, dtS: number): void {
  if (m.surf === null || m.surfDt === dtS) return;
  const st = m.surfStep;
  for (let kt = 0; kt < m.gT.n; kt++) {
    const a = Math.exp(-dtS / m.surf.tau[kt]);
    st[2 * kt] = a;
    st[2 * kt + 1] = ((1 - a) * m.surf.lag[kt]) / 3600;
  }
  m.surfDt = dtS;
}

/**
 * Surface-lag update coefficients at temperature tempC for a step dtS (H9):
 * delta(k+1) = a delta(k) + b I / Q. Writes out[0] = a, out[1] = b; a = 1, b = 0 without surfaceSoc.
 */
export function surfaceLagCoefficients(m: CompiledCell, tempC: number, dtS: number, out: Float64Array): Float64Array {
  if (m.surf === null) {
    out[0] = 1;
    out[1] = 0;
    return out;
  }
  ensureSurfStep(m, dtS);
  const gT = m.gT;
  let ut = gT.n === 1 ? 0 : (tempC - gT.x0) * gT.invDx;
  if (!(ut >= 0)) ut = 0;
  else if (ut > gT.n - 1) ut = gT.n - 1;
  let it = ut | 0;
  if (it > gT.n - 2) it = Math.max(0, gT.n - 2);
  const wt = gT.n === 1 ? 0 : ut - it;
  const st = m.surfStep;
  const o1 = gT.n === 1 ? 0 : 2;
  out[0] = st[2 * it] + wt * (st[2 * it + o1] - st[2 * it]);
  out[1] = st[2 * it + 1] + wt * (st[2 * it + 1 + o1] - st[2 * it + 1]);
  return out;
}

function ensureModel(f: EcmFleet, p: CellParams): CompiledCell {
  if (f.model.params !== p) f.model = compileCell(p);
  return f.model;
}

function ensureThermal(m: CompiledCell, dtS: number): ThermalCoefficients {
  if (!m.thermal || m.thermal.dtS !== dtS) m.thermal = thermalCoefficients(m.params, dtS);
  return m.thermal;
}

export function createEcmFleet(params: CellParams, n: number, init: { soc: number; tempC: number; rcPairs?: 1 | 2 }): EcmFleet {
  if (!Number.isInteger(n) || n < 1) throw new Error(`createEcmFleet: n must be a positive integer, got ${n}`);
  const model = compileCell(params);
  const rcPairs: 1 | 2 = init.rcPairs ?? (model.hasRc2 ? 2 : 1);
  if (rcPairs === 2 && !model.hasRc2) throw new Error(`createEcmFleet: parameter set '${params.name}' has no second RC pair (r2Ohm/c2F)`);
  const f: EcmFleet = {
    n,
    rcPairs,
    soc: new Float64Array(n).fill(init.soc),
    v1V: new Float64Array(n),
    v2V: new Float64Array(n),
    tempC: new Float64Array(n).fill(init.tempC),
    capacityAh: new Float64Array(n).fill(params.capacityAh),
    r0Scale: new Float64Array(n).fill(1),
    terminalV: new Float64Array(n),
    ocvV: new Float64Array(n),
    heatW: new Float64Array(n),
    hyst: new Float64Array(n),
    jigTempC: new Float64Array(n).fill(init.tempC),
    surfLag: new Float64Array(n),
    clampCounts: new Float64Array(5),
    capSeen: new Float64Array(n),
    invCap: new Float64Array(n),
    model,
  };
  const o = ocvAt(f, params, init.soc, init.tempC);
  f.ocvV.fill(o);
  f.terminalV.fill(o);
  return f;
}

/** OCV(soc, T) from the compiled tables (clamped, not counted). */
export function ocvAt(f: EcmFleet, p: CellParams, soc: number, tempC: number): number {
  const m = ensureModel(f, p);
  return bilinear(m, m.ocv, soc, tempC);
}

function bilinear(m: CompiledCell, data: Float64Array, soc: number, tempC: number): number {
  const gS = m.gS;
  const gT = m.gT;
  let us = (soc - gS.x0) * gS.invDx;
  if (!(us >= 0)) us = 0;
  else if (us > gS.n - 1) us = gS.n - 1;
  let ut = gT.n === 1 ? 0 : (tempC - gT.x0) * gT.invDx;
  if (!(ut >= 0)) ut = 0;
  else if (ut > gT.n - 1) ut = gT.n - 1;
  let is = us | 0;
  if (is > gS.n - 2) is = gS.n - 2;
  let it = ut | 0;
  if (it > gT.n - 2) it = Math.max(0, gT.n - 2);
  const ws = us - is;
  const wt = gT.n === 1 ? 0 : ut - it;
  const o0 = it * gS.n + is;
  const o1 = gT.n === 1 ? o0 : o0 + gS.n;
  const a = data[o0] + ws * (data[o0 + 1] - data[o0]);
  const b = data[o1] + ws * (data[o1 + 1] - data[o1]);
  return a + wt * (b - a);
}

function currentScale(m: CompiledCell, which: 0 | 1, absI: number, tempC: number): number {
  const c = m.cur;
  if (!c) return 1;
  const gI = c.gI;
  const gT = m.gT;
  let ui = gI.n === 1 ? 0 : (absI - gI.x0) * gI.invDx;
  if (!(ui >= 0)) ui = 0;
  else if (ui > gI.n - 1) ui = gI.n - 1;
  let ut = gT.n === 1 ? 0 : (tempC - gT.x0) * gT.invDx;
  if (!(ut >= 0)) ut = 0;
  else if (ut > gT.n - 1) ut = gT.n - 1;
  let ii = ui | 0;
  if (ii > gI.n - 2) ii = Math.max(0, gI.n - 2);
  let it = ut | 0;
  if (it > gT.n - 2) it = Math.max(0, gT.n - 2);
  const wi = gI.n === 1 ? 0 : ui - ii;
  const wt = gT.n === 1 ? 0 : ut - it;
  const d = which === 0 ? c.r0s : c.rcs;
  const o0 = it * gI.n + ii;
  const o1 = gT.n === 1 ? o0 : o0 + gI.n;
  const i1 = gI.n === 1 ? 0 : 1;
  const a = d[o0] + wi * (d[o0 + i1] - d[o0]);
  const b = d[o1] + wi * (d[o1 + i1] - d[o1]);
  return a + wt * (b - a);
}

/**
 * One step of dtS seconds for every cell: current per cell (A, + = discharge), ambient (degC).
 * Writes soc, v1V, v2V, hyst, tempC, jigTempC and the outputs terminalV, ocvV, heatW.
 */
export function stepEcmFleet(f: EcmFleet, p: CellParams, currentA: Float64Array, ambientC: number, dtS: number): void {
  if (!(dtS > 0)) throw new Error(`stepEcmFleet: dtS must be > 0, got ${dtS}`);
  const m = ensureModel(f, p);
  const th = ensureThermal(m, dtS);
  const general = m.cur !== null || m.hystM !== null || m.surf !== null;
  if (m.surf !== null) ensureSurfStep(m, dtS);
  if (m.stepDt !== dtS) {
    // Rebuild the per-dt node table when it pays off (many cells, or the same dt seen twice);
    // otherwise evaluate exp(-dt/tau) per cell (non-uniform time steps with few cells).
    const repeat = m.lastDt === dtS;
    m.lastDt = dtS;
    if (f.n * 4 < m.nodes && !repeat) {
      stepGeneral(f, m, th, currentA, ambientC, dtS, true);
      return;
    }
    buildStepTable(m, dtS);
  }
  if (general) {
    if (m.hystM === null && !th.twoNode && m.cur !== null) kernelCur(f, m, th, currentA, ambientC, dtS);
    else stepGeneral(f, m, th, currentA, ambientC, dtS, false);
  } else if (!th.twoNode) {
    if (f.rcPairs === 1) kernel1(f, m, th, currentA, ambientC, dtS);
    else kernel2(f, m, th, currentA, ambientC, dtS);
  } else stepFast(f, m, th, currentA, ambientC, dtS);
}


// Specialized hot kernels (one thermal node, no current dependence / hysteresis): monomorphic,
// branch-free apart from the clamps, all arrays in locals. Same arithmetic as stepFast.
function kernel1(f: EcmFleet, m: CompiledCell, th: ThermalCoefficients, currentA: Float64Array, ambientC: number, dtS: number): void {
  const n = f.n;
  const soc = f.soc, v1 = f.v1V, temp = f.tempC, cap = f.capacityAh, r0s = f.r0Scale;
  const vt = f.terminalV, ocvOut = f.ocvV, heat = f.heatW, tab = m.stepTable;
  const capSeen = f.capSeen, invCap = f.invCap; // cached 1/capacity (recomputed when capacityAh[i] changes)
  const cc = f.clampCounts; // counted inside the loop: code after a long OSR'd loop has no type feedback and deoptimizes
  const s0 = m.gS.x0, sInv = m.gS.invDx, sMax = m.gS.n - 1, nS = m.gS.n;
  const t0 = m.gT.x0, tInv = m.gT.n === 1 ? 0 : m.gT.invDx, tMax = m.gT.n - 1;
  const tRow = m.gT.n === 1 ? 0 : nS * STRIDE;
  const itMax = tMax > 0 ? tMax - 1 : 0;
  const kSoc = dtS / 3600;
  const eth = th.eth, gth = th.gth, ambTerm = (1 - eth) * ambientC;
  const hasDudt = m.hasDudt;
  for (let i = 0; i < n; i++) {
    const I = currentA[i];
    const c = cap[i];
    if (c !== capSeen[i]) {
      capSeen[i] = c;
      invCap[i] = 1 / c;
    }
    const z = soc[i] - I * kSoc * invCap[i];
    soc[i] = z;
    const T = temp[i];
    let us = (z - s0) * sInv;
    if (us < 0) { us = 0; cc[0]++; } else if (us > sMax) { us = sMax; cc[1]++; }
    let ut = (T - t0) * tInv;
    if (ut < 0) { ut = 0; cc[2]++; } else if (ut > tMax) { ut = tMax; cc[3]++; }
    let is = us | 0;
    if (is >= sMax) is = sMax - 1;
    let it = ut | 0;
    if (it > itMax) it = itMax;
    const ws = us - is;
    const wt = ut - it;
    const o0 = (it * nS + is) * STRIDE;
    const o1 = o0 + tRow;
    // two-stage lerp: along SOC on both temperature rows, then along temperature
    const a0 = tab[o0], a1 = tab[o0 + 1], a2 = tab[o0 + 2], a3 = tab[o0 + 3];
    const b0 = tab[o1], b1 = tab[o1 + 1], b2 = tab[o1 + 2], b3 = tab[o1 + 3];
    const x0 = a0 + ws * (tab[o0 + 8] - a0), y0 = b0 + ws * (tab[o1 + 8] - b0);
    const x1 = a1 + ws * (tab[o0 + 9] - a1), y1 = b1 + ws * (tab[o1 + 9] - b1);
    const x2 = a2 + ws * (tab[o0 + 10] - a2), y2 = b2 + ws * (tab[o1 + 10] - b2);
    const x3 = a3 + ws * (tab[o0 + 11] - a3), y3 = b3 + ws * (tab[o1 + 11] - b3);
    const ocv = x0 + wt * (y0 - x0);
    const r0 = (x1 + wt * (y1 - x1)) * r0s[i];
    const ca = x2 + wt * (y2 - x2);
    const cb = x3 + wt * (y3 - x3);
    let dudt = 0;
    if (hasDudt) {
      const a6 = tab[o0 + 6], b6 = tab[o1 + 6];
      const x6 = a6 + ws * (tab[o0 + 14] - a6), y6 = b6 + ws * (tab[o1 + 14] - b6);
      dudt = x6 + wt * (y6 - x6);
    }
    const vrc = ca * v1[i] - I * cb;
    v1[i] = vrc;
    ocvOut[i] = ocv;
    vt[i] = ocv - I * r0 + vrc;
    const q = I * (I * r0 - vrc - (T + KELVIN) * dudt);
    heat[i] = q;
    temp[i] = eth * T + ambTerm + gth * q;
  }
}

function kernel2(f: EcmFleet, m: CompiledCell, th: ThermalCoefficients, currentA: Float64Array, ambientC: number, dtS: number): void {
  const n = f.n;
  const soc = f.soc, v1 = f.v1V, v2 = f.v2V, temp = f.tempC, cap = f.capacityAh, r0s = f.r0Scale;
  const vt = f.terminalV, ocvOut = f.ocvV, heat = f.heatW, tab = m.stepTable;
  const capSeen = f.capSeen, invCap = f.invCap; // cached 1/capacity (recomputed when capacityAh[i] changes)
  const cc = f.clampCounts; // counted inside the loop: code after a long OSR'd loop has no type feedback and deoptimizes
  const s0 = m.gS.x0, sInv = m.gS.invDx, sMax = m.gS.n - 1, nS = m.gS.n;
  const t0 = m.gT.x0, tInv = m.gT.n === 1 ? 0 : m.gT.invDx, tMax = m.gT.n - 1;
  const tRow = m.gT.n === 1 ? 0 : nS * STRIDE;
  const itMax = tMax > 0 ? tMax - 1 : 0;
  const kSoc = dtS / 3600;
  const eth = th.eth, gth = th.gth, ambTerm = (1 - eth) * ambientC;
  const hasDudt = m.hasDudt;
  for (let i = 0; i < n; i++) {
    const I = currentA[i];
    const c = cap[i];
    if (c !== capSeen[i]) {
      capSeen[i] = c;
      invCap[i] = 1 / c;
    }
    const z = soc[i] - I * kSoc * invCap[i];
    soc[i] = z;
    const T = temp[i];
    let us = (z - s0) * sInv;
    if (us < 0) { us = 0; cc[0]++; } else if (us > sMax) { us = sMax; cc[1]++; }
    let ut = (T - t0) * tInv;
    if (ut < 0) { ut = 0; cc[2]++; } else if (ut > tMax) { ut = tMax; cc[3]++; }
    let is = us | 0;
    if (is >= sMax) is = sMax - 1;
    let it = ut | 0;
    if (it > itMax) it = itMax;
    const ws = us - is;
    const wt = ut - it;
    const o0 = (it * nS + is) * STRIDE;
    const o1 = o0 + tRow;
    const a0 = tab[o0], a1 = tab[o0 + 1], a2 = tab[o0 + 2], a3 = tab[o0 + 3], a4 = tab[o0 + 4], a5 = tab[o0 + 5];
    const b0 = tab[o1], b1 = tab[o1 + 1], b2 = tab[o1 + 2], b3 = tab[o1 + 3], b4 = tab[o1 + 4], b5 = tab[o1 + 5];
    const x0 = a0 + ws * (tab[o0 + 8] - a0), y0 = b0 + ws * (tab[o1 + 8] - b0);
    const x1 = a1 + ws * (tab[o0 + 9] - a1), y1 = b1 + ws * (tab[o1 + 9] - b1);
    const x2 = a2 + ws * (tab[o0 + 10] - a2), y2 = b2 + ws * (tab[o1 + 10] - b2);
    const x3 = a3 + ws * (tab[o0 + 11] - a3), y3 = b3 + ws * (tab[o1 + 11] - b3);
    const x4 = a4 + ws * (tab[o0 + 12] - a4), y4 = b4 + ws * (tab[o1 + 12] - b4);
    const x5 = a5 + ws * (tab[o0 + 13] - a5), y5 = b5 + ws * (tab[o1 + 13] - b5);
    const ocv = x0 + wt * (y0 - x0);
    const r0 = (x1 + wt * (y1 - x1)) * r0s[i];
    const vr1 = (x2 + wt * (y2 - x2)) * v1[i] - I * (x3 + wt * (y3 - x3));
    const vr2 = (x4 + wt * (y4 - x4)) * v2[i] - I * (x5 + wt * (y5 - x5));
    let dudt = 0;
    if (hasDudt) {
      const a6 = tab[o0 + 6], b6 = tab[o1 + 6];
      const x6 = a6 + ws * (tab[o0 + 14] - a6), y6 = b6 + ws * (tab[o1 + 14] - b6);
      dudt = x6 + wt * (y6 - x6);
    }
    v1[i] = vr1;
    v2[i] = vr2;
    const vrc = vr1 + vr2;
    ocvOut[i] = ocv;
    vt[i] = ocv - I * r0 + vrc;
    const q = I * (I * r0 - vrc - (T + KELVIN) * dudt);
    heat[i] = q;
    temp[i] = eth * T + ambTerm + gth * q;
  }
}

// Kernel with the current-dependent resistance multipliers (tables over [temp][|I|], same
// temperature grid as the main tables, so the temperature index and weight are shared).
function kernelCur(f: EcmFleet, m: CompiledCell, th: ThermalCoefficients, currentA: Float64Array, ambientC: number, dtS: number): void {
  const n = f.n;
  const rc2 = f.rcPairs === 2;
  const soc = f.soc, v1 = f.v1V, v2 = f.v2V, temp = f.tempC, r0s = f.r0Scale;
  const vt = f.terminalV, ocvOut = f.ocvV, heat = f.heatW, tab = m.stepTable;
  const capSeen = f.capSeen, invCap = f.invCap, cap = f.capacityAh;
  const cc = f.clampCounts;
  const cur = m.cur!;
  const sI = cur.r0s, sR = cur.rcs;
  const i0 = cur.gI.x0, iInv = cur.gI.n === 1 ? 0 : cur.gI.invDx, iMax = cur.gI.n - 1, nI = cur.gI.n;
  const iiMax = iMax > 0 ? iMax - 1 : 0;
  const iStep = nI === 1 ? 0 : 1;
  const s0 = m.gS.x0, sInv = m.gS.invDx, sMax = m.gS.n - 1, nS = m.gS.n;
  const t0 = m.gT.x0, tInv = m.gT.n === 1 ? 0 : m.gT.invDx, tMax = m.gT.n - 1;
  const tRow = m.gT.n === 1 ? 0 : nS * STRIDE;
  const tRowI = m.gT.n === 1 ? 0 : nI;
  const itMax = tMax > 0 ? tMax - 1 : 0;
  const kSoc = dtS / 3600;
  const eth = th.eth, gth = th.gth, ambTerm = (1 - eth) * ambientC;
  const hasDudt = m.hasDudt;
  // surface-SOC lag (H9): delta = a delta + b I / Q, lookups at z - delta
  const hasSurf = m.surf !== null;
  const sS = m.surfStep, lagA = f.surfLag, sT = m.gT.n === 1 ? 0 : 2;
  for (let i = 0; i < n; i++) {
    const I = currentA[i];
    const c = cap[i];
    if (c !== capSeen[i]) {
      capSeen[i] = c;
      invCap[i] = 1 / c;
    }
    const z = soc[i] - I * kSoc * invCap[i];
    soc[i] = z;
    const T = temp[i];
    let ut = (T - t0) * tInv;
    if (ut < 0) { ut = 0; cc[2]++; } else if (ut > tMax) { ut = tMax; cc[3]++; }
    let it = ut | 0;
    if (it > itMax) it = itMax;
    const wt = ut - it;
    let zs = z;
    if (hasSurf) {
      const so = 2 * it;
      const sa = sS[so] + wt * (sS[so + sT] - sS[so]);
      const sb = sS[so + 1] + wt * (sS[so + 1 + sT] - sS[so + 1]);
      const dl = sa * lagA[i] + sb * I * invCap[i];
      lagA[i] = dl;
      zs = z - dl;
    }
    let us = (zs - s0) * sInv;
    if (us < 0) { us = 0; cc[0]++; } else if (us > sMax) { us = sMax; cc[1]++; }
    let ui = ((I < 0 ? -I : I) - i0) * iInv;
    if (ui > iMax) { ui = iMax; cc[4]++; } else if (ui < 0) ui = 0;
    let is = us | 0;
    if (is >= sMax) is = sMax - 1;
    let ii = ui | 0;
    if (ii > iiMax) ii = iiMax;
    const ws = us - is;
    const wi = ui - ii;
    const q0 = it * nI + ii;
    const q1 = q0 + tRowI;
    const g0 = sI[q0] + wi * (sI[q0 + iStep] - sI[q0]);
    const g1 = sI[q1] + wi * (sI[q1 + iStep] - sI[q1]);
    const h0 = sR[q0] + wi * (sR[q0 + iStep] - sR[q0]);
    const h1 = sR[q1] + wi * (sR[q1 + iStep] - sR[q1]);
    const kR0 = g0 + wt * (g1 - g0);
    const kRc = h0 + wt * (h1 - h0);
    const o0 = (it * nS + is) * STRIDE;
    const o1 = o0 + tRow;
    const a0 = tab[o0], a1 = tab[o0 + 1], a2 = tab[o0 + 2], a3 = tab[o0 + 3];
    const b0 = tab[o1], b1 = tab[o1 + 1], b2 = tab[o1 + 2], b3 = tab[o1 + 3];
    const x0 = a0 + ws * (tab[o0 + 8] - a0), y0 = b0 + ws * (tab[o1 + 8] - b0);
    const x1 = a1 + ws * (tab[o0 + 9] - a1), y1 = b1 + ws * (tab[o1 + 9] - b1);
    const x2 = a2 + ws * (tab[o0 + 10] - a2), y2 = b2 + ws * (tab[o1 + 10] - b2);
    const x3 = a3 + ws * (tab[o0 + 11] - a3), y3 = b3 + ws * (tab[o1 + 11] - b3);
    const ocv = x0 + wt * (y0 - x0);
    const r0 = (x1 + wt * (y1 - x1)) * r0s[i] * kR0;
    let vrc = (x2 + wt * (y2 - x2)) * v1[i] - I * (x3 + wt * (y3 - x3)) * kRc;
    v1[i] = vrc;
    if (rc2) {
      const a4 = tab[o0 + 4], a5 = tab[o0 + 5], b4 = tab[o1 + 4], b5 = tab[o1 + 5];
      const x4 = a4 + ws * (tab[o0 + 12] - a4), y4 = b4 + ws * (tab[o1 + 12] - b4);
      const x5 = a5 + ws * (tab[o0 + 13] - a5), y5 = b5 + ws * (tab[o1 + 13] - b5);
      const vr2 = (x4 + wt * (y4 - x4)) * v2[i] - I * (x5 + wt * (y5 - x5)) * kRc;
      v2[i] = vr2;
      vrc += vr2;
    }
    let dudt = 0;
    if (hasDudt) {
      const a6 = tab[o0 + 6], b6 = tab[o1 + 6];
      const x6 = a6 + ws * (tab[o0 + 14] - a6), y6 = b6 + ws * (tab[o1 + 14] - b6);
      dudt = x6 + wt * (y6 - x6);
    }
    ocvOut[i] = ocv;
    vt[i] = ocv - I * r0 + vrc;
    const q = I * (I * r0 - vrc - (T + KELVIN) * dudt);
    heat[i] = q;
    temp[i] = eth * T + ambTerm + gth * q;
  }
}

function stepFast(f: EcmFleet, m: CompiledCell, th: ThermalCoefficients, currentA: Float64Array, ambientC: number, dtS: number): void {
  const n = f.n;
  const soc = f.soc;
  const v1 = f.v1V;
  const v2 = f.v2V;
  const temp = f.tempC;
  const cap = f.capacityAh;
  const r0s = f.r0Scale;
  const vt = f.terminalV;
  const ocvOut = f.ocvV;
  const heat = f.heatW;
  const tab = m.stepTable;
  const capSeen = f.capSeen;
  const invCap = f.invCap;
  const cc = f.clampCounts;
  const jig = f.jigTempC;
  const s0 = m.gS.x0;
  const sInv = m.gS.invDx;
  const sMax = m.gS.n - 1;
  const nS = m.gS.n;
  const t0 = m.gT.x0;
  const tInv = m.gT.n === 1 ? 0 : m.gT.invDx;
  const tMax = m.gT.n - 1;
  const tRow = m.gT.n === 1 ? 0 : nS * STRIDE;
  const rc2 = f.rcPairs === 2;
  const kSoc = dtS / 3600;
  const twoNode = th.twoNode;
  const eth = th.eth;
  const gth = th.gth;
  const ambTerm = (1 - eth) * ambientC;
  for (let i = 0; i < n; i++) {
    const I = currentA[i];
    const c = cap[i];
    if (c !== capSeen[i]) {
      capSeen[i] = c;
      invCap[i] = 1 / c;
    }
    const z = soc[i] - I * kSoc * invCap[i];
    soc[i] = z;
    const T = temp[i];
    let us = (z - s0) * sInv;
    if (us < 0) {
      us = 0;
      cc[0]++;
    } else if (us > sMax) {
      us = sMax;
      cc[1]++;
    }
    let ut = (T - t0) * tInv;
    if (ut < 0) {
      ut = 0;
      cc[2]++;
    } else if (ut > tMax) {
      ut = tMax;
      cc[3]++;
    }
    let is = us | 0;
    if (is >= sMax) is = sMax - 1;
    let it = ut | 0;
    if (it >= tMax && tMax > 0) it = tMax - 1;
    const ws = us - is;
    const wt = ut - it;
    const o00 = (it * nS + is) * STRIDE;
    const o01 = o00 + STRIDE;
    const o10 = o00 + tRow;
    const o11 = o10 + STRIDE;
    const w00 = (1 - ws) * (1 - wt);
    const w01 = ws * (1 - wt);
    const w10 = (1 - ws) * wt;
    const w11 = ws * wt;
    const ocv = w00 * tab[o00] + w01 * tab[o01] + w10 * tab[o10] + w11 * tab[o11];
    const r0 = (w00 * tab[o00 + 1] + w01 * tab[o01 + 1] + w10 * tab[o10 + 1] + w11 * tab[o11 + 1]) * r0s[i];
    const a1 = w00 * tab[o00 + 2] + w01 * tab[o01 + 2] + w10 * tab[o10 + 2] + w11 * tab[o11 + 2];
    const b1 = w00 * tab[o00 + 3] + w01 * tab[o01 + 3] + w10 * tab[o10 + 3] + w11 * tab[o11 + 3];
    const dudt = w00 * tab[o00 + 6] + w01 * tab[o01 + 6] + w10 * tab[o10 + 6] + w11 * tab[o11 + 6];
    let vrc = a1 * v1[i] - I * b1;
    v1[i] = vrc;
    if (rc2) {
      const a2 = w00 * tab[o00 + 4] + w01 * tab[o01 + 4] + w10 * tab[o10 + 4] + w11 * tab[o11 + 4];
      const b2 = w00 * tab[o00 + 5] + w01 * tab[o01 + 5] + w10 * tab[o10 + 5] + w11 * tab[o11 + 5];
      const x = a2 * v2[i] - I * b2;
      v2[i] = x;
      vrc += x;
    }
    ocvOut[i] = ocv;
    vt[i] = ocv - I * r0 + vrc;
    const q = I * (I * r0 - vrc - (T + KELVIN) * dudt);
    heat[i] = q;
    if (twoNode) {
      const tj = jig[i];
      temp[i] = th.p11 * T + th.p12 * tj + th.gq1 * q + th.ga1 * ambientC;
      jig[i] = th.p21 * T + th.p22 * tj + th.gq2 * q + th.ga2 * ambientC;
    } else {
      temp[i] = eth * T + ambTerm + gth * q;
    }
  }
}

/** Per-cell coefficient evaluation (any dt, current dependence, hysteresis). */
function stepGeneral(
  f: EcmFleet,
  m: CompiledCell,
  th: ThermalCoefficients,
  currentA: Float64Array,
  ambientC: number,
  dtS: number,
  perCellExp: boolean,
): void {
  const n = f.n;
  const rc2 = f.rcPairs === 2;
  const tab = m.stepTable;
  const gS = m.gS;
  const gT = m.gT;
  const nS = gS.n;
  const tRow = gT.n === 1 ? 0 : nS;
  const cc = f.clampCounts;
  const curMax = m.cur ? m.cur.gI.x0 + m.cur.gI.dx * (m.cur.gI.n - 1) : Infinity;
  const sS = m.surfStep;
  const sT = gT.n === 1 ? 0 : 2;
  for (let i = 0; i < n; i++) {
    const I = currentA[i];
    const z = f.soc[i] - (I * dtS) / (3600 * f.capacityAh[i]);
    f.soc[i] = z;
    const T = f.tempC[i];
    let ut = gT.n === 1 ? 0 : (T - gT.x0) * gT.invDx;
    if (ut < 0) {
      ut = 0;
      cc[2]++;
    } else if (ut > gT.n - 1) {
      ut = gT.n - 1;
      cc[3]++;
    }
    let it = ut | 0;
    if (it > gT.n - 2) it = Math.max(0, gT.n - 2);
    const wt = gT.n === 1 ? 0 : ut - it;
    let zs = z;
    if (m.surf !== null) {
      // surface-SOC lag (H9), same arithmetic as kernelCur
      const so = 2 * it;
      const sa = sS[so] + wt * (sS[so + sT] - sS[so]);
      const sb = sS[so + 1] + wt * (sS[so + 1 + sT] - sS[so + 1]);
      const dl = sa * f.surfLag[i] + (sb * I) / f.capacityAh[i];
      f.surfLag[i] = dl;
      zs = z - dl;
    }
    let us = (zs - gS.x0) * gS.invDx;
    if (us < 0) {
      us = 0;
      cc[0]++;
    } else if (us > nS - 1) {
      us = nS - 1;
      cc[1]++;
    }
    let is = us | 0;
    if (is > nS - 2) is = nS - 2;
    const ws = us - is;
    const k00 = it * nS + is;
    const k01 = k00 + 1;
    const k10 = k00 + tRow;
    const k11 = k10 + 1;
    const w00 = (1 - ws) * (1 - wt);
    const w01 = ws * (1 - wt);
    const w10 = (1 - ws) * wt;
    const w11 = ws * wt;
    let ocv: number, r0: number, a1: number, b1: number, a2 = 0, b2 = 0, dudt: number;
    if (perCellExp) {
      ocv = w00 * m.ocv[k00] + w01 * m.ocv[k01] + w10 * m.ocv[k10] + w11 * m.ocv[k11];
      r0 = w00 * m.r0[k00] + w01 * m.r0[k01] + w10 * m.r0[k10] + w11 * m.r0[k11];
      const r1 = w00 * m.r1[k00] + w01 * m.r1[k01] + w10 * m.r1[k10] + w11 * m.r1[k11];
      const tau1 = w00 * m.tau1[k00] + w01 * m.tau1[k01] + w10 * m.tau1[k10] + w11 * m.tau1[k11];
      a1 = Math.exp(-dtS / tau1);
      b1 = r1 * (1 - a1);
      if (rc2) {
        const r2 = w00 * m.r2[k00] + w01 * m.r2[k01] + w10 * m.r2[k10] + w11 * m.r2[k11];
        const tau2 = w00 * m.tau2[k00] + w01 * m.tau2[k01] + w10 * m.tau2[k10] + w11 * m.tau2[k11];
        a2 = Math.exp(-dtS / tau2);
        b2 = r2 * (1 - a2);
      }
      dudt = w00 * m.dudt[k00] + w01 * m.dudt[k01] + w10 * m.dudt[k10] + w11 * m.dudt[k11];
    } else {
      const o00 = k00 * STRIDE;
      const o01 = k01 * STRIDE;
      const o10 = k10 * STRIDE;
      const o11 = k11 * STRIDE;
      ocv = w00 * tab[o00] + w01 * tab[o01] + w10 * tab[o10] + w11 * tab[o11];
      r0 = w00 * tab[o00 + 1] + w01 * tab[o01 + 1] + w10 * tab[o10 + 1] + w11 * tab[o11 + 1];
      a1 = w00 * tab[o00 + 2] + w01 * tab[o01 + 2] + w10 * tab[o10 + 2] + w11 * tab[o11 + 2];
      b1 = w00 * tab[o00 + 3] + w01 * tab[o01 + 3] + w10 * tab[o10 + 3] + w11 * tab[o11 + 3];
      if (rc2) {
        a2 = w00 * tab[o00 + 4] + w01 * tab[o01 + 4] + w10 * tab[o10 + 4] + w11 * tab[o11 + 4];
        b2 = w00 * tab[o00 + 5] + w01 * tab[o01 + 5] + w10 * tab[o10 + 5] + w11 * tab[o11 + 5];
      }
      dudt = w00 * tab[o00 + 6] + w01 * tab[o01 + 6] + w10 * tab[o10 + 6] + w11 * tab[o11 + 6];
    }
    r0 *= f.r0Scale[i];
    if (m.cur) {
      const absI = Math.abs(I);
      if (absI > curMax) cc[4]++;
      r0 *= currentScale(m, 0, absI, T);
      const s = currentScale(m, 1, absI, T);
      b1 *= s;
      b2 *= s;
    }
    let vrc = a1 * f.v1V[i] - I * b1;
    f.v1V[i] = vrc;
    if (rc2) {
      const x = a2 * f.v2V[i] - I * b2;
      f.v2V[i] = x;
      vrc += x;
    }
    let vh = 0;
    if (m.hystM) {
      const e = Math.exp(-Math.abs((m.hystGamma * I * dtS) / (3600 * f.capacityAh[i])));
      const h = e * f.hyst[i] - (1 - e) * Math.sign(I);
      f.hyst[i] = h;
      const mm = gT.n === 1 ? m.hystM[0] : m.hystM[it] + wt * (m.hystM[it + 1] - m.hystM[it]);
      vh = mm * h;
    }
    f.ocvV[i] = ocv;
    f.terminalV[i] = ocv + vh - I * r0 + vrc;
    const q = I * (I * r0 - vrc - (T + KELVIN) * dudt);
    f.heatW[i] = q;
    if (th.twoNode) {
      const tj = f.jigTempC[i];
      f.tempC[i] = th.p11 * T + th.p12 * tj + th.gq1 * q + th.ga1 * ambientC;
      f.jigTempC[i] = th.p21 * T + th.p22 * tj + th.gq2 * q + th.ga2 * ambientC;
    } else {
      f.tempC[i] = th.eth * T + (1 - th.eth) * ambientC + th.gth * q;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Operating-mode helpers (CV, CP): evaluate the end-of-step terminal voltage for a trial current
// without touching the state.

interface Coeffs {
  ocvEnd: number;
  rTot: number; // R0 + b1 + b2 (incl. current scaling)
  vFree: number; // a1 v1 + a2 v2 + hysteresis at end
  slope: number; // dOCV/dI through the soc change
}
const scratch: Coeffs = { ocvEnd: 0, rTot: 0, vFree: 0, slope: 0 };
const surfScratch = new Float64Array(2);

function evalAt(f: EcmFleet, m: CompiledCell, i: number, I: number, dtS: number, out: Coeffs): number {
  const cap = f.capacityAh[i];
  let k = dtS / (3600 * cap);
  const T = f.tempC[i];
  let z = f.soc[i] - I * k;
  if (m.surf !== null) {
    // lookups at the surface SOC after the step (H9): z_s = z - (a delta + b I / Q)
    surfaceLagCoefficients(m, T, dtS, surfScratch);
    z -= surfScratch[0] * f.surfLag[i] + (surfScratch[1] * I) / cap;
    k += surfScratch[1] / cap;
  }
  const ocv = bilinear(m, m.ocv, z, T);
  const dz = 1e-4;
  const slope = ((bilinear(m, m.ocv, z + dz, T) - bilinear(m, m.ocv, z - dz, T)) / (2 * dz)) * k;
  let r0 = bilinear(m, m.r0, z, T) * f.r0Scale[i];
  const r1 = bilinear(m, m.r1, z, T);
  const a1 = Math.exp(-dtS / bilinear(m, m.tau1, z, T));
  let b1 = r1 * (1 - a1);
  let a2 = 0;
  let b2 = 0;
  if (f.rcPairs === 2) {
    a2 = Math.exp(-dtS / bilinear(m, m.tau2, z, T));
    b2 = bilinear(m, m.r2, z, T) * (1 - a2);
  }
  if (m.cur) {
    const absI = Math.abs(I);
    r0 *= currentScale(m, 0, absI, T);
    const s = currentScale(m, 1, absI, T);
    b1 *= s;
    b2 *= s;
  }
  let vh = 0;
  if (m.hystM) {
    const e = Math.exp(-Math.abs((m.hystGamma * I * dtS) / (3600 * cap)));
    const h = e * f.hyst[i] - (1 - e) * Math.sign(I);
    let ut = m.gT.n === 1 ? 0 : (T - m.gT.x0) * m.gT.invDx;
    ut = Math.min(Math.max(ut, 0), m.gT.n - 1);
    let it = ut | 0;
    if (it > m.gT.n - 2) it = Math.max(0, m.gT.n - 2);
    const mm = m.gT.n === 1 ? m.hystM[0] : m.hystM[it] + (ut - it) * (m.hystM[it + 1] - m.hystM[it]);
    vh = mm * h;
  }
  out.ocvEnd = ocv;
  out.rTot = r0 + b1 + b2;
  out.vFree = a1 * f.v1V[i] + a2 * f.v2V[i] + vh;
  out.slope = slope;
  return ocv + out.vFree - I * out.rTot;
}

/** Terminal voltage cell i would show at the end of a dtS step at current I (state unchanged). */
export function terminalVoltageAfter(f: EcmFleet, p: CellParams, i: number, currentA: number, dtS: number): number {
  return evalAt(f, ensureModel(f, p), i, currentA, dtS, scratch);
}

export function currentForVoltage(f: EcmFleet, p: CellParams, i: number, vTargetV: number, dtS: number): number {
  const m = ensureModel(f, p);
  let I = 0;
  for (let it = 0; it < 30; it++) {
    const v = evalAt(f, m, i, I, dtS, scratch);
    const dvdI = -(scratch.rTot + scratch.slope);
    if (!(dvdI < 0)) break;
    const dI = (vTargetV - v) / dvdI;
    I += dI;
    if (Math.abs(dI) < 1e-10 * (1 + Math.abs(I))) break;
  }
  return I;
}

/**
 * Current giving electrical power powerW (W, + = discharge) at the end of a dtS step.
 * If the requested discharge power exceeds what the cell can deliver, returns the current at the
 * maximum deliverable power (the caller detects this by comparing I * V with powerW).
 */
export function currentForPower(f: EcmFleet, p: CellParams, i: number, powerW: number, dtS: number): number {
  const m = ensureModel(f, p);
  if (powerW === 0) return 0;
  let I = 0;
  evalAt(f, m, i, 0, dtS, scratch);
  const e0 = scratch.ocvEnd + scratch.vFree;
  I = powerW / e0;
  for (let it = 0; it < 40; it++) {
    const v = evalAt(f, m, i, I, dtS, scratch);
    const dvdI = -(scratch.rTot + scratch.slope);
    const e = v - I * dvdI; // linearized open-circuit voltage
    const r = -dvdI;
    if (powerW > 0) {
      const disc = e * e - 4 * r * powerW;
      const iNew = disc <= 0 ? e / (2 * r) : (e - Math.sqrt(disc)) / (2 * r);
      if (Math.abs(iNew - I) < 1e-10 * (1 + Math.abs(I))) return iNew;
      I = iNew;
    } else {
      const disc = e * e - 4 * r * powerW; // > 0 for charge
      const iNew = (e - Math.sqrt(disc)) / (2 * r);
      if (Math.abs(iNew - I) < 1e-10 * (1 + Math.abs(I))) return iNew;
      I = iNew;
    }
  }
  return I;
}

/**
 * Current into a load resistance rOhm (discharge) at the end of a dtS step: V_end(I) = I rOhm.
 * (Resistance operating mode; rOhm > 0.)
 */
export function currentForResistance(f: EcmFleet, p: CellParams, i: number, rOhm: number, dtS: number): number {
  const m = ensureModel(f, p);
  if (!(rOhm > 0)) throw new Error(`currentForResistance: rOhm must be > 0, got ${rOhm}`);
  let I = 0;
  for (let it = 0; it < 30; it++) {
    const v = evalAt(f, m, i, I, dtS, scratch);
    // g(I) = V(I) - I R = 0, g' = -(rTot + slope) - R
    const g = v - I * rOhm;
    const dI = g / (scratch.rTot + scratch.slope + rOhm);
    I += dI;
    if (Math.abs(dI) < 1e-12 * (1 + Math.abs(I))) break;
  }
  return I;
}

/** Human-readable warnings for every table clamp recorded since creation (or last reset). */
export function fleetWarnings(f: EcmFleet, p: CellParams): string[] {
  const c = f.clampCounts;
  const out: string[] = [];
  out.push(
    ...clampWarnings(`${p.name}: SOC`, { low: c[0], high: c[1] }, ensureModel(f, p).gS.x0, Number((f.model.gS.x0 + f.model.gS.dx * (f.model.gS.n - 1)).toFixed(6))),
    ...clampWarnings(`${p.name}: temperature (degC)`, { low: c[2], high: c[3] }, p.tempBreakpointsC[0], p.tempBreakpointsC[p.tempBreakpointsC.length - 1]),
  );
  if (c[4] > 0 && p.currentDependence) {
    const cb = p.currentDependence.currentBreakpointsA;
    out.push(`${p.name}: |current|: ${c[4]} lookup(s) above the table range, clamped to ${cb[cb.length - 1]} A`);
  }
  return out;
}

export function resetFleetWarnings(f: EcmFleet): void {
  f.clampCounts.fill(0);
}

// ---------------------------------------------------------------------------------------------
// Coefficients at an arbitrary state, for estimators (EKF) and tools. Same tables and the same
// clamping as the fleet step; `out` is reused by the caller (no allocation).

export interface CellCoefficients {
  ocvV: number;
  /** dOCV/dSOC (V per unit SOC) */
  dOcvDSoc: number;
  r0Ohm: number;
  a1: number;
  b1: number;
  a2: number;
  b2: number;
  dUdTVPerK: number;
  hystMaxV: number;
  /** 1 if the SOC or temperature was outside the table range (clamped) */
  clamped: number;
}

export function newCellCoefficients(): CellCoefficients {
  return { ocvV: 0, dOcvDSoc: 0, r0Ohm: 0, a1: 0, b1: 0, a2: 0, b2: 0, dUdTVPerK: 0, hystMaxV: 0, clamped: 0 };
}

function lerp2(t: Float64Array, o0: number, o1: number, step: number, ws: number, wt: number): number {
  const a = t[o0] + ws * (t[o0 + step] - t[o0]);
  const b = t[o1] + ws * (t[o1 + step] - t[o1]);
  return a + wt * (b - a);
}

export function cellCoefficients(m: CompiledCell, soc: number, tempC: number, currentA: number, dtS: number, out: CellCoefficients): CellCoefficients {
  const gS = m.gS;
  const gT = m.gT;
  let clamped = 0;
  let us = (soc - gS.x0) * gS.invDx;
  if (!(us >= 0)) {
    us = 0;
    clamped = 1;
  } else if (us > gS.n - 1) {
    us = gS.n - 1;
    clamped = 1;
  }
  let ut = gT.n === 1 ? 0 : (tempC - gT.x0) * gT.invDx;
  if (!(ut >= 0)) {
    ut = 0;
    if (gT.n > 1) clamped = 1;
  } else if (ut > gT.n - 1) {
    ut = gT.n - 1;
    clamped = 1;
  }
  let is = us | 0;
  if (is > gS.n - 2) is = gS.n - 2;
  let it = ut | 0;
  if (it > gT.n - 2) it = Math.max(0, gT.n - 2);
  const ws = us - is;
  const wt = gT.n === 1 ? 0 : ut - it;
  const k00 = it * gS.n + is;
  const k10 = gT.n === 1 ? k00 : k00 + gS.n;
  const s0 = m.ocv[k00 + 1] - m.ocv[k00];
  const s1 = m.ocv[k10 + 1] - m.ocv[k10];
  out.dOcvDSoc = (s0 + wt * (s1 - s0)) * gS.invDx;
  let r0: number;
  let b1: number;
  let b2 = 0;
  if (m.stepDt === dtS) {
    // precomputed [OCV, R0, a1, b1, a2, b2, dU/dT] at the nodes (same as the fleet kernels)
    const t = m.stepTable;
    const o0 = k00 * STRIDE;
    const o1 = k10 * STRIDE;
    out.ocvV = lerp2(t, o0, o1, STRIDE, ws, wt);
    r0 = lerp2(t, o0 + 1, o1 + 1, STRIDE, ws, wt);
    out.a1 = lerp2(t, o0 + 2, o1 + 2, STRIDE, ws, wt);
    b1 = lerp2(t, o0 + 3, o1 + 3, STRIDE, ws, wt);
    if (m.hasRc2) {
      out.a2 = lerp2(t, o0 + 4, o1 + 4, STRIDE, ws, wt);
      b2 = lerp2(t, o0 + 5, o1 + 5, STRIDE, ws, wt);
    } else out.a2 = 0;
    out.dUdTVPerK = lerp2(t, o0 + 6, o1 + 6, STRIDE, ws, wt);
  } else {
    out.ocvV = lerp2(m.ocv, k00, k10, 1, ws, wt);
    r0 = lerp2(m.r0, k00, k10, 1, ws, wt);
    const r1 = lerp2(m.r1, k00, k10, 1, ws, wt);
    out.a1 = Math.exp(-dtS / lerp2(m.tau1, k00, k10, 1, ws, wt));
    b1 = r1 * (1 - out.a1);
    out.a2 = 0;
    if (m.hasRc2) {
      out.a2 = Math.exp(-dtS / lerp2(m.tau2, k00, k10, 1, ws, wt));
      b2 = lerp2(m.r2, k00, k10, 1, ws, wt) * (1 - out.a2);
    }
    out.dUdTVPerK = lerp2(m.dudt, k00, k10, 1, ws, wt);
    // a dt seen twice in a row is likely constant: precompute the node table for it
    if (m.lastDt === dtS) buildStepTable(m, dtS);
    m.lastDt = dtS;
  }
  const c = m.cur;
  if (c !== null) {
    // current multipliers on the same temperature grid: reuse it / wt
    const absI = currentA < 0 ? -currentA : currentA;
    const gI = c.gI;
    let ui = gI.n === 1 ? 0 : (absI - gI.x0) * gI.invDx;
    if (!(ui >= 0)) ui = 0;
    else if (ui > gI.n - 1) ui = gI.n - 1;
    let ii = ui | 0;
    if (ii > gI.n - 2) ii = Math.max(0, gI.n - 2);
    const wi = gI.n === 1 ? 0 : ui - ii;
    const q0 = it * gI.n + ii;
    const q1 = gT.n === 1 ? q0 : q0 + gI.n;
    const st = gI.n === 1 ? 0 : 1;
    r0 *= lerp2(c.r0s, q0, q1, st, wi, wt);
    const sc = lerp2(c.rcs, q0, q1, st, wi, wt);
    b1 *= sc;
    b2 *= sc;
  }
  out.r0Ohm = r0;
  out.b1 = b1;
  out.b2 = b2;
  out.hystMaxV = m.hystM ? (gT.n === 1 ? m.hystM[0] : m.hystM[it] + wt * (m.hystM[it + 1] - m.hystM[it])) : 0;
  out.clamped = clamped;
  return out;
}
