// The hot write path of the live bridge (issue 5): sample batches go to the database through the
// driver directly, not through the Prisma client. Profiling 1,000 devices at 10 Hz showed Prisma's
// query compiler (WASM, fed every row's JSON text as a query argument) and its interpreter taking
// about a third of the server's CPU for createMany; the same multi-row INSERT through the driver
// costs a fraction of that and reports duplicates per row without a second pass.
//
// Same table and columns as Prisma's SampleBatch (prisma/models.prisma); reads stay on Prisma
// (server/db/samples.ts). Durability: a write resolves only when its transaction is committed;
// SQLite runs this connection with synchronous = FULL (WAL fsync on every commit, so an ack
// survives a power cut, as PostgreSQL's default synchronous_commit = on does) in a worker thread,
// so the fsync never stalls the event loop (sqliteWriter.worker.mjs); PostgreSQL gets one
// INSERT ... SELECT FROM unnest(...) ON CONFLICT DO NOTHING RETURNING per group.
import { Worker } from 'node:worker_threads';
import pg from 'pg';
import { encodeSamples } from './samples';
import type { Sample } from '../../sim/protocol/bridge';
import type { DatabaseConfig } from './config';

export interface SampleRow {
  deviceId: string;
  seq: number;
  samples: Sample[];
}

export interface SampleWriter {
  /** Writes all rows in one transaction; per row: true = (deviceId, seq) existed (not written). */
  putMany(rows: SampleRow[]): Promise<boolean[]>;
  close(): Promise<void>;
}

interface Encoded {
  deviceId: string;
  seq: number;
  count: number;
  t0: number;
  t1: number;
  rxMs: number;
  text: string;
}

function encodeRow(r: SampleRow): Encoded {
  let t0 = Infinity;
  let t1 = -Infinity;
  const s = r.samples;
  for (let i = 0; i < s.length; i++) {
    const t = s[i].t;
    if (t < t0) t0 = t;
    if (t > t1) t1 = t;
  }
  return { deviceId: r.deviceId, seq: r.seq, count: s.length, t0, t1, rxMs: s[0].r, text: encodeSamples(s) };
}

/** Prisma's DateTime text in SQLite (what its better-sqlite3 adapter writes and reads back). */
export function sqliteDateTime(d: Date): string {
  return d.toISOString().replace('Z', '+00:00');
}

export function createSampleWriter(cfg: DatabaseConfig): SampleWriter {
  return cfg.kind === 'sqlite' ? sqliteWriter(cfg.file) : postgresWriter(cfg);
}

function sqliteWriter(file: string): SampleWriter {
  // better-sqlite3 is synchronous: the transaction and its fsync run in a worker thread
  // (sqliteWriter.worker.mjs), here only the rows are encoded and posted
  type Answer = { id: number; dup?: boolean[]; error?: string; ready?: boolean };
  let worker: Worker | null = null;
  let nextId = 1;
  let open = true;
  const waiting = new Map<number, { resolve: (dup: boolean[]) => void; reject: (e: Error) => void }>();
  const fail = (e: Error) => {
    for (const w of waiting.values()) w.reject(e);
    waiting.clear();
    worker = null;
  };
  const start = (): Worker => {
    const w = new Worker(new URL('./sqliteWriter.worker.mjs', import.meta.url), { workerData: { file }, name: 'twinbench-sample-writer' });
    w.unref();
    w.on('message', (m: Answer) => {
      if (m.ready) return;
      const p = waiting.get(m.id);
      if (!p) return;
      waiting.delete(m.id);
      if (m.error !== undefined) p.reject(new Error(`writing samples to ${file} failed: ${m.error}`));
      else p.resolve(m.dup!);
    });
    w.on('error', (e) => {
      if (worker === w) fail(new Error(`the SQLite sample writer failed: ${e.message}`));
    });
    w.on('exit', (code) => {
      if (worker === w) fail(new Error(`the SQLite sample writer stopped (exit ${code})`));
    });
    return w;
  };
  return {
    putMany(rows) {
      if (!open) return Promise.reject(new Error('the sample writer is closed'));
      if (rows.length === 0) return Promise.resolve([]);
      worker ??= start();
      const id = nextId++;
      const encoded = rows.map((r) => {
        const e = encodeRow(r);
        return [e.deviceId, e.seq, e.count, e.t0, e.t1, e.rxMs, e.text];
      });
      const w = worker;
      return new Promise<boolean[]>((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        w.postMessage({ id, rows: encoded, storedAt: sqliteDateTime(new Date()) });
      });
    },
    async close() {
      if (!open) return;
      open = false;
      const w = worker;
      if (!w) return;
      await new Promise<void>((resolve) => {
        w.once('exit', () => resolve());
        // after the writes already posted (messages are handled in order)
        w.postMessage('close');
      });
    },
  };
}

function postgresWriter(cfg: Extract<DatabaseConfig, { kind: 'postgresql' }>): SampleWriter {
  // group commits are serialized by the caller (GroupWriter): two connections are plenty
  const pool = new pg.Pool({
    connectionString: cfg.url,
    options: `-c search_path="${cfg.schema}"`,
    max: 2,
    connectionTimeoutMillis: 10_000,
  });
  // an idle connection that dies (server restart) must not crash the process; the pool replaces it
  pool.on('error', () => {});
  const sql =
    'INSERT INTO "SampleBatch" ("deviceId", "seq", "count", "t0", "t1", "rxMs", "samples", "storedAt") ' +
    "SELECT d, s, c, a, b, x, j, (now() AT TIME ZONE 'UTC') FROM unnest($1::text[], $2::int[], $3::int[], $4::float8[], $5::float8[], $6::float8[], $7::text[]) AS u(d, s, c, a, b, x, j) " +
    'ON CONFLICT ("deviceId", "seq") DO NOTHING RETURNING "deviceId", "seq"';
  let open = true;
  return {
    async putMany(rows) {
      if (!open) throw new Error('the sample writer is closed');
      if (rows.length === 0) return [];
      const e = rows.map(encodeRow);
      const res = await pool.query<{ deviceId: string; seq: number }>(sql, [
        e.map((r) => r.deviceId),
        e.map((r) => r.seq),
        e.map((r) => r.count),
        // pg serializes numbers with String(): shortest round-trip text, exact for doubles
        e.map((r) => r.t0),
        e.map((r) => r.t1),
        e.map((r) => r.rxMs),
        e.map((r) => r.text),
      ]);
      const written = new Set(res.rows.map((r) => `${r.deviceId}\u0000${r.seq}`));
      // a (deviceId, seq) twice in one group: the first one is written, the second is a duplicate
      const seen = new Set<string>();
      return e.map((r) => {
        const k = `${r.deviceId}\u0000${r.seq}`;
        const dup = !written.has(k) || seen.has(k);
        seen.add(k);
        return dup;
      });
    },
    async close() {
      if (!open) return;
      open = false;
      await pool.end();
    },
  };
}
