/**
 * Oven (hot-box) test and critical ambient (H6). The cell starts at startC and is put in an oven at
 * ovenC: convection h and radiation eps to the oven walls at ovenC (Hatchard 2001 set-up; the
 * README's reference runs: h 7.17 W/(m2 K), eps 0.8, start 25 degC).
 */
import { createRunawayFleet, stepRunawayFleet } from './runaway';
import type { RunawaySet, CellFormat } from './runawaySets';

export interface OvenResult {
  ovenC: number;
  runaway: boolean;
  /** first time dT/dt > 1 K/s, s (NaN when none) */
  runawayAtS: number;
  peakC: number;
  ventAtS: number;
  substeps: number;
}

export function simulateOven(
  set: RunawaySet,
  ovenC: number,
  opts: { dtS?: number; startC?: number; durationS?: number; cell?: Partial<CellFormat> } = {},
): OvenResult {
  const dtS = opts.dtS ?? 1;
  const durationS = opts.durationS ?? 4 * 3600;
  const f = createRunawayFleet(set, 1, { tempC: opts.startC ?? 25, cell: opts.cell });
  const steps = Math.round(durationS / dtS);
  let after = -1;
  for (let k = 0; k < steps; k++) {
    stepRunawayFleet(f, dtS, ovenC);
    // stop 20 min after onset (peak reached) to keep tests fast
    if (!Number.isNaN(f.runawayAtS[0]) && after < 0) after = k + Math.round(1200 / dtS);
    if (after >= 0 && k >= after) break;
  }
  return {
    ovenC,
    runaway: !Number.isNaN(f.runawayAtS[0]),
    runawayAtS: f.runawayAtS[0],
    peakC: f.maxTempK[0] - 273.15,
    ventAtS: f.ventAtS[0],
    substeps: f.substeps,
  };
}

/** Lowest oven temperature (degC, to tolC) that drives the cell into runaway within durationS. */
export function criticalAmbientC(set: RunawaySet, opts: { loC?: number; hiC?: number; tolC?: number; durationS?: number; dtS?: number } = {}): number {
  let lo = opts.loC ?? 100;
  let hi = opts.hiC ?? 300;
  const tol = opts.tolC ?? 0.5;
  const o = { durationS: opts.durationS ?? 4 * 3600, dtS: opts.dtS ?? 2 };
  if (simulateOven(set, lo, o).runaway) return lo;
  if (!simulateOven(set, hi, o).runaway) return Infinity;
  while (hi - lo > tol) {
    const mid = 0.5 * (lo + hi);
    if (simulateOven(set, mid, o).runaway) hi = mid;
    else lo = mid;
  }
  return 0.5 * (lo + hi);
}
