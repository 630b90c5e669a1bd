/**
 * Measured time series used by scenarios (drive-cycle currents, site loads, weather): a column of a
 * CSV under ../shared/data, held piecewise-constant (zero-order hold: the value of row k applies
 * from t_k until t_{k+1}), converted to the engine's units (A, W, degC, C-rate).
 * The text of each file comes from the caller (the CLI reads ../shared/data, the browser fetches
 * /api/data/...), so this module stays pure.
 */
import { parseNumericCsv } from '../core/numericCsv';
import type { ProfileRef } from '../scenario/system';
import { quantity } from '../scenario/units';

export interface Profile {
  /** row start times, s (strictly increasing, first = 0) */
  timeS: Float64Array;
  /** values in engine units */
  values: Float64Array;
  /** end of the last row, s */
  endS: number;
  kind: 'current' | 'power' | 'crate' | 'temperature';
}

/** Largest profile text accepted (bytes) and rows. */
export const MAX_PROFILE_BYTES = 64 * 1024 * 1024;
export const MAX_PROFILE_ROWS = 2_000_000;

const UNITS: Record<string, { kind: Profile['kind']; scale: number; offset?: number }> = {
  A: { kind: 'current', scale: 1 },
  mA: { kind: 'current', scale: 1e-3 },
  W: { kind: 'power', scale: 1 },
  kW: { kind: 'power', scale: 1e3 },
  'kWh/h': { kind: 'power', scale: 1e3 },
  C: { kind: 'crate', scale: 1 },
  degC: { kind: 'temperature', scale: 1 },
  K: { kind: 'temperature', scale: 1, offset: -273.15 },
};
export const PROFILE_UNITS = Object.keys(UNITS);

export type ProfileTexts = ReadonlyMap<string, string>;

/** Key of a profile file in ProfileTexts: the path under the data folder (without "data:"). */
export function profileFileKey(ref: ProfileRef): string {
  return ref.file.replace(/^data:/, '');
}

export function buildProfile(ref: ProfileRef, text: string): Profile {
  const file = ref.file;
  if (text.length > MAX_PROFILE_BYTES) throw new Error(`${file}: larger than ${MAX_PROFILE_BYTES} bytes`);
  const u = UNITS[ref.unit];
  if (!u) throw new Error(`${file}: unit '${ref.unit}' is not one of ${PROFILE_UNITS.join(', ')}`);
  const csv = parseNumericCsv(text, file);
  if (csv.rows > MAX_PROFILE_ROWS) throw new Error(`${file}: more than ${MAX_PROFILE_ROWS} rows`);
  if (csv.rows < 1) throw new Error(`${file}: no data rows`);
  const col = csv.cols[ref.column];
  if (!col) throw new Error(`${file}: no column '${ref.column}' (columns: ${csv.header.join(', ')})`);
  const period = ref.period !== undefined ? quantity(ref.period, 'time') : 3600;
  const startS = ref.start !== undefined ? quantity(ref.start, 'time') : 0;
  let t: Float64Array;
  if (ref.timeColumn) {
    const tc = csv.cols[ref.timeColumn];
    if (!tc) throw new Error(`${file}: no time column '${ref.timeColumn}' (columns: ${csv.header.join(', ')})`);
    t = tc;
  } else t = Float64Array.from({ length: csv.rows }, (_, k) => k * period);
  const scale = (ref.scale ?? 1) * u.scale;
  const times: number[] = [];
  const vals: number[] = [];
  for (let k = 0; k < csv.rows; k++) {
    const tk = t[k];
    const v = col[k];
    if (!Number.isFinite(tk)) throw new Error(`${file} line ${csv.lines[k]}: time is not a number`);
    if (k > 0 && !(tk > t[k - 1])) throw new Error(`${file} line ${csv.lines[k]}: time does not increase (${t[k - 1]} then ${tk})`);
    if (!Number.isFinite(v)) throw new Error(`${file} line ${csv.lines[k]}: column '${ref.column}' is not a number`);
    if (k + 1 < csv.rows && t[k + 1] - t[0] <= startS) continue; // before the start: skipped
    times.push(Math.max(0, tk - t[0] - startS));
    vals.push(v * scale + (u.offset ?? 0));
  }
  if (times.length === 0) throw new Error(`${file}: 'start' skips the whole file`);
  times[0] = 0;
  const step = csv.rows > 1 ? t[csv.rows - 1] - t[csv.rows - 2] : period;
  return { timeS: Float64Array.from(times), values: Float64Array.from(vals), endS: times[times.length - 1] + step, kind: u.kind };
}

/** Value at time tS (zero-order hold) with a moving cursor (call with non-decreasing times, or reset). */
export class ProfileCursor {
  private k = 0;
  constructor(readonly p: Profile, readonly repeat: boolean) {}
  /** NaN once the profile has ended (and does not repeat). */
  at(tS: number): number {
    const p = this.p;
    let t = tS;
    if (t >= p.endS) {
      if (!this.repeat) return NaN;
      t = t % p.endS;
    }
    const ts = p.timeS;
    if (t < ts[this.k]) this.k = 0;
    while (this.k + 1 < ts.length && ts[this.k + 1] <= t) this.k++;
    return p.values[this.k];
  }
}
