/**
 * Fast lifetime projection: drives the aging model (./aging.ts) with a repeated cycling protocol
 * at the level of SOC, current and a lumped temperature, without the electrical cell model.
 * Each cell of the fleet may run its own protocol (one cell per charging policy), so hundreds of
 * thousands of cycles run in well under a second. Used for the NASA PCoE and Severson et al.
 * plausibility checks (docs/aging.md); the full twin (pack.ts + ecm.ts) gives the same aging
 * inputs in scenario runs.
 *
 * Protocol segments (C-rates relative to the cell's present capacity, + = discharge):
 *   { kind: 'cc', cRate, untilSoc }          constant current until the SOC crosses untilSoc
 *   { kind: 'ccA', currentA, untilSoc }      the same with a current in A (NASA: 2 A whatever the capacity)
 *   { kind: 'cv', cRate0, cutoffC, target }  constant-voltage phase approximated as a first-order
 *                                            relaxation of the SOC towards target, starting at cRate0
 *                                            (I = cRate0 * |target - soc| / |target - soc_start|, integrated
 *                                            exactly per step), ended at |I| < cutoffC
 *   { kind: 'rest', durationS }
 * Temperature: one lumped node per cell, m cp dT/dt = I^2 R - hA (T - T_amb), exact ZOH.
 */
import { createAging, stepAging, flushAging, type AgingOptions, type AgingState } from './aging';

export type Segment =
  | { kind: 'cc'; cRate: number; untilSoc: number }
  | { kind: 'ccA'; currentA: number; untilSoc: number }
  | { kind: 'cv'; cRate0: number; cutoffC: number; target: number }
  | { kind: 'rest'; durationS: number };

export interface CyclerCell {
  protocol: Segment[];
  capacityAh: number;
  /** OCV(soc) as breakpoints (for voltage-dependent stress), V */
  ocvSoc: number[];
  ocvV: number[];
  ambientC: number;
  thermal?: { resistanceOhm: number; heatCapacityJPerK: number; hAWPerK: number };
  initialSoc?: number;
}

export interface CyclerResult {
  /** capacity fraction at the end of every cycle, per cell: capacity[cell][cycle] */
  capacity: Float64Array[];
  /** first cycle (1-based) at which capacity fraction < eolFraction[cell], or NaN */
  eolCycle: number[];
  state: AgingState;
  meanTempC: number[];
  timeS: number;
}

function interp(xs: number[], ys: number[], x: number): number {
  if (x <= xs[0]) return ys[0];
  const n = xs.length;
  if (x >= xs[n - 1]) return ys[n - 1];
  let k = 0;
  while (x > xs[k + 1]) k++;
  return ys[k] + ((x - xs[k]) / (xs[k + 1] - xs[k])) * (ys[k + 1] - ys[k]);
}

/**
 * Run `cycles` repetitions of each cell's protocol with step dtS (s). Stops a cell after its EOL
 * when `stopAtEol` (capacity fraction below eolFraction). Aging options as for createAging.
 */
export function runCycler(
  cells: CyclerCell[],
  cycles: number,
  dtS: number,
  aging: AgingOptions,
  eolFraction: number[] = cells.map(() => 0),
  stopAtEol = false,
): CyclerResult {
  const n = cells.length;
  const fleet = {
    n,
    soc: Float64Array.from(cells.map((c) => c.initialSoc ?? 1)),
    tempC: Float64Array.from(cells.map((c) => c.ambientC)),
    ocvV: new Float64Array(n),
    capacityAh: Float64Array.from(cells.map((c) => c.capacityAh)),
    r0Scale: new Float64Array(n).fill(1),
  };
  const st = createAging(fleet, aging);
  const current = new Float64Array(n);
  const seg = new Int32Array(n);
  const segT = new Float64Array(n);
  const segSoc0 = new Float64Array(n);
  const cyc = new Int32Array(n);
  const done = new Uint8Array(n);
  const capacity = cells.map(() => new Float64Array(cycles).fill(NaN));
  const eolCycle = cells.map(() => NaN);
  const tSum = new Float64Array(n);
  const tCnt = new Float64Array(n);
  let active = n;
  let timeS = 0;
  const maxSteps = Math.ceil((cycles * 100 * 3600) / dtS); // guard: 100 h per cycle
  for (let step = 0; step < maxSteps && active > 0; step++) {
    // 1) currents of this step from each cell's protocol position
    for (let i = 0; i < n; i++) {
      current[i] = 0;
      if (done[i]) continue;
      const c = cells[i];
      let guard = 0;
      // advance through finished segments
      for (;;) {
        if (guard++ > c.protocol.length + 1) break;
        const s = c.protocol[seg[i]];
        const z = fleet.soc[i];
        let finished = false;
        if (s.kind === 'cc') finished = s.cRate > 0 ? z <= s.untilSoc + 1e-12 : z >= s.untilSoc - 1e-12;
        else if (s.kind === 'ccA') finished = s.currentA > 0 ? z <= s.untilSoc + 1e-12 : z >= s.untilSoc - 1e-12;
        else if (s.kind === 'rest') finished = segT[i] >= s.durationS;
        else {
          const span = Math.abs(s.target - segSoc0[i]);
          const rate = span > 0 ? (s.cRate0 * Math.abs(s.target - z)) / span : 0;
          finished = rate < s.cutoffC;
        }
        if (!finished) break;
        seg[i]++;
        segT[i] = 0;
        segSoc0[i] = fleet.soc[i];
        if (seg[i] >= c.protocol.length) {
          // cycle complete: record the capacity fraction
          // (capacity is written back at half-cycle closes and calendar ticks, so this lags the
          // end of the cycle by at most the open charge half-cycle)
          const frac = fleet.capacityAh[i] / c.capacityAh;
          capacity[i][cyc[i]] = frac;
          if (Number.isNaN(eolCycle[i]) && frac < eolFraction[i]) eolCycle[i] = cyc[i] + 1;
          cyc[i]++;
          seg[i] = 0;
          if (cyc[i] >= cycles || (stopAtEol && !Number.isNaN(eolCycle[i]))) {
            done[i] = 1;
            active--;
            break;
          }
        }
      }
      if (done[i]) continue;
      const s = c.protocol[seg[i]];
      const capAh = fleet.capacityAh[i];
      if (s.kind === 'cc' || s.kind === 'ccA') {
        // constant current, shortened on the last step so the SOC lands on untilSoc exactly
        // (results then do not depend on dt through overshoot)
        const want = s.kind === 'cc' ? s.cRate * capAh : s.currentA;
        const maxA = (Math.abs(fleet.soc[i] - s.untilSoc) * capAh * 3600) / dtS;
        current[i] = Math.abs(want) > maxA ? Math.sign(want) * maxA : want;
      }
      else if (s.kind === 'cv') {
        // exact exponential relaxation over the step (never overshoots the target):
        // dz = (target - z)(1 - exp(-dt * c0 / (3600 * span))), I = -dz * Q * 3600 / dt
        const span = Math.abs(s.target - segSoc0[i]);
        if (span > 0) {
          const dz = (s.target - fleet.soc[i]) * (1 - Math.exp((-dtS * s.cRate0) / (3600 * span)));
          current[i] = (-dz * capAh * 3600) / dtS;
        }
      }
    }
    // 2) coulomb counting, OCV and temperature
    for (let i = 0; i < n; i++) {
      if (done[i]) continue;
      const c = cells[i];
      const I = current[i];
      fleet.soc[i] -= (I * dtS) / (3600 * fleet.capacityAh[i]);
      fleet.ocvV[i] = interp(c.ocvSoc, c.ocvV, fleet.soc[i]);
      if (c.thermal) {
        const th = c.thermal;
        const q = I * I * th.resistanceOhm * fleet.r0Scale[i];
        const tInf = c.ambientC + q / th.hAWPerK;
        const e = Math.exp((-dtS * th.hAWPerK) / th.heatCapacityJPerK);
        fleet.tempC[i] = tInf + (fleet.tempC[i] - tInf) * e;
      } else fleet.tempC[i] = c.ambientC;
      tSum[i] += fleet.tempC[i];
      tCnt[i]++;
      segT[i] += dtS;
    }
    stepAging(st, fleet, current, dtS);
    timeS += dtS;
  }
  flushAging(st, fleet);
  return { capacity, eolCycle, state: st, meanTempC: Array.from(tSum, (s, i) => s / Math.max(1, tCnt[i])), timeS };
}

// ---------------------------------------------------------------------------------------------
// Test protocols of the public aging data sets used in docs/aging.md.

/** NASA PCoE protocol (README of the data set): 2 A CC discharge to cut-off, 1.5 A CC to 4.2 V, CV to 20 mA, 24 degC. */
export function nasaCell(capacityAh: number): CyclerCell {
  return {
    capacityAh,
    ambientC: 24,
    // OCV of an NMC/graphite 18650 (Sanyo UR18650E, Ecker et al. 2014 via BLAST-Lite), used only
    // for the voltage-dependent stress of the Schmalstieg model
    ocvSoc: [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1],
    ocvV: [3.331, 3.49, 3.581, 3.627, 3.655, 3.697, 3.775, 3.867, 3.965, 4.065, 4.162],
    protocol: [
      { kind: 'ccA', currentA: 2, untilSoc: 0 },
      { kind: 'rest', durationS: 600 },
      { kind: 'ccA', currentA: -1.5, untilSoc: 0.8 }, // CC phase ends near 80 % SOC at 0.75C
      { kind: 'cv', cRate0: 1.5 / capacityAh, cutoffC: 0.02 / capacityAh, target: 1 },
      { kind: 'rest', durationS: 600 },
    ],
  };
}

/** Severson et al. 2019 protocol: two-step fast charge 0-80 %, 1C CC-CV to 100 %, 4C CC-CV discharge to 2.0 V, 30 degC chamber. */
export function parseSeversonPolicy(p: string): { c1: number; q1: number; c2: number; avgC: number } {
  const m = /^([\d.]+)C\((\d+)%\)-([\d.]+)C$/.exec(p);
  if (!m) throw new Error(`unparsed policy ${p}`);
  const c1 = Number(m[1]);
  const q1 = Number(m[2]) / 100;
  const c2 = Number(m[3]);
  return { c1, q1, c2, avgC: 0.8 / (q1 / c1 + (0.8 - q1) / c2) };
}

export function seversonCell(policy: string, capacityAh: number): CyclerCell {
  const { c1, q1, c2 } = parseSeversonPolicy(policy);
  const protocol: Segment[] = [
    { kind: 'cc', cRate: -c1, untilSoc: q1 },
    { kind: 'cc', cRate: -c2, untilSoc: 0.8 },
    { kind: 'cc', cRate: -1, untilSoc: 0.95 },
    { kind: 'cv', cRate0: 1, cutoffC: 0.02, target: 1 },
    { kind: 'rest', durationS: 60 },
    { kind: 'cc', cRate: 4, untilSoc: 0.03 },
    { kind: 'cv', cRate0: 4, cutoffC: 0.02, target: 0 },
    { kind: 'rest', durationS: 60 },
  ];
  return {
    capacityAh,
    ambientC: 30,
    initialSoc: 0,
    ocvSoc: [0, 1],
    ocvV: [3.3, 3.3], // the LFP models have no voltage-dependent stress
    // lumped 18650 (A123 APR18650M1A: 39 g; cp ~1000 J/kgK, ~18 mOhm, h ~15 W/m2K on 0.0042 m2:
    // rough figures, they only move the small calendar term)
    thermal: { resistanceOhm: 0.018, heatCapacityJPerK: 39, hAWPerK: 0.063 },
    protocol,
  };
}

