// Alarm writer of the server-side monitor (started by monitor.ts through bootWorker.mjs): writes the
// alarms to the alert store (server/db/alerts.ts) on a database connection of its own, one at a
// time and rate-limited (alarms.ts). A thread of its own because with SQLite every query is
// synchronous and may wait for the write lock (the sample writer commits continuously).
import { parentPort, workerData } from 'node:worker_threads';
import { createAlertRepository } from '../db/alerts';
import { openDatabase, type Database } from '../db/client';
import type { DatabaseConfig } from '../db/config';
import { createAlarmEndpoint, type FromWriter, type ToWriter, type WriterSettings } from './alarms';

const port = parentPort!;
const { settings, database } = workerData as { settings: WriterSettings; database: DatabaseConfig };
// the server applied the migrations already; a small pool: alarms are written one at a time
const db: Promise<Database> = openDatabase(database, { migrate: false, poolMax: 2 });
db.catch(() => {}); // the error is reported with each alarm that could not be written
const alerts = db.then((d) => createAlertRepository(d.prisma));
const handle = createAlarmEndpoint(settings, {
  raise: async (a) => (await alerts).raise(a),
  reply: (m: FromWriter) => port.postMessage(m),
  release: async () => (await db).close(),
});
port.on('message', (m: ToWriter) => handle(m));
port.postMessage({ type: 'ready' } satisfies FromWriter);
