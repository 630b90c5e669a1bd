// Typed facade the replay page calls. Owns the worker; parsing and replay never run on the main
// thread. Cancel terminates the worker (one replay is a single pass, there is no chunk boundary to
// stop at); the next run starts a fresh one.
import * as Comlink from 'comlink';
import type { ReplayImpl, ReplayOutcome, ReplayProgress, ReplayRequest } from './ReplayImpl';

export type { ReplayChannel, ReplayOutcome, ReplayRequest } from './ReplayImpl';
export { MAX_CSV_CHARS, MAX_PARAMS_CHARS } from './ReplayImpl';

export type ReplayRunOutcome = ReplayOutcome | { status: 'cancelled' };

export class Replay {
  private worker: Worker | null = null;
  private remote: Comlink.Remote<ReplayImpl> | null = null;
  private pending: ((o: ReplayRunOutcome) => void) | null = null;

  constructor(private readonly createWorker: () => Worker = () => new Worker(new URL('./ReplayImpl.worker.ts', import.meta.url), { type: 'module', name: 'twinbench-replay' })) {}

  private ensure(): Comlink.Remote<ReplayImpl> {
    if (!this.remote) {
      const worker = this.createWorker();
      const fail = (message: string) => {
        if (this.worker !== worker) return;
        this.terminate();
        this.settle({ status: 'error', message });
      };
      worker.addEventListener('error', (e) => fail(`the replay worker failed: ${(e as ErrorEvent).message || 'script error'}`));
      worker.addEventListener('messageerror', () => fail('the replay worker sent a message that could not be read'));
      this.worker = worker;
      this.remote = Comlink.wrap<ReplayImpl>(worker);
    }
    return this.remote;
  }

  paramSets(): Promise<string[]> {
    return this.ensure().paramSets();
  }

  run(request: ReplayRequest, onProgress?: ReplayProgress): Promise<ReplayRunOutcome> {
    if (this.pending) return Promise.resolve({ status: 'error', message: 'A replay is already running.' });
    const remote = this.ensure();
    return new Promise<ReplayRunOutcome>((resolve) => {
      this.pending = resolve;
      // a record given as bytes is transferred, not copied (the caller's buffer is detached)
      const req = request.csvBytes ? Comlink.transfer(request, [request.csvBytes]) : request;
      remote.run(req, onProgress ? Comlink.proxy(onProgress) : undefined).then(
        (o) => this.settle(o),
        (e: unknown) => this.settle({ status: 'error', message: e instanceof Error ? e.message : String(e) }),
      );
    });
  }

  cancel(): void {
    if (!this.pending) return;
    this.terminate();
    this.settle({ status: 'cancelled' });
  }

  terminate(): void {
    this.remote?.[Comlink.releaseProxy]();
    this.worker?.terminate();
    this.worker = null;
    this.remote = null;
  }

  private settle(o: ReplayRunOutcome): void {
    const p = this.pending;
    this.pending = null;
    p?.(o);
  }
}
