// The driver-level sample writer against real SQLite (worker thread) and PostgreSQL: rows written
// in one transaction, duplicates reported per row, and what Prisma reads back is exactly what was
// written (values, storedAt as a Date).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sample } from '../../sim/protocol/bridge';
import { openDatabase, type Database } from './client';
import { createDeviceRepository } from './devices';
import { createSampleWriter, type SampleWriter } from './sampleWriter';
import { createSampleRepository } from './samples';
import { createTestConfig } from './testing';

const samples = (seq: number, n = 3): Sample[] =>
  Array.from({ length: n }, (_, i) => ({ t: seq * n + i + 0.1, r: 1.7e12 + seq * 1000 + i + 0.123456789, v: [i === 1 ? null : -1.2345678901234567e-6 * (i + 1), 3.7 + seq] }));

for (const kind of ['sqlite', 'postgresql'] as const) {
  describe(`sample writer (${kind})`, () => {
    let db: Database;
    let writer: SampleWriter;
    let cleanup: () => unknown = () => {};
    const ids: string[] = [];

    beforeAll(async () => {
      const t = await createTestConfig(kind);
      cleanup = t.cleanup;
      db = await openDatabase(t.config);
      for (const name of ['a', 'b']) ids.push((await createDeviceRepository(db.prisma).add({ name })).device.id);
      writer = createSampleWriter(db.config);
    });

    afterAll(async () => {
      await writer?.close();
      await db?.close();
      await cleanup();
    });

    it('writes a group in one go, reports duplicates per row, and Prisma reads it back exactly', async () => {
      const t0 = Date.now();
      const first = await writer.putMany([
        { deviceId: ids[0], seq: 0, samples: samples(0) },
        { deviceId: ids[1], seq: 0, samples: samples(0, 1) },
        { deviceId: ids[0], seq: 1, samples: samples(1) },
      ]);
      expect(first).toEqual([false, false, false]);
      const again = await writer.putMany([
        { deviceId: ids[0], seq: 1, samples: samples(1) },
        { deviceId: ids[0], seq: 2, samples: samples(2) },
      ]);
      expect(again).toEqual([true, false]);
      const repo = createSampleRepository(db.prisma);
      expect(await repo.count(ids[0])).toEqual({ batches: 3, samples: 9 });
      expect(await repo.lastSeq(ids[0])).toBe(2);
      const page = await repo.page(ids[0], -1, 10);
      expect(page.map((b) => b.samples)).toEqual([samples(0), samples(1), samples(2)]);
      expect(page[0].storedAt).toBeInstanceOf(Date);
      expect(Math.abs(page[0].storedAt.getTime() - t0)).toBeLessThan(60_000);
      const row = await db.prisma.sampleBatch.findUniqueOrThrow({ where: { deviceId_seq: { deviceId: ids[0], seq: 1 } } });
      expect(row).toMatchObject({ count: 3, t0: 3.1, t1: 5.1, rxMs: samples(1)[0].r });
    });

    it('fails the whole group when one row is invalid (unknown device), and writes nothing of it', async () => {
      await expect(
        writer.putMany([
          { deviceId: ids[1], seq: 7, samples: samples(7) },
          { deviceId: 'no-such-device', seq: 0, samples: samples(0) },
        ]),
      ).rejects.toThrow(/FOREIGN KEY|foreign key/);
      expect(await createSampleRepository(db.prisma).has(ids[1], 7)).toBe(false);
      // the writer keeps working after a failed group
      expect(await writer.putMany([{ deviceId: ids[1], seq: 7, samples: samples(7) }])).toEqual([false]);
    });
  });
}
