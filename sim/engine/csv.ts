/**
 * CSV of a run: the one function the CLI (--out) and the browser export both call, so the bytes
 * are identical for the same RunResult.
 *
 * Format: header line of channel names, then one line per sample; ',' separated, '\n' line ends
 * (also after the last line), no quoting (channel names are identifiers). Numbers are written
 * with Number.prototype.toFixed, whose output ECMAScript specifies exactly (no locale, no
 * engine-dependent shortest-representation choices), at a fixed number of decimals per channel:
 *   time_s 3, current_A 6, voltage_V 6, soc 6, temp_C 4, cell_v_min_V / cell_v_max_V 6,
 *   cell_temp_max_C 4, step_index 0; any other channel 6 (names ending in _C: 4).
 * "-0.000000" is written as "0.000000"; NaN and infinities as "NaN", "Infinity", "-Infinity".
 */
import type { RunResult } from './run';

export const CSV_DECIMALS: Record<string, number> = {
  time_s: 3,
  current_A: 6,
  voltage_V: 6,
  soc: 6,
  temp_C: 4,
  cell_v_min_V: 6,
  cell_v_max_V: 6,
  cell_temp_max_C: 4,
  step_index: 0,
};

export function decimalsFor(name: string): number {
  const d = CSV_DECIMALS[name];
  if (d !== undefined) return d;
  if (name.endsWith('_C')) return 4;
  if (name.endsWith('_index') || name.endsWith('_count')) return 0;
  return 6;
}

export function formatCsvNumber(v: number, decimals: number): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
  // toFixed switches to exponential form at |v| >= 1e21; such values do not occur in runs,
  // but keep the output a plain number anyway.
  if (Math.abs(v) >= 1e21) return String(v);
  const s = v.toFixed(decimals);
  if (s.charCodeAt(0) === 45 /* - */ && /^-0(\.0*)?$/.test(s)) return s.slice(1);
  return s;
}

export function runToCsv(r: RunResult): string {
  const ch = r.channels;
  const dec = ch.map((c) => decimalsFor(c.name));
  const n = ch.length ? ch[0].data.length : 0;
  const lines: string[] = new Array(n + 1);
  lines[0] = ch.map((c) => c.name).join(',');
  const row: string[] = new Array(ch.length);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < ch.length; j++) row[j] = formatCsvNumber(ch[j].data[i], dec[j]);
    lines[i + 1] = row.join(',');
  }
  return lines.join('\n') + '\n';
}
