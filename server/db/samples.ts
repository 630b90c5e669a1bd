// Sample store (issue 5): one row per bridge batch, unique (deviceId, seq). The samples are kept
// as compact columnar JSON {"t":[..],"r":[..],"v":[[channel 0..],[channel 1..],..]} (null = no
// reading); JSON numbers round-trip doubles exactly.
import type { Sample } from '../../sim/protocol/bridge';
import type { PrismaClient } from './client';

export interface StoredBatch {
  deviceId: string;
  seq: number;
  samples: Sample[];
  storedAt: Date;
}

export interface SampleRepository {
  /** Writes the batch durably; `duplicate` when (deviceId, seq) was stored before (nothing written). */
  put(deviceId: string, seq: number, samples: Sample[]): Promise<{ duplicate: boolean }>;
  /** Group commit: one multi-row INSERT for batches of many devices (falls back to row by row
   * when one of them exists already); returns per row whether it was a duplicate. */
  putMany(rows: { deviceId: string; seq: number; samples: Sample[] }[]): Promise<boolean[]>;
  has(deviceId: string, seq: number): Promise<boolean>;
  /** highest stored seq of the device, -1 when none */
  lastSeq(deviceId: string): Promise<number>;
  /** the newest `limit` batches (oldest first) */
  recent(deviceId: string, limit: number): Promise<StoredBatch[]>;
  /** batches in seq order, `afterSeq` exclusive, for exports and tests */
  page(deviceId: string, afterSeq: number, limit: number): Promise<StoredBatch[]>;
  count(deviceId: string): Promise<{ batches: number; samples: number }>;
}

export function encodeSamples(samples: Sample[]): string {
  const n = samples.length;
  const nc = n ? samples[0].v.length : 0;
  const t = new Array<number>(n);
  const r = new Array<number>(n);
  const v: (number | null)[][] = Array.from({ length: nc }, () => new Array<number | null>(n));
  for (let i = 0; i < n; i++) {
    const s = samples[i];
    t[i] = s.t;
    r[i] = s.r;
    for (let c = 0; c < nc; c++) v[c][i] = s.v[c] ?? null;
  }
  return JSON.stringify({ t, r, v });
}

export function decodeSamples(text: string): Sample[] {
  const o = JSON.parse(text) as { t: number[]; r: number[]; v: (number | null)[][] };
  const out: Sample[] = new Array(o.t.length);
  for (let i = 0; i < o.t.length; i++) out[i] = { t: o.t[i], r: o.r[i], v: o.v.map((col) => col[i]) };
  return out;
}

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'P2002';
}

type Row = { deviceId: string; seq: number; samples: string; storedAt: Date };
const toStored = (r: Row): StoredBatch => ({ deviceId: r.deviceId, seq: r.seq, samples: decodeSamples(r.samples), storedAt: r.storedAt });

function rowData(deviceId: string, seq: number, samples: Sample[]) {
  let t0 = Infinity;
  let t1 = -Infinity;
  for (const s of samples) {
    if (s.t < t0) t0 = s.t;
    if (s.t > t1) t1 = s.t;
  }
  return { deviceId, seq, count: samples.length, t0, t1, rxMs: samples[0].r, samples: encodeSamples(samples) };
}

export function createSampleRepository(prisma: PrismaClient): SampleRepository {
  const has = async (deviceId: string, seq: number) =>
    (await prisma.sampleBatch.findUnique({ where: { deviceId_seq: { deviceId, seq } }, select: { id: true } })) !== null;
  return {
    has,
    async put(deviceId, seq, samples) {
      if (await has(deviceId, seq)) return { duplicate: true };
      let t0 = Infinity;
      let t1 = -Infinity;
      for (const s of samples) {
        if (s.t < t0) t0 = s.t;
        if (s.t > t1) t1 = s.t;
      }
      try {
        await prisma.sampleBatch.create({
          data: { deviceId, seq, count: samples.length, t0, t1, rxMs: samples[0].r, samples: encodeSamples(samples) },
        });
        return { duplicate: false };
      } catch (err) {
        if (isUniqueViolation(err)) return { duplicate: true };
        throw err;
      }
    },
    async putMany(rows) {
      if (rows.length === 0) return [];
      const data = rows.map((r) => rowData(r.deviceId, r.seq, r.samples));
      try {
        await prisma.sampleBatch.createMany({ data });
        return rows.map(() => false);
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
      }
      const out: boolean[] = [];
      for (const d of data) {
        try {
          await prisma.sampleBatch.create({ data: d });
          out.push(false);
        } catch (err) {
          if (!isUniqueViolation(err)) throw err;
          out.push(true);
        }
      }
      return out;
    },
    async lastSeq(deviceId) {
      const r = await prisma.sampleBatch.findFirst({ where: { deviceId }, orderBy: { seq: 'desc' }, select: { seq: true } });
      return r ? r.seq : -1;
    },
    async recent(deviceId, limit) {
      const rows = await prisma.sampleBatch.findMany({ where: { deviceId }, orderBy: { seq: 'desc' }, take: limit });
      return rows.reverse().map(toStored);
    },
    async page(deviceId, afterSeq, limit) {
      const rows = await prisma.sampleBatch.findMany({ where: { deviceId, seq: { gt: afterSeq } }, orderBy: { seq: 'asc' }, take: limit });
      return rows.map(toStored);
    },
    async count(deviceId) {
      const r = await prisma.sampleBatch.aggregate({ where: { deviceId }, _count: { _all: true }, _sum: { count: true } });
      return { batches: r._count._all, samples: r._sum.count ?? 0 };
    },
  };
}
