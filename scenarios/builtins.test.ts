// Every built-in scenario validates (as text, like the editor) and runs to the end.
import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseScenarioText } from '../sim/scenario/validate';
import { runToEnd } from '../sim/engine/run';

const dir = fileURLToPath(new URL('.', import.meta.url));
// version-1 (cell / pack experiment) scenarios; version 2 is covered by library.test.ts
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .filter((f) => (JSON.parse(readFileSync(join(dir, f), 'utf8')) as { version?: number }).version !== 2)
  .sort();

describe('built-in scenarios', () => {
  it('include the 1 h single-cell reference and at least four more', () => {
    expect(files).toContain('cell-1h-cycle.json');
    expect(files.length).toBeGreaterThanOrEqual(4);
  });
  for (const f of files) {
    it(`${f} validates and runs to the end`, () => {
      const v = parseScenarioText(readFileSync(join(dir, f), 'utf8'));
      if (!v.ok) throw new Error(v.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n'));
      expect(v.scenario.description ?? '').not.toBe('');
      const r = runToEnd(v.scenario);
      expect(r.completed).toBe(true);
      expect(r.metrics.experiment_steps).toBe(r.metrics.experiment_steps_planned);
      for (const c of r.channels) expect(c.data.every(Number.isFinite), c.name).toBe(true);
      // Built-ins are examples: they should not need a safety cut-off or a guard to finish.
      expect(r.warnings).toEqual([]);
    });
  }
  it('cell-1h-cycle is exactly 1 h at 1 Hz', () => {
    const v = parseScenarioText(readFileSync(join(dir, 'cell-1h-cycle.json'), 'utf8'));
    if (!v.ok) throw new Error('invalid');
    const r = runToEnd(v.scenario);
    expect(r.durationS).toBe(3600);
    expect(r.steps).toBe(3600);
  });
});
