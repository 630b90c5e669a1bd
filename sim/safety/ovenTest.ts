/**
 * Oven (hot-box) test and critical ambient (H6). The cell starts at startC and is put in an oven at
 * ovenC: convection h and radiation eps to the oven walls at ovenC (Hatchard 2001 set-up; the
 * README's reference runs: h 7.17 W/(m2 K), eps 0.8, start 25 degC).
 */
import { createRunawayFleet, setCellTempK, stepRunawayFleet } from './runaway';
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

export interface ArcResult {
  /** temperature where self-heating above the detection threshold was first found, degC */
  onsetC: number;
  /** first time dT/dt > 1 K/s, s from the start (NaN if none) */
  runawayAtS: number;
  peakC: number;
  /** self-heating rate at detection, K/min */
  detectedRateKPerMin: number;
}

/**
 * Accelerating-rate calorimeter, heat-wait-seek (standard ARC procedure): heat the cell in steps of
 * stepK, wait waitS to equilibrate, seek for seekS; if the self-heating rate exceeds thresholdKPerMin
 * (0.02 K/min usual) the calorimeter switches to adiabatic tracking (no losses) until the end.
 * Heating steps are applied as a step change of the cell temperature (ideal heater), losses are zero
 * throughout (the calorimeter tracks the cell), so the result is the chemistry's own onset.
 */
export function simulateArc(
  set: RunawaySet,
  opts: { startC?: number; stepK?: number; waitS?: number; seekS?: number; thresholdKPerMin?: number; maxC?: number; dtS?: number } = {},
): ArcResult {
  const stepK = opts.stepK ?? 5;
  const waitS = opts.waitS ?? 600;
  const seekS = opts.seekS ?? 600;
  const thr = opts.thresholdKPerMin ?? 0.02;
  const dtS = opts.dtS ?? 1;
  const maxC = opts.maxC ?? 250;
  const f = createRunawayFleet(set, 1, { tempC: opts.startC ?? 40, cell: { hConvWPerM2K: 0, emissivity: 0 } });
  let onsetC = NaN;
  let rate = 0;
  let t = 0;
  while (Number.isNaN(onsetC) && f.tempK[0] - 273.15 < maxC) {
    // wait, then seek: measure the self-heating rate over the seek window
    for (let k = 0; k < waitS / dtS; k++, t += dtS) stepRunawayFleet(f, dtS, 25);
    const t0 = f.tempK[0];
    for (let k = 0; k < seekS / dtS; k++, t += dtS) stepRunawayFleet(f, dtS, 25);
    rate = ((f.tempK[0] - t0) / seekS) * 60;
    if (rate > thr) {
      onsetC = t0 - 273.15;
      break;
    }
    setCellTempK(f, 0, f.tempK[0] + stepK); // heat step (the heater's energy is not part of the chemistry)
  }
  // adiabatic tracking to the end
  for (let k = 0; k < (48 * 3600) / dtS && Number.isNaN(f.runawayAtS[0]); k++) stepRunawayFleet(f, dtS, 25);
  for (let k = 0; k < 600 / dtS; k++) stepRunawayFleet(f, dtS, 25);
  return { onsetC, runawayAtS: f.runawayAtS[0], peakC: f.maxTempK[0] - 273.15, detectedRateKPerMin: rate };
}
