// RunnerImpl with the real engine (no worker): the built-in 1 h cell scenario runs in chunks,
// is deterministic, and its CSV is byte-identical to the CLI path (runToEnd + runToCsv).
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isSystemResult, RunnerImpl } from './RunnerImpl';
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

// Version 2 (sim/system) through the same runner: the oven scenario's criteria, events, runaway,
// heat map (transferable, own buffers), and a profile file passed in by key.
describe('RunnerImpl + sim/system (scenario version 2)', () => {
  const ovenText = readFileSync(path.resolve(__dirname, '../../scenarios/oven-18650-150C.json'), 'utf8');

  it('runs the 150 degC oven scenario in chunks with criteria, events and heat map', async () => {
    const impl = new RunnerImpl(engineDeps);
    let reports = 0;
    const out = await impl.run({ scenario: JSON.parse(ovenText), chunkMs: 2 }, () => void reports++);
    expect(out.status).toBe('done');
    if (out.status !== 'done' || !isSystemResult(out.result)) throw new Error('expected a v2 result');
    const r = out.result;
    expect(reports).toBeGreaterThan(1);
    expect(r.criteria.map((c) => [c.id, c.result])).toEqual([
      ['runs-away', 'pass'],
      ['onset-time', 'pass'],
      ['peak-band', 'pass'],
      ['peak-below', 'pass'],
    ]);
    const runaway = r.events.find((e) => e.code === 'CELL_RUNAWAY');
    expect(runaway?.target).toBe('oven/cell');
    expect(r.runaway[0].t_s).toBe(runaway?.t_s);
    expect(r.parameters.oven).toBe('150 degC');
    const hm = r.heatmap!;
    expect(hm.targets).toEqual(['oven/cell']);
    expect(hm.tempC.length).toBe(hm.timeS.length * hm.targets.length);
    // packed for transfer: each array owns its whole buffer
    for (const a of [hm.tempC, hm.timeS, ...r.channels.map((c) => c.data)]) expect(a.byteLength).toBe(a.buffer.byteLength);
    // parameters reach the engine
    const hot = await impl.run({ scenario: JSON.parse(ovenText), params: { oven: '155 degC' } });
    expect(hot.status === 'done' && isSystemResult(hot.result) && hot.result.parameters.oven).toBe('155 degC');
    expect(hot.status === 'done' && isSystemResult(hot.result) && hot.result.runaway[0].t_s).toBeLessThan(runaway!.t_s);
  });

  it('lists the profile files of a scenario and runs with their texts', async () => {
    const sc = JSON.parse(ovenText);
    sc.ambient = { temperature: { file: 'data:test-folder/ambient.csv', column: 'amb_C', unit: 'degC', period: '10 min' } };
    sc.stop = { time: '30 min' };
    const impl = new RunnerImpl(engineDeps);
    expect(impl.profileFiles(sc)).toEqual(['test-folder/ambient.csv']);
    expect(impl.profileFiles(JSON.parse(text))).toEqual([]);
    const out = await impl.run({ scenario: sc, profiles: { 'test-folder/ambient.csv': 'amb_C\n12\n18\n24\n' } });
    if (out.status !== 'done') throw new Error(JSON.stringify(out));
    const amb = out.result.channels.find((c) => c.name === 'ambient.temp_C')!;
    const t = out.result.channels[0].data;
    const at = (s: number) => amb.data[t.findIndex((x) => x >= s)];
    expect([at(0), at(700), at(1300)]).toEqual([12, 18, 24]);
    const missing = await impl.run({ scenario: sc });
    expect(missing.status).toBe('error');
    if (missing.status === 'error') expect(missing.message).toContain('test-folder/ambient.csv');
    const bad = await impl.run({ scenario: sc, profiles: { '../etc/passwd.csv': 'x' } });
    expect(bad.status).toBe('invalid');
  });
});
