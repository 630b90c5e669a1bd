// Plain run logic behind the runner worker (Lichtblick's Foo / FooImpl / FooImpl.worker split).
// No Comlink, no DOM: the engine and the transfer marker are injected, so this is unit-testable
// in Node. It re-validates the scenario (never trust a message), steps the engine in chunks of
// about `chunkMs`, reports progress through a callback between chunks, yields to the event loop
// so a cancel() message can arrive, and hands typed arrays back to be transferred, not copied.
// Version-2 scenarios (sim/system) run through the same loop: RunnerImpl dispatches on
// deps.isSystemScenario, passes parameter overrides and the profile CSV texts the page fetched
// (both validated here with zod: a message is external input), and transfers the heat map too.
import { z } from 'zod';
import type { RunProgress, RunResult } from '../../sim/engine/run';
import type { AnyScenario as Scenario, ScenarioIssue } from '../../sim/scenario/validate';
import type { SystemScenario } from '../../sim/scenario/system';
import type { SystemRunResult } from '../../sim/system/types';

/** The part of sim/engine's RunSession the runner uses. */
export interface EngineSession {
  advance(maxSteps: number): RunProgress;
  result(): RunResult;
}

/** A result of either engine: v1 RunResult, or v2 with events, criteria, heat map... */
export type AnyRunResult = RunResult | SystemRunResult;

export function isSystemResult(r: AnyRunResult): r is SystemRunResult {
  return Array.isArray((r as Partial<SystemRunResult>).criteria) && Array.isArray((r as Partial<SystemRunResult>).events);
}

/** The part of sim/system's SystemRunSession the runner uses. */
export interface SystemEngineSession {
  advance(maxSteps: number): RunProgress;
  result(): SystemRunResult;
  cancel?(): void;
}

export interface SystemRunOpts {
  seed?: number;
  params?: Record<string, string | number>;
  profiles?: ReadonlyMap<string, string>;
}

export interface EngineDeps {
  engineVersion: string;
  validateScenario(input: unknown): { ok: true; scenario: Scenario } | { ok: false; issues: ScenarioIssue[] };
  startRun(scenario: Scenario, opts: { seed?: number }): EngineSession;
  /** Version-2 support (absent: v2 scenarios are refused with a clear message). */
  isSystemScenario?(s: Scenario): s is SystemScenario;
  startSystemRun?(scenario: SystemScenario, opts: SystemRunOpts): SystemEngineSession;
  /** Keys ("<folder>/<file>.csv" under the data folder) of the profile files a v2 run needs. */
  profileFilesOf?(scenario: SystemScenario, params?: Record<string, string | number>): string[];
  runToCsv(r: RunResult): string;
  /** Comlink.transfer in the worker; identity in tests. */
  transfer?<T>(value: T, transferables: Transferable[]): T;
  now?(): number;
}

export interface RunRequest {
  scenario: unknown;
  seed?: number;
  /** v2: parameter overrides ($name -> value with unit, as `twinbench run --param`) */
  params?: Record<string, string | number>;
  /** v2: text of every profile file the scenario uses, by key (see profileFiles) */
  profiles?: Record<string, string>;
  /** Target wall time per chunk between progress reports and cancel checks. */
  chunkMs?: number;
}

export interface RunnerProgress extends RunProgress {
  steps: number;
  elapsedMs: number;
}

export type ProgressCallback = (p: RunnerProgress) => void | Promise<void>;

export type RunOutcome =
  | { status: 'done'; result: AnyRunResult; elapsedMs: number; engineMs: number }
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

/** Largest sum of profile texts a run request may carry (characters). */
export const MAX_PROFILE_TOTAL_CHARS = 256 * 1024 * 1024;
const PROFILE_KEY = /^[A-Za-z0-9_.\- ]+(\/[A-Za-z0-9_.\- ]+)*\.csv$/;

const v2OptionsSchema = z.object({
  params: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a parameter name'), z.union([z.string().max(200), z.number().finite()])).optional(),
  profiles: z
    .record(
      z.string().regex(PROFILE_KEY, 'a data key "<folder>/<file>.csv"').refine((k) => !k.split('/').includes('..'), 'no ".." segment'),
      z.string(),
    )
    .optional(),
});

/** Trims a typed array to a whole, unshared buffer and lists it for transfer. */
function own<T extends Float64Array | Float32Array>(data: T, seen: Set<ArrayBufferLike>, transferables: ArrayBuffer[]): T {
  const whole = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
  if (!whole || seen.has(data.buffer) || !(data.buffer instanceof ArrayBuffer)) data = data.slice() as T;
  seen.add(data.buffer);
  transferables.push(data.buffer as ArrayBuffer);
  return data;
}

/** Typed-array data packed for transfer: one whole, unshared buffer per channel (and heat map array). */
export function packForTransfer<R extends AnyRunResult>(result: R): { result: R; transferables: ArrayBuffer[] } {
  const seen = new Set<ArrayBufferLike>();
  const transferables: ArrayBuffer[] = [];
  const channels = result.channels.map((c: RunResult['channels'][number]) => ({ ...c, data: own(c.data, seen, transferables) }));
  const out = { ...result, channels } as R;
  const hm = (result as Partial<SystemRunResult>).heatmap;
  if (hm) {
    (out as SystemRunResult).heatmap = { targets: hm.targets, timeS: own(hm.timeS, seen, transferables), tempC: own(hm.tempC, seen, transferables) };
  }
  return { result: out, transferables };
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

  /** Profile file keys a v2 scenario needs with these parameters ([] for v1 or invalid input). */
  profileFiles(scenario: unknown, params?: Record<string, string | number>): string[] {
    const v = this.deps.validateScenario(scenario);
    if (!v.ok || !this.deps.isSystemScenario?.(v.scenario) || !this.deps.profileFilesOf) return [];
    const o = v2OptionsSchema.safeParse({ params });
    if (!o.success) return [];
    return this.deps.profileFilesOf(v.scenario, o.data.params ?? {});
  }

  private start(scenario: Scenario, req: RunRequest): EngineSession | SystemEngineSession | { error: string } | { issues: ScenarioIssue[] } {
    const seed = req.seed === undefined ? {} : { seed: req.seed };
    if (!this.deps.isSystemScenario?.(scenario)) return this.deps.startRun(scenario, seed);
    if (!this.deps.startSystemRun) return { error: 'this runner cannot run version-2 scenarios' };
    const o = v2OptionsSchema.safeParse({ params: req.params, profiles: req.profiles });
    if (!o.success) return { issues: o.error.issues.map((i) => ({ path: ['run request', ...i.path.map((p) => (typeof p === 'symbol' ? String(p) : p))], message: i.message })) };
    const profiles = new Map(Object.entries(o.data.profiles ?? {}));
    let total = 0;
    for (const t of profiles.values()) total += t.length;
    if (total > MAX_PROFILE_TOTAL_CHARS) return { error: `profile files total ${total} characters, more than ${MAX_PROFILE_TOTAL_CHARS}` };
    return this.deps.startSystemRun(scenario, { ...seed, params: o.data.params ?? {}, profiles });
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
      const started = this.start(v.scenario, req);
      if ('error' in started) return { status: 'error', message: started.error };
      if ('issues' in started) return { status: 'invalid', issues: started.issues };
      const session = started;
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
        if (this.cancelRequested) {
          (session as SystemEngineSession).cancel?.();
          return { status: 'cancelled', progress: p.progress };
        }
      }
      const c0 = now();
      const raw: AnyRunResult = session.result();
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
