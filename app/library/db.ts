// Local library in IndexedDB (Dexie): scenarios and runs, kept across reloads and offline.
// Runs store their metadata in `runs` and channel data as Float64Array chunks in `runChunks`
// (CHUNK_LEN values each), so a long run never needs one huge IndexedDB value.
// Version-2 runs (sim/system) also keep their extras (events, criteria, runaway, faults, signal
// statistics, parameters) in `runSystem` and the heat map's temperatures as Float32Array chunks in
// `heatChunks` (schema version 3), so a recorded run reopens and scrubs without re-simulating.
import Dexie, { type EntityTable } from 'dexie';
import type { SystemRunExtras, CriterionOutcome } from '../../sim/system/types';

export interface ScenarioRecord {
  id: number;
  name: string;
  text: string;
  /** scenarioHash of the validated scenario ('' if the text was not valid when saved). */
  hash: string;
  createdAt: number;
  updatedAt: number;
}

export interface ChannelMeta {
  name: string;
  unit: string;
  length: number;
  chunks: number;
}

export interface RunRecord {
  id: number;
  name: string;
  scenarioId: number | null;
  scenarioHash: string;
  engineVersion: string;
  seed: number;
  steps: number;
  durationS: number;
  metrics: Record<string, number>;
  warnings: string[];
  channels: ChannelMeta[];
  createdAt: number;
  /** v2 runs: criteria counts, shown in the library list without loading the run */
  criteriaSummary?: Record<CriterionOutcome, number>;
}

/** The extras of a version-2 run (one row per run; the heat map's values are in heatChunks). */
export interface RunSystemRow extends Omit<SystemRunExtras, 'heatmap'> {
  runId: number;
  heatmap?: { targets: string[]; timeS: Float64Array; length: number; chunks: number };
}

export interface HeatChunk {
  runId: number;
  index: number;
  data: Float32Array;
}

/** sim/engine extensions of a run, kept apart so listing runs never loads a long step log. */
export interface RunExtra {
  runId: number;
  name?: string;
  stepLog?: unknown[];
  completed?: boolean;
}

export interface RunChunk {
  runId: number;
  channel: number;
  index: number;
  data: Float64Array;
}

export interface ChannelData {
  name: string;
  unit: string;
  data: Float64Array;
}

/** The parts of a run result the library keeps (structurally a sim/engine RunResult, or a
 * sim/system SystemRunResult with its extras). */
export interface RunLike extends Partial<SystemRunExtras> {
  engineVersion: string;
  scenarioHash: string;
  seed: number;
  steps: number;
  durationS: number;
  channels: ChannelData[];
  metrics: Record<string, number>;
  warnings: string[];
  /** sim/engine extensions, kept as they are (small JSON). */
  name?: string;
  stepLog?: unknown[];
  completed?: boolean;
}

export const CHUNK_LEN = 262_144; // 2 MiB of float64 per stored chunk
export const HEAT_CHUNK_LEN = 524_288; // 2 MiB of float32 per stored heat-map chunk

export class LibraryDB extends Dexie {
  scenarios!: EntityTable<ScenarioRecord, 'id'>;
  runs!: EntityTable<RunRecord, 'id'>;
  runChunks!: Dexie.Table<RunChunk, [number, number, number]>;
  runExtras!: Dexie.Table<RunExtra, number>;
  runSystem!: Dexie.Table<RunSystemRow, number>;
  heatChunks!: Dexie.Table<HeatChunk, [number, number]>;

  constructor(name = 'twinbench') {
    super(name);
    this.version(1).stores({
      scenarios: '++id, name, hash, updatedAt',
      runs: '++id, scenarioId, scenarioHash, createdAt',
      runChunks: '[runId+channel+index], runId',
    });
    this.version(2).stores({ runExtras: 'runId' });
    // v3: version-2 run extras and heat maps (new tables only: older runs open as they were)
    this.version(3).stores({ runSystem: 'runId', heatChunks: '[runId+index], runId' });
  }
}

export class Library {
  readonly db: LibraryDB;

  constructor(name?: string) {
    this.db = new LibraryDB(name);
  }

  async saveScenario(input: { id?: number | null; name: string; text: string; hash: string }): Promise<number> {
    const now = Date.now();
    const name = cleanName(input.name);
    if (input.id != null) {
      const existing = await this.db.scenarios.get(input.id);
      if (existing) {
        await this.db.scenarios.update(input.id, { name, text: input.text, hash: input.hash, updatedAt: now });
        return input.id;
      }
    }
    return (await this.db.scenarios.add({ name, text: input.text, hash: input.hash, createdAt: now, updatedAt: now } as ScenarioRecord)) as number;
  }

  /** Most recently updated first. */
  async listScenarios(): Promise<ScenarioRecord[]> {
    return this.db.scenarios.orderBy('updatedAt').reverse().toArray();
  }

  getScenario(id: number): Promise<ScenarioRecord | undefined> {
    return this.db.scenarios.get(id);
  }

  async renameScenario(id: number, name: string): Promise<void> {
    const n = await this.db.scenarios.update(id, { name: cleanName(name), updatedAt: Date.now() });
    if (n === 0) throw new Error(`scenario ${id} is not in the library`);
  }

  /** Deletes the scenario and the runs saved with it. */
  async deleteScenario(id: number): Promise<void> {
    await this.db.transaction('rw', [this.db.scenarios, ...this.runTables()], async () => {
      const runIds = (await this.db.runs.where('scenarioId').equals(id).primaryKeys()) as number[];
      for (const runId of runIds) await this.deleteRunInTx(runId);
      await this.db.scenarios.delete(id);
    });
  }

  async saveRun(run: RunLike, opts: { name: string; scenarioId?: number | null }): Promise<number> {
    return this.db.transaction('rw', this.runTables(), async () => {
      const channels: ChannelMeta[] = run.channels.map((c) => ({
        name: c.name,
        unit: c.unit,
        length: c.data.length,
        chunks: Math.max(1, Math.ceil(c.data.length / CHUNK_LEN)),
      }));
      const runId = (await this.db.runs.add({
        name: cleanName(opts.name),
        scenarioId: opts.scenarioId ?? null,
        scenarioHash: run.scenarioHash,
        engineVersion: run.engineVersion,
        seed: run.seed,
        steps: run.steps,
        durationS: run.durationS,
        metrics: { ...run.metrics },
        warnings: [...run.warnings],
        channels,
        createdAt: Date.now(),
        ...(run.criteria ? { criteriaSummary: summarize(run.criteria) } : {}),
      } as RunRecord)) as number;
      await this.db.runExtras.put({ runId, name: run.name, stepLog: run.stepLog, completed: run.completed });
      if (run.criteria && run.events) await this.saveSystemInTx(runId, run);
      const chunks: RunChunk[] = [];
      run.channels.forEach((c, ci) => {
        for (let k = 0; k < channels[ci].chunks; k++) {
          // slice() copies, so the caller's arrays (and their buffers) stay untouched.
          chunks.push({ runId, channel: ci, index: k, data: c.data.slice(k * CHUNK_LEN, (k + 1) * CHUNK_LEN) });
        }
      });
      await this.db.runChunks.bulkAdd(chunks);
      return runId;
    });
  }

  /** Most recent first; optionally only the runs of one scenario. */
  async listRuns(scenarioId?: number): Promise<RunRecord[]> {
    const rows =
      scenarioId === undefined
        ? await this.db.runs.orderBy('createdAt').reverse().toArray()
        : await this.db.runs.where('scenarioId').equals(scenarioId).toArray();
    return rows.sort((a, b) => b.createdAt - a.createdAt);
  }

  async loadRun(id: number): Promise<(RunLike & { record: RunRecord }) | undefined> {
    const record = await this.db.runs.get(id);
    if (!record) return undefined;
    const rows = await this.db.runChunks.where('runId').equals(id).toArray();
    const extra = await this.db.runExtras.get(id);
    const system = await this.loadSystem(id);
    const channels: ChannelData[] = record.channels.map((m) => ({ name: m.name, unit: m.unit, data: new Float64Array(m.length) }));
    for (const row of rows) {
      const target = channels[row.channel];
      if (!target) continue;
      target.data.set(row.data, row.index * CHUNK_LEN);
    }
    return {
      record,
      engineVersion: record.engineVersion,
      scenarioHash: record.scenarioHash,
      seed: record.seed,
      steps: record.steps,
      durationS: record.durationS,
      metrics: record.metrics,
      warnings: record.warnings,
      channels,
      ...(extra ? { name: extra.name, stepLog: extra.stepLog, completed: extra.completed } : {}),
      ...system,
    };
  }

  private runTables() {
    return [this.db.runs, this.db.runChunks, this.db.runExtras, this.db.runSystem, this.db.heatChunks];
  }

  private async saveSystemInTx(runId: number, run: RunLike): Promise<void> {
    const hm = run.heatmap;
    const chunks = hm ? Math.max(1, Math.ceil(hm.tempC.length / HEAT_CHUNK_LEN)) : 0;
    await this.db.runSystem.put({
      runId,
      events: run.events ?? [],
      criteria: run.criteria ?? [],
      runaway: run.runaway ?? [],
      faults: run.faults ?? [],
      signalStats: run.signalStats ?? {},
      parameters: run.parameters ?? {},
      ...(run.stoppedBy !== undefined ? { stoppedBy: run.stoppedBy } : {}),
      ...(hm ? { heatmap: { targets: [...hm.targets], timeS: hm.timeS.slice(), length: hm.tempC.length, chunks } } : {}),
    });
    if (hm) {
      const rows: HeatChunk[] = [];
      for (let k = 0; k < chunks; k++) rows.push({ runId, index: k, data: hm.tempC.slice(k * HEAT_CHUNK_LEN, (k + 1) * HEAT_CHUNK_LEN) });
      await this.db.heatChunks.bulkAdd(rows);
    }
  }

  /** The v2 extras of a run ({} for a v1 run or one saved before schema version 3). */
  private async loadSystem(id: number): Promise<Partial<SystemRunExtras>> {
    const row = await this.db.runSystem.get(id);
    if (!row) return {};
    const { runId: _runId, heatmap: meta, ...rest } = row;
    void _runId;
    const out: Partial<SystemRunExtras> = { ...rest };
    if (meta) {
      const tempC = new Float32Array(meta.length);
      const rows = await this.db.heatChunks.where('runId').equals(id).toArray();
      for (const r of rows) tempC.set(r.data, r.index * HEAT_CHUNK_LEN);
      out.heatmap = { targets: meta.targets, timeS: meta.timeS, tempC };
    }
    return out;
  }

  async renameRun(id: number, name: string): Promise<void> {
    const n = await this.db.runs.update(id, { name: cleanName(name) });
    if (n === 0) throw new Error(`run ${id} is not in the library`);
  }

  async deleteRun(id: number): Promise<void> {
    await this.db.transaction('rw', this.runTables(), () => this.deleteRunInTx(id));
  }

  private async deleteRunInTx(id: number): Promise<void> {
    await this.db.runChunks.where('runId').equals(id).delete();
    await this.db.runExtras.delete(id);
    await this.db.heatChunks.where('runId').equals(id).delete();
    await this.db.runSystem.delete(id);
    await this.db.runs.delete(id);
  }

  close(): void {
    this.db.close();
  }
}

function summarize(criteria: { result: CriterionOutcome }[]): Record<CriterionOutcome, number> {
  const s: Record<CriterionOutcome, number> = { pass: 0, fail: 0, inconclusive: 0 };
  for (const c of criteria) s[c.result]++;
  return s;
}

function cleanName(name: string): string {
  const n = name.replace(/\s+/g, ' ').trim().slice(0, 200);
  return n || 'Untitled';
}

let shared: Library | null = null;
/** The page's library (one Dexie connection per tab). */
export function getLibrary(): Library {
  if (!shared) shared = new Library();
  return shared;
}
