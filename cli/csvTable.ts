// Minimal numeric CSV reader for the CLI tools (H1). Node-only (fs lives in cli/).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

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

export function readNumericCsv(file: string): NumericCsv {
  return parseNumericCsv(readFileSync(file, 'utf8'), file);
}

export function repoRoot(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
}

export function dataDir(): string {
  return process.env.TWINBENCH_DATA_DIR ? path.resolve(process.env.TWINBENCH_DATA_DIR) : path.resolve(repoRoot(), '..', 'shared', 'data');
}
