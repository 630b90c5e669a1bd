// Minimal numeric CSV reader for the CLI tools (H1). Node-only (fs lives in cli/).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { parseNumericCsv, type NumericCsv } from '../sim/core/numericCsv';

export { parseNumericCsv, type NumericCsv };

export function readNumericCsv(file: string): NumericCsv {
  return parseNumericCsv(readFileSync(file, 'utf8'), file);
}

export function repoRoot(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
}

export function dataDir(): string {
  return process.env.TWINBENCH_DATA_DIR ? path.resolve(process.env.TWINBENCH_DATA_DIR) : path.resolve(repoRoot(), '..', 'shared', 'data');
}
