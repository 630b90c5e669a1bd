// The facade over Comlink, with the worker replaced by a MessageChannel in this thread (the same
// Comlink wiring: proxied progress callback, transferred result arrays, CSV from the "worker").
import { afterEach, describe, it, expect, vi } from 'vitest';
import * as Comlink from 'comlink';
import { Runner } from './Runner';
import { ChannelWorker } from '../channelWorker';
import { RunnerImpl, type EngineDeps, type EngineSession } from './RunnerImpl';
import type { RunResult } from '../../sim/engine/run';

function fakeDeps(total: number): EngineDeps {
  return {
    engineVersion: 'fake-2',
    validateScenario: (input: unknown) => ({ ok: true as const, scenario: input as never }),
    startRun(): EngineSession {
      let k = 0;
      const t = new Float64Array(Math.min(total, 1_000_000));
      return {
        advance(max: number) {
          const end = Math.min(total, k + max);
          for (; k < end; k++) t[k % t.length] = k;
          return { done: k >= total, progress: k / total, simTimeS: k };
        },
        result: () =>
          ({
            engineVersion: 'fake-2', scenarioHash: 'h', seed: 3, steps: total, durationS: total,
            channels: [{ name: 'time_s', unit: 's', data: t }], metrics: {}, warnings: [],
          }) as unknown as RunResult,
      };
    },
    runToCsv: (r: RunResult) => `time_s\n${r.channels[0].data.length}\n`,
    transfer: Comlink.transfer,
  };
}

class FakeWorker extends ChannelWorker {
  static instances: FakeWorker[] = [];
  static total = 50_000;
  constructor() {
    super(new RunnerImpl(fakeDeps(FakeWorker.total)));
    FakeWorker.instances.push(this);
  }
}

afterEach(() => {
  vi.unstubAllGlobals();
  FakeWorker.instances = [];
  FakeWorker.total = 50_000;
});

describe('Runner (facade)', () => {
  it('runs through Comlink with progress, returns the arrays, exports CSV, refuses a second run', async () => {
    vi.stubGlobal('Worker', FakeWorker);
    const runner = new Runner();
    expect(await runner.engineVersion()).toBe('fake-2');
    const progress: number[] = [];
    const p = runner.run({ any: 'scenario' }, { onProgress: (x) => void progress.push(x.progress) });
    const second = await runner.run({});
    expect(second).toEqual({ status: 'error', message: 'A run is already in progress.' });
    const out = await p;
    expect(out.status).toBe('done');
    if (out.status !== 'done') return;
    expect(out.result.channels[0].data).toBeInstanceOf(Float64Array);
    expect(out.result.channels[0].data[49_999]).toBe(49_999);
    await new Promise((r) => setTimeout(r, 20)); // let the last (unawaited) progress message land
    expect(progress.length).toBeGreaterThan(0);
    expect(await runner.toCsv(out.result)).toBe('time_s\n50000\n');
    runner.terminate();
    expect(FakeWorker.instances[0].terminated).toBe(true);
  });

  it('cancels a long run between chunks and can run again', async () => {
    vi.stubGlobal('Worker', FakeWorker);
    FakeWorker.total = 200_000_000;
    const runner = new Runner();
    let cancelled = false;
    const out = await runner.run({}, {
      onProgress: () => {
        if (!cancelled) {
          cancelled = true;
          runner.cancel();
        }
      },
    });
    expect(out.status).toBe('cancelled');
    if (out.status === 'cancelled') expect(out.progress).toBeLessThan(1);
    expect(FakeWorker.instances).toHaveLength(1); // soft cancel: the worker is kept
    runner.terminate();
  });
});
