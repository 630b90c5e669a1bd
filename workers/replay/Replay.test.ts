// The replay worker: same numbers as the CLI's replayCell on a measured drive cycle, clear errors
// for bad input, and the facade over Comlink (worker replaced by a MessageChannel in this thread).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it, expect } from 'vitest';
import * as Comlink from 'comlink';
import { ReplayImpl } from './ReplayImpl';
import { Replay } from './Replay';
import { ChannelWorker } from '../channelWorker';
import { dataDir } from '../../cli/csvTable';
import { loadCellCsv } from '../../cli/cellCsv';
import { replayCell } from '../../sim/estimation/replay';
import { getParamSet } from '../../sim/battery/paramSets';

const US06 = path.join(dataDir(), 'panasonic-18650pf', 'drive_cycles_1hz', '25degC_US06.csv');
const csvText = readFileSync(US06, 'utf8');

describe('ReplayImpl', () => {
  it('gives the CLI numbers on a measured drive cycle, with plot channels and progress', () => {
    const progress: number[] = [];
    const out = new ReplayImpl().run({ csvText, fileName: '25degC_US06.csv', params: { set: 'panasonic-ncr18650pf' } }, (f) => void progress.push(f));
    expect(out.status).toBe('done');
    if (out.status !== 'done') return;
    const { trace: _t, ...cli } = replayCell(loadCellCsv(US06), getParamSet('panasonic-ncr18650pf'), { initialSoc: 1, qAh: 2.9, ekfInitialSoc: 0.8 });
    expect(out.result).toEqual(cli);
    const names = out.channels.map((c) => c.name);
    expect(names).toEqual(['time_s', 'measured_V', 'model_V', 'error_mV', 'current_A', 'soc_ref', 'ekf_soc', 'ekf_resistance_scale', 'temp_C']);
    for (const c of out.channels) expect(c.data.length).toBe(cli.rows);
    const err = out.channels[3].data;
    const rms = Math.sqrt(err.reduce((a, e, k) => (k === 0 ? a : a + e * e), 0) / (err.length - 1));
    expect(rms).toBeCloseTo(cli.voltage_rmse_mv, 2);
    expect(progress.at(-1)).toBe(1);
  });

  it('takes the record as UTF-8 bytes too (what the page transfers), and exactly one of the two', () => {
    const params = { set: 'panasonic-ncr18650pf' };
    const asText = new ReplayImpl().run({ csvText, fileName: 'u.csv', params });
    const bytes = new TextEncoder().encode(csvText);
    const asBytes = new ReplayImpl().run({ csvBytes: bytes.buffer.slice(0, bytes.byteLength), fileName: 'u.csv', params });
    expect(asBytes.status === 'done' && asText.status === 'done' && asBytes.result).toEqual(asText.status === 'done' && asText.result);
    expect(new ReplayImpl().run({ fileName: 'u.csv', params })).toMatchObject({ status: 'error', message: /csvText or as csvBytes/ });
    expect(new ReplayImpl().run({ csvText, csvBytes: new ArrayBuffer(4), fileName: 'u.csv', params })).toMatchObject({ status: 'error', message: /one of them/ });
  });

  it('replays with one RC pair on request, as replay-cell --rc 1', () => {
    const out = new ReplayImpl().run({ csvText, fileName: 'u.csv', params: { set: 'panasonic-ncr18650pf' }, rcPairs: 1 });
    const { trace: _t, ...cli } = replayCell(loadCellCsv(US06), getParamSet('panasonic-ncr18650pf'), { rcPairs: 1 });
    expect(out).toMatchObject({ status: 'done', result: { ...cli, rc_pairs: 1 } });
  });

  it('accepts a user parameter file and reports schema problems with their path', () => {
    const own = JSON.stringify(getParamSet('panasonic-ncr18650pf'));
    const ok = new ReplayImpl().run({ csvText, fileName: 'x.csv', params: { json: own, fileName: 'params.json' } });
    expect(ok.status).toBe('done');
    const bad = JSON.parse(own);
    bad.r0Ohm[0][0] = -1;
    const out = new ReplayImpl().run({ csvText, fileName: 'x.csv', params: { json: JSON.stringify(bad), fileName: 'params.json' } });
    expect(out).toMatchObject({ status: 'error', message: expect.stringMatching(/^params\.json: invalid parameter file:\n.*r0Ohm/) });
    expect(new ReplayImpl().run({ csvText, fileName: 'x.csv', params: { json: '{', fileName: 'p.json' } })).toMatchObject({ status: 'error', message: expect.stringMatching(/^p\.json: not JSON/) });
  });

  it('names the line and column of a bad CSV, and refuses bad options', () => {
    const lines = csvText.split('\n');
    const fields = lines[5].split(',');
    fields[2] = 'NaN'; // voltage_V of file line 6
    lines[5] = fields.join(',');
    const out = new ReplayImpl().run({ csvText: lines.join('\n'), fileName: 'broken.csv', params: { set: 'panasonic-ncr18650pf' } });
    expect(out).toMatchObject({ status: 'error', message: expect.stringMatching(/^broken\.csv:6: column "voltage_V"/) });
    const noCol = new ReplayImpl().run({ csvText: 'time_s,current_A\n0,1\n1,1\n', fileName: 'a.csv', params: { set: 'panasonic-ncr18650pf' } });
    expect(noCol).toMatchObject({ status: 'error', message: expect.stringMatching(/voltage_V/) });
    const repeated = 'time_s,current_A,voltage_V,ah_Ah,battery_temp_degC\n0,0,4.1,0,25\n1,-1,4.0,0,25\n1,-1,3.99,0,25\n2,0,4.05,0,25\n';
    const rep = { csvText: repeated, fileName: 'r.csv', params: { set: 'panasonic-ncr18650pf' } };
    expect(new ReplayImpl().run(rep)).toMatchObject({ status: 'error', message: expect.stringMatching(/^r\.csv:4: .*merged with "merge repeated time stamps"/) });
    expect(new ReplayImpl().run({ ...rep, dedupeTime: true })).toMatchObject({ status: 'done', duplicateTimeRows: 1 });
    expect(new ReplayImpl().run({ csvText, fileName: 'a.csv', params: { set: 'nope' } })).toMatchObject({ status: 'error', message: expect.stringMatching(/unknown parameter set 'nope'/) });
    expect(new ReplayImpl().run({ csvText, fileName: 'a.csv', params: { set: 'panasonic-ncr18650pf' }, qAh: -1 })).toMatchObject({ status: 'error', message: expect.stringMatching(/^qAh:/) });
  });
});

describe('Replay (facade)', () => {
  it('runs over Comlink, returns transferred arrays, refuses a second run, and cancels', async () => {
    const replay = new Replay(() => new ChannelWorker(new ReplayImpl(Comlink.transfer)) as unknown as Worker);
    expect(await replay.paramSets()).toContain('panasonic-ncr18650pf');
    const p = replay.run({ csvText, fileName: 'u.csv', params: { set: 'panasonic-ncr18650pf' } });
    expect(await replay.run({ csvText, fileName: 'u.csv', params: { set: 'panasonic-ncr18650pf' } })).toMatchObject({ status: 'error', message: /already running/ });
    const out = await p;
    expect(out.status).toBe('done');
    if (out.status === 'done') expect(out.channels[1].data).toBeInstanceOf(Float64Array);
    const bytes = new TextEncoder().encode(csvText).buffer;
    const viaBytes = await replay.run({ csvBytes: bytes, fileName: 'u.csv', params: { set: 'panasonic-ncr18650pf' } });
    expect(viaBytes.status).toBe('done');
    expect(bytes.byteLength).toBe(0); // transferred to the worker, not copied
    const q = replay.run({ csvText, fileName: 'u.csv', params: { set: 'panasonic-ncr18650pf' } });
    replay.cancel();
    expect(await q).toEqual({ status: 'cancelled' });
    // a fresh worker after a cancel
    expect((await replay.run({ csvText, fileName: 'u.csv', params: { set: 'panasonic-ncr18650pf' } })).status).toBe('done');
    replay.terminate();
  });
});
