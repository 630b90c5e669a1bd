// RunnerImpl with the real engine (no worker): the built-in 1 h cell scenario runs in chunks,
// is deterministic, and its CSV is byte-identical to the CLI path (runToEnd + runToCsv).
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { RunnerImpl } from './RunnerImpl';
import { engineDeps } from './engineDeps';
import { runToEnd } from '../../sim/engine/run';
import { runToCsv } from '../../sim/engine/csv';
import { parseScenarioText } from '../../sim/scenario/validate';

const text = readFileSync(path.resolve(__dirname, '../../scenarios/cell-1h-cycle.json'), 'utf8');

describe('RunnerImpl + sim/engine', () => {
  it('runs the 1 h cell scenario in chunks with the same CSV as the CLI path', async () => {
    const parsed = parseScenarioText(text);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const impl = new RunnerImpl(engineDeps);
    let reports = 0;
    const out = await impl.run({ scenario: JSON.parse(text), chunkMs: 1 }, () => void reports++);
    expect(out.status).toBe('done');
    if (out.status !== 'done') return;
    expect(reports).toBeGreaterThan(1);
    const time = out.result.channels[0];
    expect(time.name).toBe('time_s');
    expect(time.data.length).toBe(out.result.steps + 1);
    const names = out.result.channels.map((c) => c.name);
    for (const n of ['current_A', 'voltage_V', 'soc', 'temp_C']) expect(names).toContain(n);
    const reference = runToCsv(runToEnd(parsed.scenario, {}));
    expect(impl.toCsv(out.result)).toBe(reference);
    // Same scenario, same seed: identical numbers on a second run.
    const again = await impl.run({ scenario: JSON.parse(text) });
    expect(again.status === 'done' && impl.toCsv(again.result)).toBe(reference);
  });

  it('refuses an invalid scenario with the validator issues', async () => {
    const bad = JSON.parse(text);
    bad.initial.soc = 7;
    const out = await new RunnerImpl(engineDeps).run({ scenario: bad });
    expect(out.status).toBe('invalid');
    if (out.status === 'invalid') expect(out.issues[0].path).toEqual(['initial', 'soc']);
  });
});
