// Parser for measured cell CSVs in the Panasonic column format (H1):
//   time_s,current_A,voltage_V,ah_Ah,battery_temp_degC[,chamber_temp_degC]
// current_A is negative on discharge in the file; it is converted to + = discharge here.
// Every problem stops with a message naming the file, line and column. Pure (no file access):
// the CLI reads files (cli/cellCsv.ts), the browser's replay worker parses uploaded text.
export interface CellSeries {
  file: string;
  timeS: Float64Array;
  /** + = discharge */
  currentA: Float64Array;
  voltageV: Float64Array;
  /** tester counter, negative while discharging (as in the file) */
  ahAh: Float64Array;
  tempC: Float64Array;
  rows: number;
  /** exact duplicate lines dropped, plus rows merged because their time stamp repeated the previous one (duplicateTime 'keep-last') */
  duplicateTimeRows: number;
  /** rows dropped because of invalid values (invalidRows 'skip') */
  skippedRows: number;
}

export class CsvError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: string | null,
  ) {
    super(message);
    this.name = 'CsvError';
  }
}

const REQUIRED = ['time_s', 'current_A', 'voltage_V', 'ah_Ah', 'battery_temp_degC'] as const;
const LIMITS: Record<(typeof REQUIRED)[number], [number, number, string]> = {
  time_s: [-1e-9, 1e9, 's'],
  current_A: [-2000, 2000, 'A'],
  voltage_V: [0, 10, 'V'],
  ah_Ah: [-1e4, 1e4, 'Ah'],
  battery_temp_degC: [-80, 200, 'degC'],
};

export interface CellCsvOptions {
  requireAh?: boolean;
  /** rows whose time equals the previous row's: 'error' (default) or 'keep-last' (merge, count) */
  duplicateTime?: 'error' | 'keep-last';
  /** rows with missing, non-numeric or implausible values: 'error' (default) or 'skip' (counted) */
  invalidRows?: 'error' | 'skip';
  /** how the error for a repeated time stamp names the merge option (default the CLI's flag) */
  mergeOptionName?: string;
}

export function parseCellCsv(text: string, file = '<csv>', opts: CellCsvOptions = {}): CellSeries {
  const requireAh = opts.requireAh ?? true;
  const dupMode = opts.duplicateTime ?? 'error';
  let duplicates = 0;
  let skipped = 0;
  const skipBad = opts.invalidRows === 'skip';
  const lines = text.split(/\r?\n/);
  let li = 0;
  while (li < lines.length && lines[li].trim() === '') li++;
  if (li >= lines.length) throw new CsvError(`${file}: the file is empty (expected a header line with ${REQUIRED.join(',')})`, 1, null);
  const unq = (x: string) => x.trim().replace(/^"(.*)"$/, '$1').trim();
  const header = lines[li].replace(/^\uFEFF/, '').split(',').map(unq);
  const idx: Record<string, number> = {};
  for (const name of REQUIRED) {
    const i = header.indexOf(name);
    if (i < 0) {
      if (name === 'ah_Ah' && !requireAh) continue;
      throw new CsvError(`${file}:${li + 1}: missing column "${name}" in the header (found: ${header.join(',')}; required: ${REQUIRED.join(',')})`, li + 1, name);
    }
    idx[name] = i;
  }
  const cols: Record<string, number[]> = { time_s: [], current_A: [], voltage_V: [], ah_Ah: [], battery_temp_degC: [] };
  let prevT = -Infinity;
  let prevLine = 0;
  let prevRaw = '';
  for (let k = li + 1; k < lines.length; k++) {
    const raw = lines[k];
    if (raw.trim() === '') continue;
    const parts = raw.split(',');
    const lineNo = k + 1;
    if (skipBad) {
      let bad = false;
      for (const name of REQUIRED) {
        const ci = idx[name];
        if (ci === undefined) continue;
        const st = unq(parts[ci] ?? '');
        const v = st === '' ? NaN : Number(st);
        if (!Number.isFinite(v) || v < LIMITS[name][0] || v > LIMITS[name][1]) bad = true;
      }
      if (bad) {
        skipped++;
        continue;
      }
    }
    for (const name of REQUIRED) {
      const ci = idx[name];
      if (ci === undefined) continue;
      const s = unq(parts[ci] ?? '');
      if (ci >= parts.length) throw new CsvError(`${file}:${lineNo}: column "${name}" (column ${ci + 1}) is missing: the line has only ${parts.length} field(s)`, lineNo, name);
      const v = s === '' ? NaN : Number(s);
      if (!Number.isFinite(v)) throw new CsvError(`${file}:${lineNo}: column "${name}" (column ${ci + 1}): ${s === '' ? 'empty value' : `"${s}" is not a finite number`}`, lineNo, name);
      const [lo, hi, unit] = LIMITS[name];
      if (v < lo || v > hi) throw new CsvError(`${file}:${lineNo}: column "${name}" (column ${ci + 1}): ${v} ${unit} is outside the plausible range [${lo}, ${hi}] ${unit}`, lineNo, name);
      cols[name].push(v);
    }
    const t = cols.time_s[cols.time_s.length - 1];
    if (t === prevT && raw.trim() === prevRaw) {
      // an exact copy of the previous line (the Panasonic native 10 Hz US06 file ends with one):
      // dropped and counted, never an error
      for (const name of REQUIRED) if (idx[name] !== undefined) cols[name].pop();
      duplicates++;
      continue;
    }
    if (t === prevT && dupMode === 'keep-last') {
      // merge: the later row replaces the earlier one with the same time stamp
      for (const name of REQUIRED) {
        const c = cols[name];
        if (c.length >= 2 && idx[name] !== undefined) c.splice(c.length - 2, 1);
      }
      duplicates++;
      prevLine = lineNo;
      continue;
    }
    if (!(t > prevT)) throw new CsvError(`${file}:${lineNo}: column "time_s" (column ${idx.time_s + 1}): time ${t} s is not greater than ${prevT} s on line ${prevLine} (time must increase${t === prevT ? `; repeated time stamps can be merged with ${opts.mergeOptionName ?? '--dedupe-time'}` : ''})`, lineNo, 'time_s');
    prevT = t;
    prevLine = lineNo;
    prevRaw = raw.trim();
  }
  const rows = cols.time_s.length;
  if (rows < 2) throw new CsvError(`${file}: needs at least 2 data rows, found ${rows}`, li + 1, null);
  return {
    file,
    timeS: Float64Array.from(cols.time_s),
    currentA: Float64Array.from(cols.current_A, (v) => (v === 0 ? 0 : -v)),
    voltageV: Float64Array.from(cols.voltage_V),
    ahAh: idx.ah_Ah === undefined ? new Float64Array(rows) : Float64Array.from(cols.ah_Ah),
    tempC: Float64Array.from(cols.battery_temp_degC),
    rows,
    duplicateTimeRows: duplicates,
    skippedRows: skipped,
  };
}
