// Pure helpers of the shared cursor: time <-> pixel on the plots' axis, the sample at a time,
// time labels, event severities. Used by the scrubber, timeline, heat map and their tests.
import { lowerBound } from '../plots/decimate';
import type { Severity } from '../../sim/system/types';

export interface AxisMap {
  offsetPx: number;
  lengthPx: number;
  x0S: number;
  x1S: number;
}

/** Pixel (from the plots' left edge) of time tS, or null when it is outside the window. */
export function timeToPx(a: AxisMap, tS: number): number | null {
  if (!(a.x1S > a.x0S) || !Number.isFinite(tS) || tS < a.x0S || tS > a.x1S) return null;
  return a.offsetPx + ((tS - a.x0S) / (a.x1S - a.x0S)) * a.lengthPx;
}

/** Time at pixel px (clamped to the window). */
export function pxToTime(a: AxisMap, px: number): number {
  const f = a.lengthPx > 0 ? (px - a.offsetPx) / a.lengthPx : 0;
  return a.x0S + Math.min(1, Math.max(0, f)) * (a.x1S - a.x0S);
}

/** Index of the sample nearest to tS in an ascending time array (-1 if empty). */
export function nearestIndex(timeS: ArrayLike<number>, tS: number): number {
  const n = timeS.length;
  if (n === 0) return -1;
  const k = lowerBound(timeS, tS);
  if (k <= 0) return 0;
  if (k >= n) return n - 1;
  return tS - timeS[k - 1] <= timeS[k] - tS ? k - 1 : k;
}

/** "35.97 min", "2.500 h", "12.5 s": a time for labels, in the unit that suits the run. */
export function fmtTime(tS: number, durationS: number): string {
  if (!Number.isFinite(tS)) return '–';
  if (durationS > 3 * 3600) return `${(tS / 3600).toFixed(3)} h`;
  if (durationS > 180) return `${(tS / 60).toFixed(2)} min`;
  return `${tS.toFixed(2)} s`;
}

export function fmtValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return v.toExponential(3);
  return Number(v.toPrecision(4)).toString();
}

export const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, alarm: 2, trip: 3 };
export const SEVERITY_LABEL: Record<Severity, string> = { info: 'info', warning: 'warning', alarm: 'alarm', trip: 'trip' };

export function severityOf(s: string): Severity {
  return s === 'warning' || s === 'alarm' || s === 'trip' ? s : 'info';
}
