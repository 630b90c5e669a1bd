// Reads a measured cell CSV from disk; the parser itself is sim/estimation/cellCsv.ts.
import { readFileSync } from 'node:fs';
import { CsvError, parseCellCsv, type CellCsvOptions, type CellSeries } from '../sim/estimation/cellCsv';

export { CsvError, parseCellCsv, type CellCsvOptions, type CellSeries };

export function loadCellCsv(file: string, opts?: CellCsvOptions): CellSeries {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CsvError(`${file}: cannot read the file (${(e as Error).message})`, 0, null);
  }
  return parseCellCsv(text, file, opts);
}
