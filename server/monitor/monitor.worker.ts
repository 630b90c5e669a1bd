// Worker thread of the server-side monitor (started by monitor.ts through monitorWorker.mjs): the
// twins and safety checks of core.ts, and the alarms written to the alert store through this
// thread's own database connection (server/db/alerts.ts on a Prisma client of its own), all off
// the server's event loop.
import { parentPort, workerData } from 'node:worker_threads';
import { createAlertRepository } from '../db/alerts';
import { openDatabase, type Database } from '../db/client';
import type { DatabaseConfig } from '../db/config';
import { createMonitorEndpoint, type EndpointSettings, type FromWorker, type ToWorker } from './core';

const port = parentPort!;
const { settings, database } = workerData as { settings: EndpointSettings; database: DatabaseConfig };
// the server applied the migrations already; a small pool: alarms are written one at a time
const db: Promise<Database> = openDatabase(database, { migrate: false, poolMax: 2 });
db.catch(() => {}); // the error is reported with each alarm that could not be written
const alerts = db.then((d) => createAlertRepository(d.prisma));
const handle = createMonitorEndpoint(settings, {
  raise: async (a) => (await alerts).raise(a),
  reply: (m: FromWorker, transfer?: ArrayBuffer[]) => port.postMessage(m, transfer ?? []),
  release: async () => (await db).close(),
});
port.on('message', (m: ToWorker) => handle(m));
port.postMessage({ type: 'ready' } satisfies FromWorker);
