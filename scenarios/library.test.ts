// The scenario library (issue 4): every version-2 scenario validates as text, runs to its end with
// the system engine on the real profile data, and every one of its criteria passes. The CLI's
// --json object carries the contract keys (criteria / events / signals / runaway).
import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseScenarioText, isSystemScenario } from '../sim/scenario/validate';
import { runSystemToEnd, profileFilesOf } from '../sim/system/run';
import { systemRunJson } from '../cli/run';
import { dataDir } from '../cli/csvTable';

const dir = fileURLToPath(new URL('.', import.meta.url));
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .filter((f) => (JSON.parse(readFileSync(join(dir, f), 'utf8')) as { version?: number }).version === 2)
  .sort();

function load(f: string) {
  const v = parseScenarioText(readFileSync(join(dir, f), 'utf8'));
  if (!v.ok) throw new Error(v.issues.map((i) => `${i.path.join('.')}: ${i.message} (line ${i.line})`).join('\n'));
  if (!isSystemScenario(v.scenario)) throw new Error(`${f} is not version 2`);
  const profiles = new Map<string, string>();
  for (const k of profileFilesOf(v.scenario)) profiles.set(k, readFileSync(join(dataDir(), k), 'utf8'));
  return { scenario: v.scenario, profiles };
}

describe('scenario library (version 2)', () => {
  it('has at least ten scenarios covering the issue list', () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
    for (const stem of ['oven-18650-140C', 'oven-18650-150C', 'oven-18650-155C', 'arc-18650', 'module-propagation', 'ev-pack-isc-fast-charge', 'container-hvac-failure-0.5C', 'container-hvac-failure-1C', 'container-hvac-undersized', 'container-coolant-leak-1C', 'stuck-sensor-hot-spot', 'contactor-welded', 'panasonic-us06-drive', 'ev-cold-drive', 'site-peak-shaving-heatwave'])
      expect(files).toContain(`${stem}.json`);
  });
  for (const f of files) {
    it(`${f}: runs and every criterion passes`, () => {
      const { scenario, profiles } = load(f);
      expect(scenario.description ?? '').not.toBe('');
      expect(scenario.criteria?.length ?? 0).toBeGreaterThan(0);
      const r = runSystemToEnd(scenario, { profiles });
      expect(r.completed, r.warnings.join('; ')).toBe(true);
      expect(r.warnings).toEqual([]);
      for (const c of r.criteria) expect(`${c.id}: ${c.result}`, c.detail).toBe(`${c.id}: pass`);
      const j = systemRunJson(r, { source: f });
      for (const c of j.criteria) expect(Object.keys(c)).toEqual(expect.arrayContaining(['id', 'result', 't_s']));
      for (const e of j.events) expect(Object.keys(e)).toEqual(expect.arrayContaining(['t_s', 'severity', 'code', 'target']));
      for (const s of Object.values(j.signals)) expect(Object.keys(s)).toEqual(expect.arrayContaining(['min', 'max', 'final']));
      for (const x of j.runaway) expect(Object.keys(x)).toEqual(expect.arrayContaining(['target', 't_s']));
    }, 300_000);
  }
});
