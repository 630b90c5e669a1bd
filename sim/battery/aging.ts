/**
 * Semi-empirical calendar + cycle aging for every cell of a fleet (structure of arrays).
 * Equations, sources and the plausibility checks against NASA PCoE and Severson et al. 2019 are
 * in docs/aging.md; the published coefficients are in ./agingSets.ts.
 *
 * Every fade term is a power law in its own "age" variable X (time or charge throughput) with a
 * stress factor k that depends on the operating conditions:  L = k(stress) * X^z.
 * When the stress changes, the term continues from the same loss with the new k ("virtual age",
 * as in SimSES and BLAST-Lite):  X_eq = (L / k)^(1/z),  L' = k (X_eq + dX)^z.
 * Capacity:   Q_i = Q0_i * (1 - s (L_cal + L_cyc))
 * Resistance: r0Scale_i = r0Scale0_i * (1 + s (R_cal + R_cyc))      (s = degradation scalar, 1)
 *
 * Update schedule (documented contract):
 *  - `stepAging(state, fleet, currentA, dtS)` is called every simulation step with the per-cell
 *    currents of that step (A, + = discharge). It only accumulates (a few flops per cell, no
 *    exp, no allocation).
 *  - Calendar aging is applied every `calendarEveryS` of simulated time (default 3600 s) with the
 *    time-averaged temperature, SOC and OCV of the interval.
 *  - Cycle aging is applied per half-cycle. A half-cycle is a run of one current direction; it
 *    closes when the SOC has moved back from its extreme by more than `swingMin` (default 2 %,
 *    so regen pulses inside a discharge do not split it), or when it has carried 1.2 capacities
 *    or lasted `maxHalfCycleS`. Its stress uses its DOD (start to extreme), its C-rate
 *    weighted by throughput (sum |C| dAh / sum dAh: every Ah counts at the rate it was moved, so a
 *    fast-charge phase is not diluted by a slow CV tail), its RMS OCV and mean temperature (over
 *    active time); its age increment is its throughput.
 *  - `flushAging` closes all open half-cycles and applies pending calendar time (end of a run).
 * Each application writes capacityAh and r0Scale of the affected cells back into the fleet.
 */
import { z } from 'zod';
import { getAgingSet, defaultAgingSetFor, listAgingSets, type AgingSet } from './agingSets';

const R_GAS = 8.314462618; // J/(mol K)
const KELVIN = 273.15;

/** The part of an EcmFleet that aging reads and writes (an EcmFleet satisfies it). */
export interface AgingFleetView {
  readonly n: number;
  soc: Float64Array;
  tempC: Float64Array;
  ocvV: Float64Array;
  capacityAh: Float64Array;
  r0Scale: Float64Array;
}

export interface AgingOptions {
  /** aging set name (./agingSets.ts) or a set object; default by chemistry */
  set?: string | AgingSet;
  chemistry?: string;
  /** calendar update interval, s of simulated time (default 3600) */
  calendarEveryS?: number;
  /** SOC swing that ends a half-cycle (default 0.02) */
  swingMin?: number;
  /** |I| below restC * Q0 counts as rest (default 0.002, i.e. C/500) */
  restC?: number;
  /** longest half-cycle, s (default 2 days) */
  maxHalfCycleS?: number;
  /** multiplies every stress factor (1 = published model) */
  scalar?: number;
  /** lower bound of the remaining capacity fraction written back (default 0.05) */
  minCapacityFraction?: number;
}

/** zod schema for aging options coming from outside (scenario JSON); errors carry path + message. */
export const AgingOptionsSchema = z
  .object({
    set: z
      .string()
      .refine((v) => listAgingSets().includes(v), { message: `unknown aging set; known: ${listAgingSets().join(', ')}` })
      .optional()
      .describe('aging parameter set (default by cell chemistry: LFP -> lfp-naumann2020, else nmc-schmalstieg2014)'),
    calendarEveryS: z.number().positive().optional().describe('calendar aging update interval, s (default 3600)'),
    swingMin: z.number().positive().max(0.5).optional().describe('SOC swing that ends a half-cycle (default 0.02)'),
    scalar: z.number().nonnegative().optional().describe('multiplies every fade term (1 = published model)'),
  })
  .strict();

export interface AgingState {
  readonly n: number;
  readonly set: AgingSet;
  readonly calendarEveryS: number;
  readonly swingMin: number;
  readonly restC: number;
  readonly maxHalfCycleS: number;
  readonly scalar: number;
  readonly minCapacityFraction: number;
  /** beginning-of-life capacity and R0 scale per cell (captured at creation) */
  readonly cap0: Float64Array;
  readonly r0s0: Float64Array;
  /** accumulated fade terms (fractions) */
  readonly lossCal: Float64Array;
  readonly lossCyc: Float64Array;
  readonly resCal: Float64Array;
  readonly resCyc: Float64Array;
  /** total charge throughput (Ah, charge + discharge) and full equivalent cycles */
  readonly throughputAh: Float64Array;
  readonly fec: Float64Array;
  // open half-cycle per cell
  readonly hcDir: Int8Array; // +1 discharge, -1 charge, 0 none
  readonly hcAh: Float64Array;
  readonly hcTimeS: Float64Array;
  readonly hcSocStart: Float64Array;
  readonly hcSocExt: Float64Array;
  readonly hcTempSum: Float64Array;
  readonly hcV2Sum: Float64Array;
  readonly hcSocSum: Float64Array;
  /** sum of C-rate * dAh (for the throughput-weighted C-rate) */
  readonly hcCAh: Float64Array;
  // calendar accumulators (shared clock, per-cell sums)
  calElapsedS: number;
  readonly calTempSum: Float64Array;
  readonly calSocSum: Float64Array;
  readonly calVSum: Float64Array;
  /** simulated time seen, s */
  timeS: number;
  /** half-cycles closed so far (all cells) */
  halfCycles: number;
}

export function createAging(fleet: AgingFleetView, opts: AgingOptions = {}): AgingState {
  const set = typeof opts.set === 'object' ? opts.set : getAgingSet(opts.set ?? defaultAgingSetFor(opts.chemistry ?? 'NMC'));
  const n = fleet.n;
  const calendarEveryS = opts.calendarEveryS ?? 3600;
  if (!(calendarEveryS > 0)) throw new Error(`aging: calendarEveryS must be > 0, got ${calendarEveryS}`);
  const f = () => new Float64Array(n);
  return {
    n,
    set,
    calendarEveryS,
    swingMin: opts.swingMin ?? 0.02,
    restC: opts.restC ?? 0.002,
    maxHalfCycleS: opts.maxHalfCycleS ?? 2 * 86400,
    scalar: opts.scalar ?? 1,
    minCapacityFraction: opts.minCapacityFraction ?? 0.05,
    cap0: Float64Array.from(fleet.capacityAh),
    r0s0: Float64Array.from(fleet.r0Scale),
    lossCal: f(),
    lossCyc: f(),
    resCal: f(),
    resCyc: f(),
    throughputAh: f(),
    fec: f(),
    hcDir: new Int8Array(n),
    hcAh: f(),
    hcTimeS: f(),
    hcSocStart: f(),
    hcSocExt: f(),
    hcTempSum: f(),
    hcV2Sum: f(),
    hcSocSum: f(),
    hcCAh: f(),
    calElapsedS: 0,
    calTempSum: f(),
    calSocSum: f(),
    calVSum: f(),
    timeS: 0,
    halfCycles: 0,
  };
}

/** Power law continued from loss L with a new stress k: returns L' = k (X_eq + dX)^z. */
export function powerLawContinue(L: number, k: number, z: number, dX: number): number {
  if (!(k > 0) || !(dX > 0)) return L;
  const xEq = L > 0 ? Math.pow(L / k, 1 / z) : 0;
  return k * Math.pow(xEq + dX, z);
}

function writeBack(st: AgingState, fleet: AgingFleetView, i: number): void {
  const s = st.scalar;
  const q = Math.max(st.minCapacityFraction, 1 - s * (st.lossCal[i] + st.lossCyc[i]));
  fleet.capacityAh[i] = st.cap0[i] * q;
  fleet.r0Scale[i] = st.r0s0[i] * (1 + s * (st.resCal[i] + st.resCyc[i]));
}

/** Calendar stress and application for cell i over dtS seconds at mean T (K), SOC, OCV (V). */
function applyCalendar(st: AgingState, i: number, dtS: number, tK: number, soc: number, ocv: number): void {
  const set = st.set;
  if (set.model === 'schmalstieg2014') {
    const c = set.cal;
    const days = dtS / 86400;
    const kq = Math.max(0, (c.a1 * ocv + c.a0) * c.scale * Math.exp(-c.eaK / tK));
    st.lossCal[i] = powerLawContinue(st.lossCal[i], kq, c.p, days);
    const kr = Math.max(0, (c.r1 * ocv + c.r0) * c.rScale * Math.exp(-c.erK / tK));
    st.resCal[i] = powerLawContinue(st.resCal[i], kr, c.rp, days);
  } else {
    const c = set.cal;
    const inv = 1 / tK - 1 / c.tRefK;
    const ds = soc - 0.5;
    const kq = c.kRef * Math.exp((-c.ea / R_GAS) * inv) * (c.c * ds * ds * ds + c.d);
    st.lossCal[i] = powerLawContinue(st.lossCal[i], Math.max(0, kq), 0.5, dtS);
    const kr = c.krRef * Math.exp((-c.er / R_GAS) * inv) * (c.cr * ds * ds + c.dr);
    if (kr > 0) st.resCal[i] += kr * dtS;
  }
}

/** Piecewise-linear interpolation with clamping (small tables, off the hot path). */
function lerpTable(xs: number[], ys: number[], x: number): number {
  if (x <= xs[0]) return ys[0];
  const n = xs.length;
  if (x >= xs[n - 1]) return ys[n - 1];
  let k = 0;
  while (x > xs[k + 1]) k++;
  return ys[k] + ((x - xs[k]) / (xs[k + 1] - xs[k])) * (ys[k + 1] - ys[k]);
}

/**
 * Cycle-aging stress of one half-cycle (exported for tests and docs).
 * Returns [kQ, zQ, kR, zR, xScale]: L = kQ X^zQ with X = throughputAh * xScale in the model's
 * age unit; R = kR X^zR.
 */
export function cycleStress(
  set: AgingSet,
  dod: number,
  cRate: number,
  vRms: number,
  tK: number,
  capacityAh: number,
  out: Float64Array,
): Float64Array {
  if (set.model === 'schmalstieg2014') {
    const c = set.cyc;
    out[0] = Math.max(0, c.b2 * (vRms - c.bV) ** 2 + c.b0 + c.bD * dod);
    out[1] = c.p;
    out[2] = Math.max(0, c.c2 * (vRms - c.cV) ** 2 + c.c0 + c.cD * dod);
    out[3] = 1;
    out[4] = set.refCapacityAh / capacityAh; // Ah of the reference cell, total throughput
  } else if (set.model === 'naumann2018-2020') {
    const c = set.cyc;
    const kd = c.c * (dod - 0.6) ** 3 + c.d;
    out[0] = Math.max(0, ((c.a * cRate + c.b) * kd) / 100);
    out[1] = 0.5;
    out[2] = Math.max(0, ((c.ar * cRate + c.br) * (c.cr * (dod - 0.5) ** 3 + c.dr)) / 100);
    out[3] = 1;
    out[4] = 1 / (2 * capacityAh); // full equivalent cycles
  } else {
    const c = set.cyc;
    const b = lerpTable(c.cRates, c.b, cRate);
    out[0] = (b * Math.exp(-(c.ea - c.alpha * cRate) / (R_GAS * tK))) / 100;
    out[1] = c.z;
    out[2] = 0;
    out[3] = 1;
    out[4] = (0.5 * set.refCapacityAh) / capacityAh; // discharge Ah of the 2.2 Ah reference cell
  }
  return out;
}

const stressScratch = new Float64Array(5);

function closeHalfCycle(st: AgingState, fleet: AgingFleetView, i: number): void {
  const ah = st.hcAh[i];
  const t = st.hcTimeS[i];
  if (ah > 0 && t > 0) {
    const cap = st.cap0[i];
    const dod = Math.min(1, Math.abs(st.hcSocExt[i] - st.hcSocStart[i]));
    const cRate = st.hcCAh[i] / ah; // throughput-weighted C-rate (each Ah at its own rate)
    const vRms = Math.sqrt(st.hcV2Sum[i] / t);
    const tK = st.hcTempSum[i] / t + KELVIN;
    const s = cycleStress(st.set, dod, cRate, vRms, tK, cap, stressScratch);
    const dX = ah * s[4];
    st.lossCyc[i] = powerLawContinue(st.lossCyc[i], s[0], s[1], dX);
    if (s[3] === 1) st.resCyc[i] += s[2] * dX;
    else st.resCyc[i] = powerLawContinue(st.resCyc[i], s[2], s[3], dX);
    st.halfCycles++;
    writeBack(st, fleet, i);
  }
  st.hcAh[i] = 0;
  st.hcTimeS[i] = 0;
  st.hcTempSum[i] = 0;
  st.hcV2Sum[i] = 0;
  st.hcSocSum[i] = 0;
  st.hcCAh[i] = 0;
}

function applyCalendarAll(st: AgingState, fleet: AgingFleetView): void {
  const dt = st.calElapsedS;
  if (!(dt > 0)) return;
  for (let i = 0; i < st.n; i++) {
    applyCalendar(st, i, dt, st.calTempSum[i] / dt + KELVIN, st.calSocSum[i] / dt, st.calVSum[i] / dt);
    st.calTempSum[i] = 0;
    st.calSocSum[i] = 0;
    st.calVSum[i] = 0;
    writeBack(st, fleet, i);
  }
  st.calElapsedS = 0;
}

/**
 * Accumulate one step (call after the electrical/thermal step, with that step's per-cell
 * currents). Applies calendar aging every calendarEveryS and cycle aging when half-cycles close.
 */
export function stepAging(st: AgingState, fleet: AgingFleetView, currentA: Float64Array, dtS: number): void {
  const n = st.n;
  const soc = fleet.soc;
  const temp = fleet.tempC;
  const ocv = fleet.ocvV;
  const swing = st.swingMin;
  const restC = st.restC;
  const maxHc = st.maxHalfCycleS;
  // hoisted arrays (the loop calls closeHalfCycle, so the JIT would reload fields otherwise)
  const cap0 = st.cap0;
  const calT = st.calTempSum;
  const calZ = st.calSocSum;
  const calV = st.calVSum;
  const thr = st.throughputAh;
  const fec = st.fec;
  const hcDir = st.hcDir;
  const hcAh = st.hcAh;
  const hcCAh = st.hcCAh;
  const hcTime = st.hcTimeS;
  const hcStart = st.hcSocStart;
  const hcExt = st.hcSocExt;
  const hcT = st.hcTempSum;
  const hcV2 = st.hcV2Sum;
  const hcZ = st.hcSocSum;
  const kAh = dtS / 3600;
  for (let i = 0; i < n; i++) {
    const z = soc[i];
    const T = temp[i];
    const v = ocv[i];
    calT[i] += T * dtS;
    calZ[i] += z * dtS;
    calV[i] += v * dtS;
    const I = currentA[i];
    const a = I < 0 ? -I : I;
    const dAh = a * kAh;
    const q0 = cap0[i];
    thr[i] += dAh;
    fec[i] += dAh / (2 * q0);
    if (a <= restC * q0) continue;
    const dir = I > 0 ? 1 : -1;
    let hd = hcDir[i];
    if (hd === 0) {
      hcDir[i] = hd = dir;
      hcStart[i] = z;
      hcExt[i] = z;
    } else if (dir !== hd) {
      // opposite current: a reversal once the SOC has moved back by more than swingMin
      const back = hd === 1 ? z - hcExt[i] : hcExt[i] - z;
      if (back > swing) {
        closeHalfCycle(st, fleet, i);
        hcDir[i] = hd = dir;
        hcStart[i] = hcExt[i];
        hcExt[i] = z;
      }
    }
    if (hd === 1 ? z < hcExt[i] : z > hcExt[i]) hcExt[i] = z;
    hcAh[i] += dAh;
    hcCAh[i] += (a / q0) * dAh;
    hcTime[i] += dtS;
    hcT[i] += T * dtS;
    hcV2[i] += v * v * dtS;
    hcZ[i] += z * dtS;
    if (hcAh[i] > 1.2 * q0 || hcTime[i] > maxHc) {
      closeHalfCycle(st, fleet, i);
      hcStart[i] = z;
      hcExt[i] = z;
    }
  }
  st.timeS += dtS;
  st.calElapsedS += dtS;
  if (st.calElapsedS >= st.calendarEveryS) applyCalendarAll(st, fleet);
}

/** Close every open half-cycle and apply pending calendar time (end of a run or a report). */
export function flushAging(st: AgingState, fleet: AgingFleetView): void {
  for (let i = 0; i < st.n; i++) {
    if (st.hcDir[i] !== 0) {
      closeHalfCycle(st, fleet, i);
      st.hcDir[i] = 0;
    }
  }
  applyCalendarAll(st, fleet);
}

export interface CellAgingSummary {
  capacityFraction: number;
  resistanceFactor: number;
  lossCalendar: number;
  lossCycle: number;
  resistanceCalendar: number;
  resistanceCycle: number;
  throughputAh: number;
  fec: number;
}

export function agingSummary(st: AgingState, i: number): CellAgingSummary {
  const s = st.scalar;
  return {
    capacityFraction: Math.max(st.minCapacityFraction, 1 - s * (st.lossCal[i] + st.lossCyc[i])),
    resistanceFactor: 1 + s * (st.resCal[i] + st.resCyc[i]),
    lossCalendar: s * st.lossCal[i],
    lossCycle: s * st.lossCyc[i],
    resistanceCalendar: s * st.resCal[i],
    resistanceCycle: s * st.resCyc[i],
    throughputAh: st.throughputAh[i],
    fec: st.fec[i],
  };
}
