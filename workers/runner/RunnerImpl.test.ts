import { describe, it, expect } from 'vitest';
import { packForTransfer, RunnerImpl, type EngineDeps, type RunnerProgress } from './RunnerImpl';
import type { RunProgress, RunResult } from '../../sim/engine/run';
import type { EngineSession } from './RunnerImpl';

// A fake engine with the sim/engine contract: `total` steps of 1 s, channels as views into one
// oversized buffer (as growing recorders produce), so packing for transfer must trim them.
function fakeEngine(total: number, opts: { stepCost?: number } = {}): EngineDeps & { started: number } {
  const deps = {
    started: 0,
    engineVersion: 'fake-1',
    validateScenario(input: unknown) {
      if (typeof input === 'object' && input && (input as { bad?: boolean }).bad) {
        return { ok: false as const, issues: [{ path: ['bad'], message: 'bad scenario' }] };
      }
      return { ok: true as const, scenario: input as never };
    },
    startRun(_s: unknown, o: { seed?: number }): EngineSession {
      deps.started++;
      let k = 0;
      const buf = new ArrayBuffer(8 * total * 3);
      const t = new Float64Array(buf, 0, total);
      const v = new Float64Array(buf, 8 * total, total);
      return {
        advance(maxSteps: number): RunProgress {
          const end = Math.min(total, k + maxSteps);
          for (; k < end; k++) {
            t[k] = k;
            v[k] = 4 - k * 1e-4;
            if (opts.stepCost) {
              const until = Date.now() + opts.stepCost;
              while (Date.now() < until) {
                /* burn */
              }
            }
          }
          return { done: k >= total, progress: k / total, simTimeS: k };
        },
        result(): RunResult {
          return {
            engineVersion: 'fake-1',
            scenarioHash: 'h',
            seed: o.seed ?? 1,
            steps: total,
            durationS: total,
            channels: [
              { name: 'time_s', unit: 's', data: t },
              { name: 'voltage_V', unit: 'V', data: v },
            ],
            metrics: {},
            warnings: [],
          } as unknown as RunResult;
        },
      };
    },
    runToCsv: (r: RunResult) => `rows=${r.channels[0].data.length}`,
  };
  return deps;
}

describe('RunnerImpl', () => {
  it('runs in chunks, reports monotonic progress and returns whole transferable arrays', async () => {
    const deps = fakeEngine(20_000);
    let transferred: Transferable[] = [];
    const impl = new RunnerImpl({ ...deps, transfer: (v, list) => ((transferred = list), v) });
    const seen: RunnerProgress[] = [];
    const out = await impl.run({ scenario: {}, seed: 42, chunkMs: 2 }, (p) => void seen.push(p));
    expect(out.status).toBe('done');
    if (out.status !== 'done') return;
    expect(out.result.seed).toBe(42);
    expect(out.result.channels[1].data[19_999]).toBeCloseTo(4 - 19_999e-4, 12);
    // Each channel has its own whole buffer, listed once for transfer.
    for (const c of out.result.channels) {
      expect(c.data.byteOffset).toBe(0);
      expect(c.data.buffer.byteLength).toBe(c.data.byteLength);
    }
    expect(transferred).toHaveLength(2);
    expect(new Set(transferred).size).toBe(2);
    expect(seen.length).toBeGreaterThan(1);
    for (let i = 1; i < seen.length; i++) expect(seen[i].progress).toBeGreaterThanOrEqual(seen[i - 1].progress);
    expect(seen[seen.length - 1]).toMatchObject({ done: true, progress: 1 });
  });

  it('refuses an invalid scenario without starting the engine', async () => {
    const deps = fakeEngine(10);
    const impl = new RunnerImpl(deps);
    const out = await impl.run({ scenario: { bad: true } });
    expect(out).toEqual({ status: 'invalid', issues: [{ path: ['bad'], message: 'bad scenario' }] });
    expect(deps.started).toBe(0);
  });

  it('stops between chunks when cancelled and can run again afterwards', async () => {
    const deps = fakeEngine(1_000_000, { stepCost: 0 });
    const impl = new RunnerImpl(deps);
    let calls = 0;
    const out = await impl.run({ scenario: {}, chunkMs: 1 }, () => {
      calls++;
      if (calls === 3) impl.cancel();
    });
    expect(out.status).toBe('cancelled');
    if (out.status === 'cancelled') expect(out.progress).toBeLessThan(1);
    expect(impl.isRunning()).toBe(false);
    const again = await new RunnerImpl(fakeEngine(100)).run({ scenario: {} });
    expect(again.status).toBe('done');
    const third = await impl.run({ scenario: {} , chunkMs: 1000 });
    expect(third.status).toBe('done');
  });

  it('turns engine exceptions into an error outcome', async () => {
    const deps = fakeEngine(10);
    deps.startRun = () => {
      throw new Error('boom');
    };
    expect(await new RunnerImpl(deps).run({ scenario: {} })).toEqual({ status: 'error', message: 'boom' });
  });

  it('packForTransfer copies shared or partial buffers only', () => {
    const own = new Float64Array([1, 2, 3]);
    const big = new Float64Array(10);
    const view = big.subarray(2, 5);
    const { result, transferables } = packForTransfer({
      engineVersion: 'x', scenarioHash: 'h', seed: 1, steps: 3, durationS: 3, metrics: {}, warnings: [],
      channels: [
        { name: 'a', unit: '', data: own },
        { name: 'b', unit: '', data: view },
        { name: 'c', unit: '', data: own },
      ],
    } as unknown as RunResult);
    expect(result.channels[0].data).toBe(own);
    expect(result.channels[1].data).not.toBe(view);
    expect(result.channels[1].data.length).toBe(3);
    expect(result.channels[2].data).not.toBe(own);
    expect(new Set(transferables).size).toBe(3);
  });
});
