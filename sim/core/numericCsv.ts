// Minimal numeric CSV reader (header row, comma-separated numbers; empty cells are NaN). Pure:
// used by the CLI tools (cli/csvTable.ts) and by scenario profiles (sim/system/profiles.ts).

export interface NumericCsv {
  header: string[];
  /** columns by header name; empty cells are NaN */
  cols: Record<string, Float64Array>;
  rows: number;
  /** 1-based file line number of each data row */
  lines: Int32Array;
}

export function parseNumericCsv(text: string, file = '<csv>'): NumericCsv {
  const lines = text.split(/\r?\n/);
  let li = 0;
  while (li < lines.length && lines[li].trim() === '') li++;
  if (li >= lines.length) throw new Error(`${file}: empty file`);
  const header = lines[li]
    .replace(/^#\s*/, '')
    .split(',')
    .map((h) => h.trim());
  const data: number[][] = header.map(() => []);
  const lineNo: number[] = [];
  for (let k = li + 1; k < lines.length; k++) {
    const raw = lines[k];
    if (raw.trim() === '') continue;
    const parts = raw.split(',');
    for (let c = 0; c < header.length; c++) {
      const s = (parts[c] ?? '').trim();
      data[c].push(s === '' ? NaN : Number(s));
    }
    lineNo.push(k + 1);
  }
  const cols: Record<string, Float64Array> = {};
  header.forEach((h, c) => (cols[h] = Float64Array.from(data[c])));
  return { header, cols, rows: lineNo.length, lines: Int32Array.from(lineNo) };
}
