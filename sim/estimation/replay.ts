// Replay of a measured cell record through the ECM (open loop) and the SOC EKF (H1). Pure.
// Convention: row k's current is held over (t_{k-1}, t_k]; the model voltage after that step is
// compared with the measured voltage of row k. That is right for bin means (the 1 Hz Panasonic
// files) and for loggers that sample current and voltage together; some raw logs sample the
// voltage before the current of the same row has acted (the 10 Hz Panasonic US06: a current step
// shows in the voltage one row later). `currentLag: 'auto'` detects that from the step responses
// (detectCurrentLag) and then holds row k-1's current over (t_{k-1}, t_k]. The measured cell
// temperature of row k sets the temperature used for the parameter tables (the lumped thermal
// state is overwritten by it).
import type { CellParams } from '../battery/params';
import { createEcmFleet, stepEcmFleet, fleetWarnings } from '../battery/ecm';
import { SocEkf, type SocEkfOptions } from './socEkf';

export interface ReplayInput {
  timeS: ArrayLike<number>;
  /** + = discharge */
  currentA: ArrayLike<number>;
  voltageV: ArrayLike<number>;
  /** tester Ah counter (negative on discharge), for SOC_ref = initialSoc + ah / qAh */
  ahAh: ArrayLike<number>;
  tempC: ArrayLike<number>;
}

export interface ReplayOptions {
  initialSoc?: number; // true initial SOC (default 1)
  qAh?: number; // Q for SOC_ref (default 2.9)
  ekfInitialSoc?: number; // default 0.8
  rcPairs?: 1 | 2;
  ekf?: Omit<SocEkfOptions, 'initialSoc' | 'rcPairs'>;
  /** keep per-row traces (for plots / CSV) */
  trace?: boolean;
  /** convergence band (SOC fraction), default 0.02 */
  convergeBand?: number;
  /** called with the fraction of rows done, every 8192 rows (long records in a worker) */
  onProgress?: (fraction: number) => void;
  /** rows by which the voltage lags the current (0: same row), or 'auto' (default) */
  currentLag?: 'auto' | 0 | 1;
}

export interface CurrentLag {
  lagRows: 0 | 1;
  /** median -dV/dI of the same row and of the next row over the current steps, Ohm */
  sameRowOhm: number;
  nextRowOhm: number;
  steps: number;
}

/**
 * Whether the voltage of a record answers a current step in the same row or one row later: the
 * median of -dV_k/dI_k (same row) against -dV_{k+1}/dI_k (next row) over the steps larger than
 * minStepA. A lag of one row is reported only when the next-row response is more than twice the
 * same-row one over at least minSteps steps (1 Hz bin means: same row 30-72 mOhm, next row -8 to
 * 18; the 10 Hz Panasonic US06: 5.1 against 16.0 mOhm).
 */
export function detectCurrentLag(input: Pick<ReplayInput, 'currentA' | 'voltageV'>, o: { minStepA?: number; minSteps?: number } = {}): CurrentLag {
  const minStep = o.minStepA ?? 1;
  const same: number[] = [];
  const next: number[] = [];
  for (let k = 1; k < input.currentA.length - 1; k++) {
    const dI = input.currentA[k] - input.currentA[k - 1];
    if (!(Math.abs(dI) >= minStep)) continue;
    same.push(-(input.voltageV[k] - input.voltageV[k - 1]) / dI);
    next.push(-(input.voltageV[k + 1] - input.voltageV[k]) / dI);
  }
  const median = (a: number[]) => (a.length === 0 ? NaN : a.sort((x, y) => x - y)[a.length >> 1]);
  const sameRowOhm = median(same);
  const nextRowOhm = median(next);
  const lagged = same.length >= (o.minSteps ?? 20) && nextRowOhm > 0 && nextRowOhm > 2 * Math.max(0, sameRowOhm);
  return { lagRows: lagged ? 1 : 0, sameRowOhm, nextRowOhm, steps: same.length };
}

export interface ReplayResult {
  voltage_rmse_mv: number;
  voltage_max_abs_mv: number;
  soc_rmse_pct: number;
  soc_max_abs_pct: number;
  converge_s: number | null;
  param_temp_c: number;
  // extras
  converged: boolean;
  soc_err_at_600s_pct: number | null;
  soc_max_abs_after_600s_pct: number | null;
  voltage_mae_mv: number;
  soc_mae_pct: number;
  ekf_voltage_rmse_mv: number;
  openloop_soc_rmse_pct: number;
  param_temp_min_c: number;
  param_temp_max_c: number;
  param_temp_mode: string;
  param_set: string;
  rc_pairs: number;
  /** rows by which the voltage lags the current in this record (0 or 1), see currentLag */
  current_lag_rows: number;
  /** the EKF's resistance scale k (its fourth state; 1 when off): at the end, and its range */
  ekf_resistance_scale: number;
  ekf_resistance_scale_min: number;
  ekf_resistance_scale_max: number;
  initial_soc: number;
  ekf_initial_soc: number;
  q_ah: number;
  rows: number;
  duration_s: number;
  warnings: string[];
  trace?: { timeS: Float64Array; modelV: Float64Array; ekfSoc: Float64Array; socRef: Float64Array; ekfResistanceScale: Float64Array };
}

export function replayCell(input: ReplayInput, p: CellParams, o: ReplayOptions = {}): ReplayResult {
  const n = input.timeS.length;
  if (n < 2) throw new Error('replayCell: need at least 2 rows');
  const soc0 = o.initialSoc ?? 1;
  const q = o.qAh ?? 2.9;
  const ekf0 = o.ekfInitialSoc ?? 0.8;
  const band = o.convergeBand ?? 0.02;
  const hasRc2 = !!(p.r2Ohm && p.c2F);
  const rc: 1 | 2 = o.rcPairs ?? (hasRc2 ? 2 : 1);
  const lagInfo = o.currentLag === undefined || o.currentLag === 'auto' ? detectCurrentLag(input) : null;
  const lag = lagInfo ? lagInfo.lagRows : (o.currentLag as 0 | 1);
  const fleet = createEcmFleet(p, 1, { soc: soc0, tempC: input.tempC[0], rcPairs: rc });
  const ekf = new SocEkf(p, { ...(o.ekf ?? {}), initialSoc: ekf0, rcPairs: rc }, fleet.model);
  const cur = new Float64Array(1);
  let sv = 0;
  let svAbs = 0;
  let vMax = 0;
  let ss = 0;
  let ssAbs = 0;
  let sMax = 0;
  let sOpen = 0;
  let sEkfV = 0;
  let tSum = 0;
  let tMin = Infinity;
  let tMax = -Infinity;
  let kMin = Infinity;
  let kMax = -Infinity;
  // index of the last row whose estimate is outside the band; row 0 holds the initial guess, so a
  // filter started outside the band converges at the earliest at row 1's update (converge_s > 0)
  let lastOutside = Math.abs(ekf0 - (soc0 + input.ahAh[0] / q)) > band ? 0 : -1;
  const t0 = input.timeS[0];
  let errAt600: number | null = null;
  let maxAfter600: number | null = null;
  const trace = o.trace
    ? { timeS: new Float64Array(n), modelV: new Float64Array(n), ekfSoc: new Float64Array(n), socRef: new Float64Array(n), ekfResistanceScale: new Float64Array(n) }
    : undefined;
  if (trace) {
    trace.timeS[0] = input.timeS[0];
    trace.modelV[0] = fleet.terminalV[0];
    trace.ekfSoc[0] = ekf0;
    trace.ekfResistanceScale[0] = ekf.resistanceScale;
    trace.socRef[0] = soc0 + input.ahAh[0] / q;
  }
  for (let k = 0; k < n; k++) {
    const T = input.tempC[k];
    tSum += T;
    if (T < tMin) tMin = T;
    if (T > tMax) tMax = T;
  }
  const m = n - 1;
  for (let k = 1; k < n; k++) {
    const dt = input.timeS[k] - input.timeS[k - 1];
    const I = input.currentA[k - lag];
    const T = input.tempC[k];
    fleet.tempC[0] = T;
    cur[0] = I;
    stepEcmFleet(fleet, p, cur, T, dt);
    const ev = fleet.terminalV[0] - input.voltageV[k];
    sv += ev * ev;
    svAbs += Math.abs(ev);
    if (Math.abs(ev) > vMax) vMax = Math.abs(ev);
    const ref = soc0 + input.ahAh[k] / q;
    sOpen += (fleet.soc[0] - ref) ** 2;
    const z = ekf.step(I, input.voltageV[k], T, dt);
    const kR = ekf.resistanceScale;
    if (kR < kMin) kMin = kR;
    if (kR > kMax) kMax = kR;
    sEkfV += ekf.innovationV * ekf.innovationV;
    const es = z - ref;
    ss += es * es;
    ssAbs += Math.abs(es);
    if (Math.abs(es) > sMax) sMax = Math.abs(es);
    if (Math.abs(es) > band) lastOutside = k;
    const tr = input.timeS[k] - t0;
    if (tr >= 600) {
      if (errAt600 === null) errAt600 = es;
      maxAfter600 = Math.max(maxAfter600 ?? 0, Math.abs(es));
    }
    if (o.onProgress && (k & 8191) === 0) o.onProgress(k / n);
    if (trace) {
      trace.timeS[k] = input.timeS[k];
      trace.modelV[k] = fleet.terminalV[0];
      trace.ekfSoc[k] = z;
      trace.ekfResistanceScale[k] = kR;
      trace.socRef[k] = ref;
    }
  }
  const converged = lastOutside < n - 1;
  const convergeS = !converged ? null : lastOutside < 0 ? 0 : input.timeS[lastOutside + 1] - t0;
  const warnings = fleetWarnings(fleet, p);
  if (ekf.clampCount > 0) warnings.push(`EKF: ${ekf.clampCount} table lookup(s) clamped (SOC or temperature outside the table range)`);
  if (lagInfo && lag === 1)
    warnings.push(
      `the voltage answers current steps one row late in this record (median step response ${(1000 * lagInfo.sameRowOhm).toFixed(1)} mOhm in the same row, ${(1000 * lagInfo.nextRowOhm).toFixed(1)} mOhm in the next, over ${lagInfo.steps} steps): row k-1's current is held over (t_{k-1}, t_k] (force with currentLag / --current-lag)`,
    );
  const r = (x: number, d = 3) => Number(x.toFixed(d));
  return {
    voltage_rmse_mv: r(1000 * Math.sqrt(sv / m)),
    voltage_max_abs_mv: r(1000 * vMax),
    soc_rmse_pct: r(100 * Math.sqrt(ss / m)),
    soc_max_abs_pct: r(100 * sMax),
    converge_s: convergeS === null ? null : r(convergeS, 1),
    param_temp_c: r(tSum / n, 2),
    converged,
    soc_err_at_600s_pct: errAt600 === null ? null : r(100 * errAt600),
    soc_max_abs_after_600s_pct: maxAfter600 === null ? null : r(100 * maxAfter600),
    voltage_mae_mv: r((1000 * svAbs) / m),
    soc_mae_pct: r((100 * ssAbs) / m),
    ekf_voltage_rmse_mv: r(1000 * Math.sqrt(sEkfV / m)),
    openloop_soc_rmse_pct: r(100 * Math.sqrt(sOpen / m)),
    param_temp_min_c: r(tMin, 2),
    param_temp_max_c: r(tMax, 2),
    param_temp_mode: 'measured battery temperature per row, tables interpolated in temperature',
    param_set: p.name,
    rc_pairs: rc,
    current_lag_rows: lag,
    ekf_resistance_scale: r(ekf.resistanceScale),
    ekf_resistance_scale_min: r(kMin),
    ekf_resistance_scale_max: r(kMax),
    initial_soc: soc0,
    ekf_initial_soc: ekf0,
    q_ah: q,
    rows: n,
    duration_s: r(input.timeS[n - 1] - t0, 1),
    warnings,
    ...(trace ? { trace } : {}),
  };
}
