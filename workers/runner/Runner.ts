// Typed facade the UI calls. Owns the worker; the engine never runs on the main thread.
// Cancel asks the worker to stop between chunks; if it does not answer within HARD_CANCEL_MS
// (a chunk stuck in the engine), the worker is terminated and a fresh one starts on next use.
import * as Comlink from 'comlink';
import type { RunResult } from '../../sim/engine/run';
import type { ProgressCallback, RunOutcome, RunnerImpl } from './RunnerImpl';

export type { AnyRunResult, RunOutcome, RunnerProgress } from './RunnerImpl';
export { isSystemResult } from './RunnerImpl';

const HARD_CANCEL_MS = 1500;

export class Runner {
  private worker: Worker | null = null;
  private remote: Comlink.Remote<RunnerImpl> | null = null;
  private pending: { resolve: (o: RunOutcome) => void } | null = null;
  private cancelTimer: ReturnType<typeof setTimeout> | null = null;

  private ensure(): Comlink.Remote<RunnerImpl> {
    if (!this.remote) {
      const worker = new Worker(new URL('./RunnerImpl.worker.ts', import.meta.url), { type: 'module', name: 'twinbench-runner' });
      // A worker that dies (script error, out of memory) would leave a run pending forever.
      const fail = (message: string) => {
        if (this.worker !== worker) return;
        this.terminate();
        this.settle({ status: 'error', message });
      };
      worker.addEventListener('error', (e) => fail(`the runner worker failed: ${e.message || 'script error'}`));
      worker.addEventListener('messageerror', () => fail('the runner worker sent a message that could not be read'));
      this.worker = worker;
      this.remote = Comlink.wrap<RunnerImpl>(worker);
    }
    return this.remote;
  }

  engineVersion(): Promise<string> {
    return this.ensure().engineVersion();
  }

  /** Profile files ("<folder>/<file>.csv" keys) a version-2 scenario needs; [] otherwise. Compiles in the worker. */
  profileFiles(scenario: unknown, params?: Record<string, string | number>): Promise<string[]> {
    return this.ensure().profileFiles(scenario, params);
  }

  /** Runs a scenario (already validated by the caller; the worker checks again). */
  run(
    scenario: unknown,
    opts: { seed?: number; params?: Record<string, string | number>; profiles?: Record<string, string>; onProgress?: ProgressCallback } = {},
  ): Promise<RunOutcome> {
    if (this.pending) return Promise.resolve({ status: 'error', message: 'A run is already in progress.' });
    const remote = this.ensure();
    return new Promise<RunOutcome>((resolve) => {
      this.pending = { resolve };
      const cb = opts.onProgress ? Comlink.proxy(opts.onProgress) : undefined;
      remote
        .run({ scenario, seed: opts.seed, params: opts.params, profiles: opts.profiles }, cb)
        .then(
          (o) => this.settle(o),
          (e: unknown) => this.settle({ status: 'error', message: e instanceof Error ? e.message : String(e) }),
        );
    });
  }

  cancel(): void {
    if (!this.pending || !this.remote) return;
    void this.remote.cancel();
    if (this.cancelTimer) clearTimeout(this.cancelTimer);
    this.cancelTimer = setTimeout(() => {
      if (!this.pending) return;
      this.terminate();
      this.settle({ status: 'cancelled', progress: 0 });
    }, HARD_CANCEL_MS);
  }

  /** CSV text of a run, made in the worker by the same function as the CLI. */
  toCsv(result: Pick<RunResult, 'channels'>): Promise<string> {
    return this.ensure().toCsv(result as unknown as RunResult);
  }

  terminate(): void {
    this.remote?.[Comlink.releaseProxy]();
    this.worker?.terminate();
    this.worker = null;
    this.remote = null;
  }

  private settle(o: RunOutcome): void {
    if (this.cancelTimer) clearTimeout(this.cancelTimer);
    this.cancelTimer = null;
    const p = this.pending;
    this.pending = null;
    p?.resolve(o);
  }
}
