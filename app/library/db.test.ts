import 'fake-indexeddb/auto';
import { describe, it, expect } from 'vitest';
import Dexie from 'dexie';
import { CHUNK_LEN, HEAT_CHUNK_LEN, Library, type RunLike } from './db';

let n = 0;
const fresh = () => new Library(`test-${n++}-${Math.random()}`);

function fakeRun(len: number): RunLike {
  const t = new Float64Array(len);
  const v = new Float64Array(len);
  for (let i = 0; i < len; i++) {
    t[i] = i;
    v[i] = 4.2 - i * 1e-6;
  }
  return {
    engineVersion: 'test-1',
    scenarioHash: 'abc',
    seed: 7,
    steps: len,
    durationS: len,
    channels: [
      { name: 'time_s', unit: 's', data: t },
      { name: 'voltage_V', unit: 'V', data: v },
    ],
    metrics: { energyWh: 1.5 },
    warnings: ['w'],
    name: 'fake',
    stepLog: [{ index: 0, label: 'step 1' }],
    completed: true,
  };
}

describe('Library scenarios', () => {
  it('saves, lists newest first, updates, renames and deletes', async () => {
    const lib = fresh();
    const a = await lib.saveScenario({ name: 'A', text: '{"a":1}', hash: 'h1' });
    await new Promise((r) => setTimeout(r, 2));
    const b = await lib.saveScenario({ name: '  B  ', text: '{"b":1}', hash: 'h2' });
    let list = await lib.listScenarios();
    expect(list.map((s) => s.name)).toEqual(['B', 'A']);

    await new Promise((r) => setTimeout(r, 2));
    expect(await lib.saveScenario({ id: a, name: 'A2', text: '{"a":2}', hash: 'h3' })).toBe(a);
    list = await lib.listScenarios();
    expect(list[0]).toMatchObject({ id: a, name: 'A2', text: '{"a":2}', hash: 'h3' });
    expect(list).toHaveLength(2);

    await lib.renameScenario(b, 'Bee');
    expect((await lib.getScenario(b))?.name).toBe('Bee');
    await expect(lib.renameScenario(999, 'x')).rejects.toThrow(/not in the library/);

    await lib.deleteScenario(a);
    expect((await lib.listScenarios()).map((s) => s.id)).toEqual([b]);
    lib.close();
  });

  it('survives reopening the database (a reload)', async () => {
    const name = `persist-${Math.random()}`;
    const lib1 = new Library(name);
    await lib1.saveScenario({ name: 'kept', text: '{}', hash: '' });
    lib1.close();
    const lib2 = new Library(name);
    expect((await lib2.listScenarios()).map((s) => s.name)).toEqual(['kept']);
    lib2.close();
  });
});

describe('Library runs', () => {
  it('stores channels in chunks and loads them back identically', async () => {
    const lib = fresh();
    const sid = await lib.saveScenario({ name: 'S', text: '{}', hash: 'abc' });
    const len = CHUNK_LEN * 2 + 17;
    const run = fakeRun(len);
    const id = await lib.saveRun(run, { name: 'run 1', scenarioId: sid });
    const chunks = await lib.db.runChunks.where('runId').equals(id).count();
    expect(chunks).toBe(6);
    const back = await lib.loadRun(id);
    expect(back?.record.channels[1]).toMatchObject({ name: 'voltage_V', unit: 'V', length: len, chunks: 3 });
    expect(back?.channels[0].data).toEqual(run.channels[0].data);
    expect(back?.channels[1].data).toEqual(run.channels[1].data);
    expect(back?.metrics).toEqual({ energyWh: 1.5 });
    expect(back?.seed).toBe(7);
    expect(back?.stepLog).toEqual([{ index: 0, label: 'step 1' }]);
    expect(back?.completed).toBe(true);
    // Listing runs does not carry the step log.
    expect((await lib.listRuns())[0]).not.toHaveProperty('stepLog');

    await lib.renameRun(id, 'renamed');
    expect((await lib.listRuns(sid))[0].name).toBe('renamed');

    // Deleting the scenario deletes its runs and their chunks.
    await lib.deleteScenario(sid);
    expect(await lib.listRuns()).toHaveLength(0);
    expect(await lib.db.runChunks.count()).toBe(0);
    expect(await lib.db.runExtras.count()).toBe(0);
    lib.close();
  });

  it('deletes a single run', async () => {
    const lib = fresh();
    const id1 = await lib.saveRun(fakeRun(10), { name: 'r1' });
    const id2 = await lib.saveRun(fakeRun(5), { name: 'r2' });
    await lib.deleteRun(id1);
    expect((await lib.listRuns()).map((r) => r.id)).toEqual([id2]);
    expect(await lib.loadRun(id1)).toBeUndefined();
    lib.close();
  });
});

describe('Library version-2 runs (schema version 3)', () => {
  function systemRun(): RunLike {
    const frames = 3000;
    const targets = 200; // 600k values: two heat chunks
    const timeS = new Float64Array(frames).map((_, i) => i * 2);
    const tempC = new Float32Array(frames * targets).map((_, i) => 25 + (i % 977) / 10);
    return {
      ...fakeRun(frames),
      events: [
        { t_s: 453.5, severity: 'alarm', code: 'CELL_VENT', target: 'oven/cell', value: 101.1 },
        { t_s: 2158.1, severity: 'trip', code: 'CELL_RUNAWAY', target: 'oven/cell' },
      ],
      criteria: [
        { id: 'a', text: 'runaway cells >= 1', result: 'pass', t_s: 2158.1, detail: 'ok' },
        { id: 'b', text: 'max(x) < 1', result: 'fail', t_s: 10, detail: 'no' },
        { id: 'c', text: 'x', result: 'inconclusive', t_s: null, detail: '?' },
      ],
      runaway: [{ target: 'oven/cell', t_s: 2158.1 }],
      faults: [{ id: 'f1', target: 'oven/cell', t_s: 5 }],
      signalStats: { 'oven/cell.temp_C': { min: 25, max: Infinity, final: NaN, unit: 'degC' } },
      parameters: { oven: '150 degC' },
      stoppedBy: '1 cell(s) in thermal runaway at 2158.1 s',
      heatmap: { targets: Array.from({ length: targets }, (_, k) => `m/cell${k}`), timeS, tempC },
    };
  }

  it('keeps events, criteria, runaway, faults, stats, parameters and the heat map', async () => {
    const lib = fresh();
    const run = systemRun();
    const id = await lib.saveRun(run, { name: 'v2' });
    expect(await lib.db.heatChunks.where('runId').equals(id).count()).toBe(Math.ceil(run.heatmap!.tempC.length / HEAT_CHUNK_LEN));
    expect((await lib.listRuns())[0].criteriaSummary).toEqual({ pass: 1, fail: 1, inconclusive: 1 });
    const back = await lib.loadRun(id);
    for (const k of ['events', 'criteria', 'runaway', 'faults', 'signalStats', 'parameters', 'stoppedBy'] as const) expect(back?.[k], k).toEqual(run[k]);
    expect(back?.heatmap?.targets).toEqual(run.heatmap!.targets);
    expect(back?.heatmap?.timeS).toEqual(run.heatmap!.timeS);
    expect(back?.heatmap?.tempC).toBeInstanceOf(Float32Array);
    expect(back?.heatmap?.tempC).toEqual(run.heatmap!.tempC);
    await lib.deleteRun(id);
    expect(await lib.db.runSystem.count()).toBe(0);
    expect(await lib.db.heatChunks.count()).toBe(0);
    lib.close();
  });

  it('a v1 run has no v2 extras', async () => {
    const lib = fresh();
    const id = await lib.saveRun(fakeRun(4), { name: 'v1' });
    const back = await lib.loadRun(id);
    expect(back).not.toHaveProperty('criteria');
    expect(back).not.toHaveProperty('heatmap');
    expect((await lib.listRuns())[0]).not.toHaveProperty('criteriaSummary');
    lib.close();
  });

  it('upgrades a database made by schema version 2: old runs open, new v2 runs save', async () => {
    const name = `upgrade-${Math.random()}`;
    const old = new Dexie(name);
    old.version(1).stores({ scenarios: '++id, name, hash, updatedAt', runs: '++id, scenarioId, scenarioHash, createdAt', runChunks: '[runId+channel+index], runId' });
    old.version(2).stores({ runExtras: 'runId' });
    const t = new Float64Array([0, 1, 2]);
    const runId = (await old.table('runs').add({
      name: 'old', scenarioId: null, scenarioHash: 'h', engineVersion: 'e', seed: 1, steps: 2, durationS: 2, metrics: {}, warnings: [],
      channels: [{ name: 'time_s', unit: 's', length: 3, chunks: 1 }], createdAt: 1,
    })) as number;
    await old.table('runChunks').add({ runId, channel: 0, index: 0, data: t });
    old.close();
    const lib = new Library(name);
    const back = await lib.loadRun(runId);
    expect(back?.channels[0].data).toEqual(t);
    expect(lib.db.verno).toBe(3);
    const id2 = await lib.saveRun(systemRun(), { name: 'new' });
    expect((await lib.loadRun(id2))?.criteria).toHaveLength(3);
    lib.close();
  });
});
