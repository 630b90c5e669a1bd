// Worker thread of the SQLite sample writer (server/db/sampleWriter.ts): the INSERT transaction and
// its fsync (synchronous = FULL) run here, so the server's event loop never waits for the disk.
// Plain JavaScript on purpose: a worker thread does not inherit the tsx loader the server runs under.
//
// in:  { id, storedAt, rows: [deviceId, seq, count, t0, t1, rxMs, samplesJson][] }
// out: { id, dup: boolean[] }  (true = (deviceId, seq) existed, nothing written)  |  { id, error }
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const db = new Database(workerData.file, { timeout: 10_000 });
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
// as Prisma's connection: a row of an unknown (removed) device is refused
db.pragma('foreign_keys = ON');
const insert = db.prepare(
  'INSERT INTO "SampleBatch" ("deviceId", "seq", "count", "t0", "t1", "rxMs", "samples", "storedAt") VALUES (?, ?, ?, ?, ?, ?, ?, ?) ' +
    'ON CONFLICT ("deviceId", "seq") DO NOTHING',
);
const writeAll = db.transaction((rows, storedAt) => {
  const dup = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    dup[i] = insert.run(r[0], r[1], r[2], r[3], r[4], r[5], r[6], storedAt).changes === 0;
  }
  return dup;
});

parentPort.on('message', (msg) => {
  if (msg === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    parentPort.postMessage({ id: msg.id, dup: writeAll.immediate(msg.rows, msg.storedAt) });
  } catch (err) {
    parentPort.postMessage({ id: msg.id, error: err instanceof Error ? `${err.message}${err.code ? ` (${err.code})` : ''}` : String(err) });
  }
});
parentPort.postMessage({ ready: true });
