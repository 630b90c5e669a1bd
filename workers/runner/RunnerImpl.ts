// Plain run logic behind the runner worker (Lichtblick's Foo / FooImpl / FooImpl.worker split).
// No Comlink, no DOM: the engine and the transfer marker are injected, so this is unit-testable
// in Node. It re-validates the scenario (never trust a message), steps the engine in chunks of
// about `chunkMs`, reports progress through a callback between chunks, yields to the event loop
// so a cancel() message can arrive, and hands typed arrays back to be transferred, not copied.
import type { RunProgress, RunResult } from '../../sim/engine/run';
import type { AnyScenario as Scenario, ScenarioIssue } from '../../sim/scenario/validate';

/** The part of sim/engine's RunSession the runner uses. */
export interface EngineSession {
  advance(maxSteps: number): RunProgress;
  result(): RunResult;
}

export interface EngineDeps {
  engineVersion: string;
  validateScenario(input: unknown): { ok: true; scenario: Scenario } | { ok: false; issues: ScenarioIssue[] };
  startRun(scenario: Scenario, opts: { seed?: number }): EngineSession;
  runToCsv(r: RunResult): string;
  /** Comlink.transfer in the worker; identity in tests. */
  transfer?<T>(value: T, transferables: Transferable[]): T;
  now?(): number;
}

export interface RunRequest {
  scenario: unknown;
  seed?: number;
  /** Target wall time per chunk between progress reports and cancel checks. */
  chunkMs?: number;
}

export interface RunnerProgress extends RunProgress {
  steps: number;
  elapsedMs: number;
}

export type ProgressCallback = (p: RunnerProgress) => void | Promise<void>;

export type RunOutcome =
  | { status: 'done'; result: RunResult; elapsedMs: number; engineMs: number }
  | { status: 'cancelled'; progress: number }
  | { status: 'invalid'; issues: ScenarioIssue[] }
  | { status: 'error'; message: string };

function report(cb: ProgressCallback, p: RunnerProgress): void {
  try {
    const r = cb(p);
    if (r && typeof (r as Promise<void>).catch === 'function') (r as Promise<void>).catch(() => undefined);
  } catch {
    /* a failing progress display must not fail the run */
  }
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** Typed-array channel data packed for transfer: one whole, unshared buffer per channel. */
export function packForTransfer(result: RunResult): { result: RunResult; transferables: ArrayBuffer[] } {
  const seen = new Set<ArrayBufferLike>();
  const transferables: ArrayBuffer[] = [];
  const channels = result.channels.map((c: RunResult['channels'][number]) => {
    let data = c.data;
    const whole = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
    if (!whole || seen.has(data.buffer) || !(data.buffer instanceof ArrayBuffer)) data = data.slice();
    seen.add(data.buffer);
    transferables.push(data.buffer as ArrayBuffer);
    return { ...c, data };
  });
  return { result: { ...result, channels }, transferables };
}

export class RunnerImpl {
  private readonly deps: EngineDeps;
  private cancelRequested = false;
  private running = false;

  constructor(deps: EngineDeps) {
    this.deps = deps;
  }

  engineVersion(): string {
    return this.deps.engineVersion;
  }

  isRunning(): boolean {
    return this.running;
  }

  /** Asks the current run to stop at the next chunk boundary. */
  cancel(): void {
    if (this.running) this.cancelRequested = true;
  }

  async run(req: RunRequest, onProgress?: ProgressCallback): Promise<RunOutcome> {
    if (this.running) return { status: 'error', message: 'A run is already in progress in this worker.' };
    const v = this.deps.validateScenario(req.scenario);
    if (!v.ok) return { status: 'invalid', issues: v.issues };
    const now = this.deps.now ?? (() => performance.now());
    const chunkMs = Math.max(2, req.chunkMs ?? 30);
    this.running = true;
    this.cancelRequested = false;
    const t0 = now();
    let engineMs = 0;
    try {
      const session = this.deps.startRun(v.scenario, req.seed === undefined ? {} : { seed: req.seed });
      let chunkSteps = 256;
      let steps = 0;
      for (;;) {
        const c0 = now();
        const p = session.advance(chunkSteps);
        const dt = now() - c0;
        engineMs += dt;
        steps += chunkSteps;
        // Aim the next chunk at chunkMs (bounded growth so one slow step cannot stall cancel).
        const perStep = dt / chunkSteps;
        if (perStep > 0) chunkSteps = Math.max(16, Math.min(chunkSteps * 4, Math.floor(chunkMs / perStep)));
        else chunkSteps = Math.min(chunkSteps * 4, 1 << 20);
        if (p.done) break;
        // Not awaited: through Comlink this is a round trip to the main thread, and a busy UI
        // (drawing the last run) must not slow the run down.
        if (onProgress) report(onProgress, { ...p, steps, elapsedMs: now() - t0 });
        await yieldToEventLoop();
        if (this.cancelRequested) return { status: 'cancelled', progress: p.progress };
      }
      const c0 = now();
      const raw = session.result();
      engineMs += now() - c0;
      if (onProgress) report(onProgress, { done: true, progress: 1, simTimeS: raw.durationS, steps: raw.steps, elapsedMs: now() - t0 });
      const { result, transferables } = packForTransfer(raw);
      const outcome: RunOutcome = { status: 'done', result, elapsedMs: now() - t0, engineMs };
      return this.deps.transfer ? this.deps.transfer(outcome, transferables) : outcome;
    } catch (e) {
      return { status: 'error', message: e instanceof Error ? e.message : String(e) };
    } finally {
      this.running = false;
      this.cancelRequested = false;
    }
  }

  /** CSV of a run, by the same function as the CLI (sim/engine/csv), so bytes are identical. */
  toCsv(result: RunResult): string {
    return this.deps.runToCsv(result);
  }
}
