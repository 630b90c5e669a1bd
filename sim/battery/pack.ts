/**
 * Battery pack: `series` groups in series, each of `parallel` cells in parallel, all cells in one
 * EcmFleet (structure of arrays). Cell j of group g is fleet index g * parallel + j.
 *
 * Current sharing (exact per step, no iteration). After the zero-order-hold step of ecm.ts the
 * terminal voltage of cell k at the end of the step is affine in its current:
 *     V_k(I_k) = a_k - b_k I_k
 *     a_k = OCV(z_k*) + s_k dz_k I* + a1 v1 + a2 v2 (+ M h)      b_k = R0 r0Scale + b1 + b2 + s_k dz_k
 * with z_k* the end-of-step SOC at the predicted current I* = I_group / P, s_k = dOCV/dSOC there,
 * dz_k = dt / (3600 Q_k), a_j = exp(-dt/tau_j), b_j = R_j (1 - a_j) (from the fleet's compiled
 * tables, exactly as ecm.cellCoefficients evaluates them). Equal voltage V in the group and sum_k I_k = I_group give
 *     V = (sum a_k / b_k - I_group) / (sum 1 / b_k),    I_k = (a_k - V) / b_k
 * so the sum holds exactly every step; the voltages agree to the second-order error of the
 * linearization (the OCV table is piecewise linear: exact while no breakpoint is crossed).
 * The group is therefore a Thevenin source V_g = A_g - B_g I_g with B_g = 1 / sum(1/b_k),
 * A_g = B_g sum(a_k / b_k), which gives closed forms for pack CV and CP modes too.
 *
 * Passive balancing: a bleed resistor across every series group (one BMS channel per group).
 * A group bleeds when its voltage exceeds the lowest group voltage by `thresholdV` (and stops
 * below thresholdV / 2, hysteresis), only while the pack rests or charges (default) or always.
 * The bleed current V_g / R_bleed adds to the group's discharge current; it does not flow through
 * the pack terminals. Decisions use the group voltages of the previous step (a BMS measures,
 * then switches).
 *
 * Cell-to-cell spread: capacity and R0 multipliers drawn once from normal distributions with the
 * given relative standard deviations (seeded stream `pack-spread`, clipped to [0.5, 1.5] and
 * [0.2, 3]); optional initial SOC spread (absolute std).
 * Thermal: every cell has its own lumped node convecting to ambient (ecm.ts / thermal.ts); no
 * cell-to-cell conduction.
 */
import type { CellParams } from './params';
import { createEcmFleet, stepEcmFleet, ocvAt, surfaceLagCoefficients, type EcmFleet, type CompiledCell } from './ecm';
import type { ThermalCoefficients } from './thermal';
import { Rng } from '../core/rng';

export interface BalancingSpec {
  /** voltage above the lowest group that starts bleeding, V (default 0.005) */
  thresholdV?: number;
  /** bleed resistance per group, Ohm (default 33, about 110 mA at 3.7 V) */
  bleedOhm?: number;
  /** when balancing may run (default 'rest-or-charge') */
  when?: 'rest-or-charge' | 'always';
}

export interface PackSpec {
  series: number;
  parallel: number;
  spread?: { capacityRelStd: number; r0RelStd: number; socAbsStd?: number };
  balancing?: BalancingSpec;
  /**
   * 'lumped' (default): every cell's own lumped thermal node (ecm.ts) is stepped.
   * 'external': the caller owns the cell temperatures (e.g. a container network that writes
   * fleet.tempC after every step); stepPack leaves tempC (and jigTempC) as they were at the start
   * of the step and skips the lumped update. heatW is computed either way.
   */
  cellThermal?: 'lumped' | 'external';
}

export interface Pack {
  fleet: EcmFleet;
  spec: PackSpec;
  /** per-cell current of the last step, A (+ = discharge); includes bleed current */
  cellCurrentA: Float64Array;
  /** per-group voltage after the last step, V */
  groupV: Float64Array;
  /** per-group bleed current of the last step, A (0 = not bleeding) */
  bleedA: Float64Array;
  /** 1 while a group's balancing switch is on */
  balancing: Uint8Array;
  /** pack terminal voltage after the last step, V */
  packV: number;
  /** pack terminal current of the last step, A */
  packCurrentA: number;
  minCellV: number;
  maxCellV: number;
  minTempC: number;
  maxTempC: number;
  minSoc: number;
  maxSoc: number;
  /** capacity-weighted mean SOC */
  meanSoc: number;
  /** energy dissipated in bleed resistors, Wh */
  balancingWh: number;
  // scratch for the sharing solver (per cell / per group), reused every step
  shareA: Float64Array;
  shareB: Float64Array;
  groupA: Float64Array;
  groupB: Float64Array;
  groupIPred: Float64Array;
  /**
   * One buffer behind the hot per-cell arrays: fleet.soc, v1V, v2V, tempC, capacityAh, r0Scale,
   * terminalV, ocvV, heatW, capSeen, invCap and cellCurrentA, shareA, shareB, fleet.surfLag are
   * views of consecutive n-long slices of `state` (in that order). The fused step indexes `state` alone:
   * V8 then tracks one typed array in its inner loops instead of fourteen (each typed array costs
   * a data-pointer and length load per access once registers run out): 14.8 -> 17.8 M cell-steps/s
   * on 250s32p (docs/performance.md).
   * The views are ordinary Float64Arrays for every other reader and writer.
   */
  state: Float64Array;
  /** the views as created (the fused step checks that nobody replaced one) */
  stateViews: Float64Array[];
  /** steps taken by the fused fast path (diagnostics; the others took the general path) */
  fusedSteps: number;
  /** scratch for cellThermal 'external' on the general path (tempC, jigTempC), 2 n */
  tempKeep: Float64Array;
}

function checkSpec(spec: PackSpec): void {
  const bad = (path: string, msg: string) => {
    throw new Error(`pack.${path}: ${msg}`);
  };
  if (!Number.isInteger(spec.series) || spec.series < 1) bad('series', `must be a positive integer, got ${spec.series}`);
  if (!Number.isInteger(spec.parallel) || spec.parallel < 1) bad('parallel', `must be a positive integer, got ${spec.parallel}`);
  const s = spec.spread;
  if (s) {
    if (!(s.capacityRelStd >= 0 && s.capacityRelStd < 0.5)) bad('spread.capacityRelStd', `must be in [0, 0.5), got ${s.capacityRelStd}`);
    if (!(s.r0RelStd >= 0 && s.r0RelStd < 1)) bad('spread.r0RelStd', `must be in [0, 1), got ${s.r0RelStd}`);
    if (s.socAbsStd !== undefined && !(s.socAbsStd >= 0 && s.socAbsStd < 0.5)) bad('spread.socAbsStd', `must be in [0, 0.5), got ${s.socAbsStd}`);
  }
  if (spec.cellThermal !== undefined && spec.cellThermal !== 'lumped' && spec.cellThermal !== 'external')
    bad('cellThermal', `must be 'lumped' or 'external', got ${String(spec.cellThermal)}`);
  const b = spec.balancing;
  if (b) {
    if (b.thresholdV !== undefined && !(b.thresholdV > 0)) bad('balancing.thresholdV', `must be > 0, got ${b.thresholdV}`);
    if (b.bleedOhm !== undefined && !(b.bleedOhm > 0)) bad('balancing.bleedOhm', `must be > 0, got ${b.bleedOhm}`);
  }
}

// slots of Pack.state: the fleet arrays (in this order), then the pack's per-cell arrays
const FLEET_SLOTS = ['soc', 'v1V', 'v2V', 'tempC', 'capacityAh', 'r0Scale', 'terminalV', 'ocvV', 'heatW', 'capSeen', 'invCap'] as const;
const SLOT_I = 11; // cellCurrentA
const SLOT_A = 12; // shareA
const SLOT_IB = 13; // shareB
const SLOT_LAG = 14; // fleet.surfLag (surface-SOC lag, H9)
const STATE_SLOTS = 15;

/** true while every hot array is still the view of pack.state created by createPack */
function stateIntact(pack: Pack): boolean {
  const f = pack.fleet;
  const v = pack.stateViews;
  return (
    f.soc === v[0] && f.v1V === v[1] && f.v2V === v[2] && f.tempC === v[3] && f.capacityAh === v[4] && f.r0Scale === v[5] &&
    f.terminalV === v[6] && f.ocvV === v[7] && f.heatW === v[8] && f.capSeen === v[9] && f.invCap === v[10] &&
    pack.cellCurrentA === v[SLOT_I] && pack.shareA === v[SLOT_A] && pack.shareB === v[SLOT_IB] && f.surfLag === v[SLOT_LAG]
  );
}

function clip(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

export function createPack(
  params: CellParams,
  spec: PackSpec,
  init: { soc: number; tempC: number; rcPairs?: 1 | 2 },
  seed: number,
): Pack {
  checkSpec(spec);
  const { series, parallel } = spec;
  const n = series * parallel;
  const fleet = createEcmFleet(params, n, init);
  if (spec.spread) {
    const rng = new Rng(seed).fork('pack-spread');
    const sp = spec.spread;
    for (let i = 0; i < n; i++) {
      // draw all three for every cell so the streams do not depend on which spreads are zero
      const zc = rng.normal();
      const zr = rng.normal();
      const zs = rng.normal();
      fleet.capacityAh[i] = params.capacityAh * clip(1 + sp.capacityRelStd * zc, 0.5, 1.5);
      fleet.r0Scale[i] = clip(1 + sp.r0RelStd * zr, 0.2, 3);
      if (sp.socAbsStd) {
        const z = clip(init.soc + sp.socAbsStd * zs, 0, 1);
        fleet.soc[i] = z;
        const o = ocvAt(fleet, params, z, init.tempC);
        fleet.ocvV[i] = o;
        fleet.terminalV[i] = o;
      }
    }
  }
  const state = new Float64Array(STATE_SLOTS * n);
  const views: Float64Array[] = [];
  for (let s = 0; s < STATE_SLOTS; s++) views.push(state.subarray(s * n, (s + 1) * n));
  const fl = fleet as { -readonly [K in keyof EcmFleet]: EcmFleet[K] };
  for (const [s, name] of FLEET_SLOTS.entries()) {
    views[s].set(fl[name]);
    fl[name] = views[s];
  }
  views[SLOT_LAG].set(fl.surfLag);
  fl.surfLag = views[SLOT_LAG];
  const pack: Pack = {
    fleet,
    spec,
    cellCurrentA: views[SLOT_I],
    groupV: new Float64Array(series),
    bleedA: new Float64Array(series),
    balancing: new Uint8Array(series),
    packV: 0,
    packCurrentA: 0,
    minCellV: 0,
    maxCellV: 0,
    minTempC: 0,
    maxTempC: 0,
    minSoc: 0,
    maxSoc: 0,
    meanSoc: 0,
    balancingWh: 0,
    shareA: views[SLOT_A],
    shareB: views[SLOT_IB],
    groupA: new Float64Array(series),
    groupB: new Float64Array(series),
    groupIPred: new Float64Array(series),
    tempKeep: new Float64Array(spec.cellThermal === 'external' ? 2 * n : 0),
    state,
    stateViews: views,
    fusedSteps: 0,
  };
  updateOutputs(pack);
  return pack;
}

/** Pack-level outputs from the fleet's last terminal voltages (group voltage = mean of its cells). */
function updateOutputs(pack: Pack): void {
  const f = pack.fleet;
  const { series, parallel } = pack.spec;
  let v = 0;
  let vMin = Infinity;
  let vMax = -Infinity;
  for (let g = 0; g < series; g++) {
    let s = 0;
    const o = g * parallel;
    for (let j = 0; j < parallel; j++) {
      const x = f.terminalV[o + j];
      s += x;
      if (x < vMin) vMin = x;
      if (x > vMax) vMax = x;
    }
    const vg = s / parallel;
    pack.groupV[g] = vg;
    v += vg;
  }
  let tMin = Infinity;
  let tMax = -Infinity;
  let zMin = Infinity;
  let zMax = -Infinity;
  let qz = 0;
  let q = 0;
  for (let i = 0; i < f.n; i++) {
    const t = f.tempC[i];
    if (t < tMin) tMin = t;
    if (t > tMax) tMax = t;
    const z = f.soc[i];
    if (z < zMin) zMin = z;
    if (z > zMax) zMax = z;
    qz += z * f.capacityAh[i];
    q += f.capacityAh[i];
  }
  pack.packV = v;
  pack.minCellV = vMin;
  pack.maxCellV = vMax;
  pack.minTempC = tMin;
  pack.maxTempC = tMax;
  pack.minSoc = zMin;
  pack.maxSoc = zMax;
  pack.meanSoc = qz / q;
}

function ensureCompiled(f: EcmFleet, p: CellParams): void {
  // ecm.ts recompiles its tables lazily when given another params object; ocvAt triggers that.
  if (f.model.params !== p) ocvAt(f, p, 0.5, 25);
}

/**
 * Per-cell affine end-of-step voltage V_k = a_k - b_k I_k, linearized at a predicted cell current
 * (groupIPred[g], the equal share, or perCell[k] from a first pass) into shareA / shareB, and the
 * group Thevenin equivalents into groupA / groupB. With current-dependent R0 the resistive part is
 * the chord I R0(|I|) at the predicted current, so a second pass at the first solution converges.
 */
// ecm.ts keeps per-dt node coefficients [ocv, r0, a1, b1, a2, b2, dudt, pad] (stride 8) once it
// has stepped with a dt. Use them when present and laid out as expected (checked), so the
// prediction uses exactly the step's a_j, b_j; otherwise evaluate exp(-dt/tau) per cell.
const TAB_STRIDE = 8;
const KELVIN = 273.15;
function stepTableFor(m: EcmFleet['model'], dtS: number): Float64Array | null {
  const t = m.stepTable;
  if (m.stepDt !== dtS || t.length !== m.nodes * TAB_STRIDE) return null;
  const last = (m.nodes - 1) * TAB_STRIDE;
  if (t[0] !== m.ocv[0] || t[1] !== m.r0[0] || t[last] !== m.ocv[m.nodes - 1] || t[last + 1] !== m.r0[m.nodes - 1]) return null;
  return t;
}

const surfAB = new Float64Array(2);

function linearize(pack: Pack, p: CellParams, dtS: number, perCell: Float64Array | null): void {
  const f = pack.fleet;
  ensureCompiled(f, p);
  const m = f.model;
  const { series, parallel } = pack.spec;
  const rc2 = f.rcPairs === 2;
  const A = pack.shareA;
  const B = pack.shareB;
  // Same tables and clamping as ecm.ts (uniform [temp][soc] grids, bilinear), evaluated inline:
  // ecm.cellCoefficients gives the same numbers but is too slow for 10^4 cells per step.
  const gS = m.gS;
  const gT = m.gT;
  const nS = gS.n;
  const sMax = nS - 1;
  const tMax = gT.n - 1;
  const tRow = gT.n === 1 ? 0 : nS;
  const tInv = gT.n === 1 ? 0 : gT.invDx;
  const ocvT = m.ocv;
  const r0T = m.r0;
  const r1T = m.r1;
  const tau1T = m.tau1;
  const r2T = m.r2;
  const tau2T = m.tau2;
  const cur = m.cur;
  const hystM = m.hystM;
  const tab = stepTableFor(m, dtS);
  for (let g = 0; g < series; g++) {
    let sumInvB = 0;
    let sumAoverB = 0;
    const ipg = pack.groupIPred[g];
    for (let j = 0; j < parallel; j++) {
      const k = g * parallel + j;
      const ip = perCell ? perCell[k] : ipg;
      let dz = dtS / (3600 * f.capacityAh[k]);
      const T = f.tempC[k];
      let z0 = f.soc[k];
      if (m.surf !== null) {
        // surface-SOC lag (H9): the tables are read at z - (a delta + b I / Q), affine in I too
        surfaceLagCoefficients(m, T, dtS, surfAB);
        z0 -= surfAB[0] * f.surfLag[k];
        dz += surfAB[1] / f.capacityAh[k];
      }
      const z = z0 - ip * dz;
      let us = (z - gS.x0) * gS.invDx;
      if (!(us >= 0)) us = 0;
      else if (us > sMax) us = sMax;
      let ut = (T - gT.x0) * tInv;
      if (!(ut >= 0)) ut = 0;
      else if (ut > tMax) ut = tMax;
      let is = us | 0;
      if (is > nS - 2) is = nS - 2;
      let it = ut | 0;
      if (it > tMax - 1) it = tMax > 0 ? tMax - 1 : 0;
      const ws = us - is;
      const wt = gT.n === 1 ? 0 : ut - it;
      const k00 = it * nS + is;
      const k10 = k00 + tRow;
      const w00 = (1 - ws) * (1 - wt);
      const w01 = ws * (1 - wt);
      const w10 = (1 - ws) * wt;
      const w11 = ws * wt;
      const ocv = w00 * ocvT[k00] + w01 * ocvT[k00 + 1] + w10 * ocvT[k10] + w11 * ocvT[k10 + 1];
      // dOCV/dSOC inside the cell (0 where the SOC is clamped, as the table is flat there)
      const slope =
        us <= 0 || us >= sMax
          ? 0
          : ((1 - wt) * (ocvT[k00 + 1] - ocvT[k00]) + wt * (ocvT[k10 + 1] - ocvT[k10])) * gS.invDx;
      let r0 = w00 * r0T[k00] + w01 * r0T[k00 + 1] + w10 * r0T[k10] + w11 * r0T[k10 + 1];
      let a1: number;
      let b1: number;
      let a2 = 0;
      let b2 = 0;
      if (tab !== null) {
        // the ECM's own per-dt node coefficients: identical to what its step will use
        const o00 = k00 * TAB_STRIDE;
        const o01 = o00 + TAB_STRIDE;
        const o10 = k10 * TAB_STRIDE;
        const o11 = o10 + TAB_STRIDE;
        a1 = w00 * tab[o00 + 2] + w01 * tab[o01 + 2] + w10 * tab[o10 + 2] + w11 * tab[o11 + 2];
        b1 = w00 * tab[o00 + 3] + w01 * tab[o01 + 3] + w10 * tab[o10 + 3] + w11 * tab[o11 + 3];
        if (rc2) {
          a2 = w00 * tab[o00 + 4] + w01 * tab[o01 + 4] + w10 * tab[o10 + 4] + w11 * tab[o11 + 4];
          b2 = w00 * tab[o00 + 5] + w01 * tab[o01 + 5] + w10 * tab[o10 + 5] + w11 * tab[o11 + 5];
        }
      } else {
        const r1 = w00 * r1T[k00] + w01 * r1T[k00 + 1] + w10 * r1T[k10] + w11 * r1T[k10 + 1];
        const tau1 = w00 * tau1T[k00] + w01 * tau1T[k00 + 1] + w10 * tau1T[k10] + w11 * tau1T[k10 + 1];
        a1 = Math.exp(-dtS / tau1);
        b1 = r1 * (1 - a1);
        if (rc2) {
          const r2 = w00 * r2T[k00] + w01 * r2T[k00 + 1] + w10 * r2T[k10] + w11 * r2T[k10 + 1];
          const tau2 = w00 * tau2T[k00] + w01 * tau2T[k00 + 1] + w10 * tau2T[k10] + w11 * tau2T[k10 + 1];
          a2 = Math.exp(-dtS / tau2);
          b2 = r2 * (1 - a2);
        }
      }
      const vFree = a1 * f.v1V[k] + (rc2 ? a2 * f.v2V[k] : 0);
      if (cur !== null) {
        // |I|-dependent multipliers [temp][|I|] at the predicted current (chord form)
        const gI = cur.gI;
        const nI = gI.n;
        let ui = nI === 1 ? 0 : ((ip < 0 ? -ip : ip) - gI.x0) * gI.invDx;
        if (!(ui >= 0)) ui = 0;
        else if (ui > nI - 1) ui = nI - 1;
        let ii = ui | 0;
        if (ii > nI - 2) ii = nI > 1 ? nI - 2 : 0;
        const wi = nI === 1 ? 0 : ui - ii;
        const i1 = nI === 1 ? 0 : 1;
        const c0 = it * nI + ii;
        const c1 = gT.n === 1 ? c0 : c0 + nI;
        const rs = cur.r0s;
        const ra = rs[c0] + wi * (rs[c0 + i1] - rs[c0]);
        const rb = rs[c1] + wi * (rs[c1 + i1] - rs[c1]);
        r0 *= ra + wt * (rb - ra);
        const cs = cur.rcs;
        const ca = cs[c0] + wi * (cs[c0 + i1] - cs[c0]);
        const cb = cs[c1] + wi * (cs[c1 + i1] - cs[c1]);
        const sc = ca + wt * (cb - ca);
        b1 *= sc;
        b2 *= sc;
      }
      let a = ocv + slope * dz * ip + vFree;
      if (hystM !== null) {
        const e = Math.exp(-Math.abs((m.hystGamma * ip * dtS) / (3600 * f.capacityAh[k])));
        const mm = gT.n === 1 ? hystM[0] : hystM[it] + wt * (hystM[it + 1] - hystM[it]);
        a += mm * (e * f.hyst[k] - (1 - e) * Math.sign(ip));
      }
      const b = r0 * f.r0Scale[k] + b1 + b2 + slope * dz;
      A[k] = a;
      B[k] = b;
      const ib = 1 / b;
      sumInvB += ib;
      sumAoverB += a * ib;
    }
    const bg = 1 / sumInvB;
    pack.groupB[g] = bg;
    pack.groupA[g] = sumAoverB * bg;
  }
}

/** Decide which groups bleed this step (from the previous step's group voltages). */
function updateBalancing(pack: Pack, packCurrentA: number, p: CellParams): void {
  const b = pack.spec.balancing;
  const series = pack.spec.series;
  if (!b || series < 2) {
    pack.bleedA.fill(0);
    pack.balancing.fill(0);
    return;
  }
  const th = b.thresholdV ?? 0.005;
  const rBleed = b.bleedOhm ?? 33;
  const restA = 0.01 * p.capacityAh * pack.spec.parallel;
  const allowed = (b.when ?? 'rest-or-charge') === 'always' || packCurrentA <= restA;
  let vMin = Infinity;
  for (let g = 0; g < series; g++) if (pack.groupV[g] < vMin) vMin = pack.groupV[g];
  for (let g = 0; g < series; g++) {
    const d = pack.groupV[g] - vMin;
    let on = pack.balancing[g];
    if (!allowed) on = 0;
    else if (on) on = d > th / 2 ? 1 : 0;
    else on = d > th ? 1 : 0;
    pack.balancing[g] = on;
    pack.bleedA[g] = on ? pack.groupV[g] / rBleed : 0;
  }
}

/** Closed-form sharing in every group from shareA / shareB; writes cellCurrentA. */
function shareGroups(pack: Pack, packCurrentA: number): void {
  const { series, parallel } = pack.spec;
  const A = pack.shareA;
  const B = pack.shareB;
  const I = pack.cellCurrentA;
  for (let g = 0; g < series; g++) {
    const ig = packCurrentA + pack.bleedA[g];
    const o = g * parallel;
    let sumInvB = 0;
    let sumAoverB = 0;
    for (let j = 0; j < parallel; j++) {
      const ib = 1 / B[o + j];
      sumInvB += ib;
      sumAoverB += A[o + j] * ib;
    }
    const v = (sumAoverB - ig) / sumInvB;
    let sum = 0;
    for (let j = 0; j < parallel - 1; j++) {
      const ik = (A[o + j] - v) / B[o + j];
      I[o + j] = ik;
      sum += ik;
    }
    I[o + parallel - 1] = ig - sum; // the sum holds to rounding
  }
}

/**
 * One step of dtS seconds at pack current packCurrentA (A, + = discharge) and ambient (degC):
 * balancing decision, exact current sharing in every parallel group, ECM + thermal step of all
 * cells, pack outputs. No allocation.
 */
export function stepPack(pack: Pack, p: CellParams, packCurrentA: number, ambientC: number, dtS: number): void {
  const f = pack.fleet;
  const { series, parallel } = pack.spec;
  updateBalancing(pack, packCurrentA, p);
  // bleed energy at the group voltages the BMS measured (previous step), as bleedA was set
  let wh = 0;
  for (let g = 0; g < series; g++) if (pack.bleedA[g] !== 0) wh += pack.bleedA[g] * pack.groupV[g];
  pack.balancingWh += (wh * dtS) / 3600;
  const fused = parallel > 1 && stateIntact(pack) ? fusedModel(f, p, dtS) : null;
  if (fused !== null) {
    stepFused(pack, fused, fused.thermal!, packCurrentA, ambientC, dtS);
    pack.fusedSteps++;
  } else {
    const I = pack.cellCurrentA;
    if (parallel === 1) {
      for (let g = 0; g < series; g++) I[g] = packCurrentA + pack.bleedA[g];
    } else {
      // linearize each group at its equal-share current, then share exactly; models whose
      // resistance depends on |I| (or with hysteresis) get a second pass at the first solution
      for (let g = 0; g < series; g++) pack.groupIPred[g] = (packCurrentA + pack.bleedA[g]) / parallel;
      linearize(pack, p, dtS, null);
      shareGroups(pack, packCurrentA);
      const m = f.model;
      if (m.cur !== null || m.hystM !== null) {
        linearize(pack, p, dtS, I);
        shareGroups(pack, packCurrentA);
      }
    }
    if (pack.spec.cellThermal === 'external') {
      // the caller owns the temperatures: step the ECM, then put the start-of-step values back
      const keep = pack.tempKeep;
      keep.set(f.tempC);
      keep.set(f.jigTempC, f.n);
      stepEcmFleet(f, p, I, ambientC, dtS);
      f.tempC.set(keep.subarray(0, f.n));
      f.jigTempC.set(keep.subarray(f.n));
    } else stepEcmFleet(f, p, I, ambientC, dtS);
    updateOutputs(pack);
  }
  pack.packCurrentA = packCurrentA;
}

/**
 * The compiled model when the fused step applies: same params object as the fleet's tables, the
 * ECM's per-dt node table and thermal coefficients already built for this dt (ecm.ts builds them
 * on its first step with a dt, so the first step at a new dt takes the general path), no
 * hysteresis and a one-node lumped thermal model. Otherwise null (general path).
 */
function fusedModel(f: EcmFleet, p: CellParams, dtS: number): CompiledCell | null {
  const m = f.model;
  if (m.params !== p || m.hystM !== null || stepTableFor(m, dtS) === null) return null;
  if (m.surf !== null && m.surfDt !== dtS) return null; // surface coefficients built by ecm.ts for this dt
  const th = m.thermal;
  if (th === null || th.dtS !== dtS || th.twoNode) return null;
  return m;
}

/**
 * Fused fast path of stepPack (parallel > 1, constant dt): group by group, in one sweep over the
 * fleet while the group's 32 or so cells sit in L1 cache,
 *   1. per-cell affine end-of-step voltage V_k = a_k - b_k I_k at the predicted current (as
 *      linearize(); with current-dependent resistance a second pass at the first solution),
 *   2. the closed-form sharing (as shareGroups()),
 *   3. the ECM step of every cell at its current, with the arithmetic of ecm.ts kernel1 / kernel2 /
 *      kernelCur (same node table, same lerp order and clamping, clamp counts kept), so the cell
 *      state matches stepEcmFleet bit for bit at the same currents,
 *   4. the pack outputs of updateOutputs() (same summation order).
 * Compared with the general path it evaluates the temperature index and 1/capacity once per cell,
 * avoids the 4-weight bilinear form and the object lookups in the inner loops, does no second sweep
 * for the outputs, and keeps 1/b_k instead of dividing again. The currents agree with the general
 * path to rounding (pack.test.ts checks both paths against each other).
 */
function stepFused(pack: Pack, m: CompiledCell, th: ThermalCoefficients, packCurrentA: number, ambientC: number, dtS: number): void {
  const f = pack.fleet;
  const series = pack.spec.series;
  const P = pack.spec.parallel;
  const S = pack.state; // every per-cell array below is a slice of S (see Pack.state)
  const n = f.n;
  const SOC = 0, V1 = n, V2 = 2 * n, TEMP = 3 * n, CAP = 4 * n, R0S = 5 * n, VT = 6 * n, OCV = 7 * n, HEAT = 8 * n;
  const CAPSEEN = 9 * n, INVCAP = 10 * n, CUR = 11 * n, SA = 12 * n, SIB = 13 * n; // SIB: 1 / b_k
  const LAG = 14 * n; // surface-SOC lag (fleet.surfLag)
  const bleed = pack.bleedA, groupV = pack.groupV, groupA = pack.groupA, groupB = pack.groupB;
  const tab = m.stepTable;
  const rc2 = f.rcPairs === 2;
  const hasDudt = m.hasDudt;
  const lumped = pack.spec.cellThermal !== 'external';
  const s0 = m.gS.x0, sInv = m.gS.invDx, sMax = m.gS.n - 1, nS = m.gS.n;
  const t0 = m.gT.x0, tInv = m.gT.n === 1 ? 0 : m.gT.invDx, tMax = m.gT.n - 1;
  const tRow = m.gT.n === 1 ? 0 : nS * TAB_STRIDE;
  const itMax = tMax > 0 ? tMax - 1 : 0;
  const oneRow = m.gT.n === 1; // single temperature row (e.g. the 94 Ah BESS cell): no blend along T
  const kSoc = dtS / 3600;
  const eth = th.eth, gth = th.gth, ambTerm = (1 - eth) * ambientC;
  // current-dependent multipliers [temp][|I|] (kernelCur); without them kR0 = kRc = 1 exactly
  const cur = m.cur;
  const hasCur = cur !== null;
  const sI = hasCur ? cur.r0s : tab, sR = hasCur ? cur.rcs : tab;
  const i0 = hasCur ? cur.gI.x0 : 0, nI = hasCur ? cur.gI.n : 1;
  const iInv = nI === 1 ? 0 : cur!.gI.invDx, iMax = nI - 1, iiMax = iMax > 0 ? iMax - 1 : 0;
  const iStep = nI === 1 ? 0 : 1, tRowI = m.gT.n === 1 ? 0 : nI;
  const passes = hasCur ? 2 : 1;
  // surface-SOC lag (H9, kernelCur arithmetic): delta = a delta + b I / Q, tables at z - delta
  const hasSurf = m.surf !== null;
  const sS = m.surfStep, sT = oneRow ? 0 : 2;
  let c0 = 0, c1 = 0, c2 = 0, c3 = 0, c4 = 0; // clamp counts (added to f.clampCounts at the end)
  let vPack = 0, vMin = Infinity, vMax = -Infinity, tMin = Infinity, tMax2 = -Infinity;
  let zMin = Infinity, zMax = -Infinity, qz = 0, qs = 0;
  for (let g = 0; g < series; g++) {
    const o = g * P;
    const e = o + P;
    const ig = packCurrentA + bleed[g];
    const ipg = ig / P;
    // ---- 1 + 2: linearize (at the equal share, then at the first solution) and share
    for (let pass = 0; pass < passes; pass++) {
      let sumInvB = 0;
      let sumAoverB = 0;
      for (let k = o; k < e; k++) {
        const ip = pass === 0 ? ipg : S[CUR + k];
        const c = S[CAP + k];
        if (c !== S[CAPSEEN + k]) {
          S[CAPSEEN + k] = c;
          S[INVCAP + k] = 1 / c;
        }
        let dz = kSoc * S[INVCAP + k];
        let ut = (S[TEMP + k] - t0) * tInv;
        if (!(ut >= 0)) ut = 0;
        else if (ut > tMax) ut = tMax;
        let it = ut | 0;
        if (it > itMax) it = itMax;
        const wt = ut - it;
        let z0 = S[SOC + k];
        if (hasSurf) {
          const so = 2 * it;
          z0 -= (sS[so] + wt * (sS[so + sT] - sS[so])) * S[LAG + k];
          dz += (sS[so + 1] + wt * (sS[so + 1 + sT] - sS[so + 1])) * S[INVCAP + k];
        }
        const z = z0 - ip * dz;
        let us = (z - s0) * sInv;
        let sl = sInv; // dOCV/dSOC scale; 0 where the SOC is clamped (the table is flat there)
        if (!(us > 0)) {
          us = 0;
          sl = 0;
        } else if (us >= sMax) {
          us = sMax;
          sl = 0;
        }
        let is = us | 0;
        if (is >= sMax) is = sMax - 1;
        const ws = us - is;
        const o0 = (it * nS + is) * TAB_STRIDE;
        const o1 = o0 + tRow;
        const p0 = tab[o0], p1 = tab[o0 + 1], p2 = tab[o0 + 2], p3 = tab[o0 + 3];
        const d0 = tab[o0 + 8] - p0;
        let x0 = p0 + ws * d0, x1 = p1 + ws * (tab[o0 + 9] - p1), x2 = p2 + ws * (tab[o0 + 10] - p2), x3 = p3 + ws * (tab[o0 + 11] - p3);
        let slope = d0;
        if (!oneRow) {
          const q0 = tab[o1], q1 = tab[o1 + 1], q2 = tab[o1 + 2], q3 = tab[o1 + 3];
          const e0 = tab[o1 + 8] - q0;
          x0 += wt * (q0 + ws * e0 - x0);
          x1 += wt * (q1 + ws * (tab[o1 + 9] - q1) - x1);
          x2 += wt * (q2 + ws * (tab[o1 + 10] - q2) - x2);
          x3 += wt * (q3 + ws * (tab[o1 + 11] - q3) - x3);
          slope += wt * (e0 - d0);
        }
        const ocv = x0;
        slope *= sl;
        let r0 = x1 * S[R0S + k];
        let vFree = x2 * S[V1 + k];
        let bRc = x3;
        if (rc2) {
          const p4 = tab[o0 + 4], q4 = tab[o1 + 4], p5 = tab[o0 + 5], q5 = tab[o1 + 5];
          const x4 = p4 + ws * (tab[o0 + 12] - p4), y4 = q4 + ws * (tab[o1 + 12] - q4);
          const x5 = p5 + ws * (tab[o0 + 13] - p5), y5 = q5 + ws * (tab[o1 + 13] - q5);
          vFree += (x4 + wt * (y4 - x4)) * S[V2 + k];
          bRc += x5 + wt * (y5 - x5);
        }
        if (hasCur) {
          // chord form at the predicted |I|
          let ui = ((ip < 0 ? -ip : ip) - i0) * iInv;
          if (!(ui >= 0)) ui = 0;
          else if (ui > iMax) ui = iMax;
          let ii = ui | 0;
          if (ii > iiMax) ii = iiMax;
          const wi = ui - ii;
          const u0 = it * nI + ii;
          const u1 = u0 + tRowI;
          const g0 = sI[u0] + wi * (sI[u0 + iStep] - sI[u0]);
          const g1 = sI[u1] + wi * (sI[u1 + iStep] - sI[u1]);
          const h0 = sR[u0] + wi * (sR[u0 + iStep] - sR[u0]);
          const h1 = sR[u1] + wi * (sR[u1 + iStep] - sR[u1]);
          r0 *= g0 + wt * (g1 - g0);
          bRc *= h0 + wt * (h1 - h0);
        }
        const sdz = slope * dz;
        const a = ocv + sdz * ip + vFree;
        const ib = 1 / (r0 + bRc + sdz);
        S[SA + k] = a;
        S[SIB + k] = ib;
        sumInvB += ib;
        sumAoverB += a * ib;
      }
      const bg = 1 / sumInvB;
      groupB[g] = bg;
      groupA[g] = sumAoverB * bg;
      const v = (sumAoverB - ig) / sumInvB;
      let sum = 0;
      for (let k = o; k < e - 1; k++) {
        const ik = (S[SA + k] - v) * S[SIB + k];
        S[CUR + k] = ik;
        sum += ik;
      }
      S[CUR + e - 1] = ig - sum; // the sum holds to rounding
    }
    // ---- 3 + 4: ECM step at the shared currents (ecm.ts kernel arithmetic) and outputs
    let vSum = 0;
    for (let k = o; k < e; k++) {
      const Ik = S[CUR + k];
      const z = S[SOC + k] - Ik * kSoc * S[INVCAP + k];
      S[SOC + k] = z;
      const T = S[TEMP + k];
      let ut = (T - t0) * tInv;
      if (ut < 0) {
        ut = 0;
        c2++;
      } else if (ut > tMax) {
        ut = tMax;
        c3++;
      }
      let it = ut | 0;
      if (it > itMax) it = itMax;
      const wt = ut - it;
      let zs = z;
      if (hasSurf) {
        const so = 2 * it;
        const sa = sS[so] + wt * (sS[so + sT] - sS[so]);
        const sb = sS[so + 1] + wt * (sS[so + 1 + sT] - sS[so + 1]);
        const dl = sa * S[LAG + k] + sb * Ik * S[INVCAP + k];
        S[LAG + k] = dl;
        zs = z - dl;
      }
      let us = (zs - s0) * sInv;
      if (us < 0) {
        us = 0;
        c0++;
      } else if (us > sMax) {
        us = sMax;
        c1++;
      }
      let is = us | 0;
      if (is >= sMax) is = sMax - 1;
      const ws = us - is;
      let kR0 = 1;
      let kRc = 1;
      if (hasCur) {
        let ui = ((Ik < 0 ? -Ik : Ik) - i0) * iInv;
        if (ui > iMax) {
          ui = iMax;
          c4++;
        } else if (ui < 0) ui = 0;
        let ii = ui | 0;
        if (ii > iiMax) ii = iiMax;
        const wi = ui - ii;
        const u0 = it * nI + ii;
        const u1 = u0 + tRowI;
        const g0 = sI[u0] + wi * (sI[u0 + iStep] - sI[u0]);
        const g1 = sI[u1] + wi * (sI[u1 + iStep] - sI[u1]);
        const h0 = sR[u0] + wi * (sR[u0 + iStep] - sR[u0]);
        const h1 = sR[u1] + wi * (sR[u1 + iStep] - sR[u1]);
        kR0 = g0 + wt * (g1 - g0);
        kRc = h0 + wt * (h1 - h0);
      }
      const o0 = (it * nS + is) * TAB_STRIDE;
      const o1 = o0 + tRow;
      const p0 = tab[o0], p1 = tab[o0 + 1], p2 = tab[o0 + 2], p3 = tab[o0 + 3];
      let x0 = p0 + ws * (tab[o0 + 8] - p0), x1 = p1 + ws * (tab[o0 + 9] - p1);
      let x2 = p2 + ws * (tab[o0 + 10] - p2), x3 = p3 + ws * (tab[o0 + 11] - p3);
      if (!oneRow) {
        // second temperature row; with one row wt = 0 and x + 0 * (y - x) = x, so skipping it is exact
        const q0 = tab[o1], q1 = tab[o1 + 1], q2 = tab[o1 + 2], q3 = tab[o1 + 3];
        const y0 = q0 + ws * (tab[o1 + 8] - q0), y1 = q1 + ws * (tab[o1 + 9] - q1);
        const y2 = q2 + ws * (tab[o1 + 10] - q2), y3 = q3 + ws * (tab[o1 + 11] - q3);
        x0 = x0 + wt * (y0 - x0);
        x1 = x1 + wt * (y1 - x1);
        x2 = x2 + wt * (y2 - x2);
        x3 = x3 + wt * (y3 - x3);
      }
      const ocv = x0;
      const r0 = x1 * S[R0S + k] * kR0;
      let vrc = x2 * S[V1 + k] - Ik * x3 * kRc;
      S[V1 + k] = vrc;
      if (rc2) {
        const p4 = tab[o0 + 4], p5 = tab[o0 + 5], q4 = tab[o1 + 4], q5 = tab[o1 + 5];
        const x4 = p4 + ws * (tab[o0 + 12] - p4), y4 = q4 + ws * (tab[o1 + 12] - q4);
        const x5 = p5 + ws * (tab[o0 + 13] - p5), y5 = q5 + ws * (tab[o1 + 13] - q5);
        const vr2 = (x4 + wt * (y4 - x4)) * S[V2 + k] - Ik * (x5 + wt * (y5 - x5)) * kRc;
        S[V2 + k] = vr2;
        vrc += vr2;
      }
      let dudt = 0;
      if (hasDudt) {
        const p6 = tab[o0 + 6], q6 = tab[o1 + 6];
        const x6 = p6 + ws * (tab[o0 + 14] - p6), y6 = q6 + ws * (tab[o1 + 14] - q6);
        dudt = x6 + wt * (y6 - x6);
      }
      S[OCV + k] = ocv;
      const vk = ocv - Ik * r0 + vrc;
      S[VT + k] = vk;
      const q = Ik * (Ik * r0 - vrc - (T + KELVIN) * dudt);
      S[HEAT + k] = q;
      let Tn = T;
      if (lumped) {
        Tn = eth * T + ambTerm + gth * q;
        S[TEMP + k] = Tn;
      }
      vSum += vk;
      if (vk < vMin) vMin = vk;
      if (vk > vMax) vMax = vk;
      if (Tn < tMin) tMin = Tn;
      if (Tn > tMax2) tMax2 = Tn;
      if (z < zMin) zMin = z;
      if (z > zMax) zMax = z;
      qz += z * S[CAP + k];
      qs += S[CAP + k];
    }
    const vg = vSum / P;
    groupV[g] = vg;
    vPack += vg;
  }
  const cc = f.clampCounts;
  cc[0] += c0;
  cc[1] += c1;
  cc[2] += c2;
  cc[3] += c3;
  cc[4] += c4;
  pack.packV = vPack;
  pack.minCellV = vMin;
  pack.maxCellV = vMax;
  pack.minTempC = tMin;
  pack.maxTempC = tMax2;
  pack.minSoc = zMin;
  pack.maxSoc = zMax;
  pack.meanSoc = qz / qs;
}

/**
 * Pack Thevenin equivalent for the next step, linearized at pack current iGuessA:
 * V_pack(I) = E - R I  (bleed currents of the balancing state decided at iGuessA included).
 * Returns E in out[0] and R in out[1].
 */
function packThevenin(pack: Pack, p: CellParams, iGuessA: number, dtS: number, out: Float64Array): void {
  const { series, parallel } = pack.spec;
  // bleed currents from the present balancing state (switching is decided in stepPack)
  const rBleed = pack.spec.balancing?.bleedOhm ?? 33;
  const ip = pack.groupIPred;
  for (let g = 0; g < series; g++) ip[g] = (iGuessA + (pack.balancing[g] ? pack.groupV[g] / rBleed : 0)) / parallel;
  linearize(pack, p, dtS, null);
  let e = 0;
  let r = 0;
  for (let g = 0; g < series; g++) {
    const bleed = pack.balancing[g] ? pack.groupV[g] / rBleed : 0;
    e += pack.groupA[g] - pack.groupB[g] * bleed;
    r += pack.groupB[g];
  }
  out[0] = e;
  out[1] = r;
}

const thev = new Float64Array(2);

/**
 * Pack current (A, + = discharge) that gives pack terminal voltage vTargetV at the end of a dtS
 * step (CV mode). Closed form on the linearized pack, re-linearized at the new operating point
 * until it settles (fixed point of the chord; a few passes).
 */
export function packCurrentForVoltage(pack: Pack, p: CellParams, vTargetV: number, dtS: number): number {
  let I = pack.packCurrentA;
  for (let it = 0; it < 10; it++) {
    packThevenin(pack, p, I, dtS, thev);
    const In = (thev[0] - vTargetV) / thev[1];
    if (Math.abs(In - I) < 1e-9 * (1 + Math.abs(In))) return In;
    I = In;
  }
  return I;
}

/**
 * Pack current such that the highest (vLimitV as a max, on charge) or lowest (as a min, on
 * discharge) group voltage sits exactly at vLimitV at the end of the step: CV on the cell limit,
 * what a BMS-controlled charger does. `which` = 'max' for charging to vMax, 'min' for discharging
 * to vMin.
 */
export function packCurrentForCellVoltage(pack: Pack, p: CellParams, vLimitV: number, which: 'max' | 'min', dtS: number): number {
  const { series } = pack.spec;
  const rBleed = pack.spec.balancing?.bleedOhm ?? 33;
  let I = pack.packCurrentA;
  for (let it = 0; it < 10; it++) {
    packThevenin(pack, p, I, dtS, thev);
    // V_g(I) = A_g - B_g (I + bleed_g) = vLimit  ->  I_g = (A_g - vLimit) / B_g - bleed_g
    let In = which === 'max' ? -Infinity : Infinity;
    for (let g = 0; g < series; g++) {
      const bleed = pack.balancing[g] ? pack.groupV[g] / rBleed : 0;
      const ig = (pack.groupA[g] - vLimitV) / pack.groupB[g] - bleed;
      if (which === 'max' ? ig > In : ig < In) In = ig;
    }
    if (Math.abs(In - I) < 1e-9 * (1 + Math.abs(In))) return In;
    I = In;
  }
  return I;
}

/**
 * Pack current giving electrical power powerW at the pack terminals (W, + = discharge) at the end
 * of a dtS step (CP mode): I (E - R I) = P. If the discharge power exceeds the maximum E^2 / 4R,
 * returns the current at maximum power (compare I * V with powerW to detect it).
 */
export function packCurrentForPower(pack: Pack, p: CellParams, powerW: number, dtS: number): number {
  if (powerW === 0) return 0;
  let I = powerW / Math.max(pack.packV, 1e-6);
  for (let it = 0; it < 10; it++) {
    packThevenin(pack, p, I, dtS, thev);
    const e = thev[0];
    const r = thev[1];
    const disc = e * e - 4 * r * powerW;
    const In = disc <= 0 ? e / (2 * r) : (e - Math.sqrt(disc)) / (2 * r);
    if (Math.abs(In - I) < 1e-9 * (1 + Math.abs(In))) return In;
    I = In;
  }
  return I;
}

/** Pack terminal voltage the next step would end at for pack current I (state unchanged). */
export function packVoltageAfter(pack: Pack, p: CellParams, packCurrentA: number, dtS: number): number {
  packThevenin(pack, p, packCurrentA, dtS, thev);
  return thev[0] - thev[1] * packCurrentA;
}

/** Nominal pack capacity (parallel x cell capacity of the parameter set), Ah. */
export function packNominalCapacityAh(pack: Pack, p: CellParams): number {
  return pack.spec.parallel * p.capacityAh;
}
