// Checks worker of the server-side monitor (started by monitor.ts through bootWorker.mjs): the twins
// and safety checks of core.ts, off the server's event loop. Keep it this small.
import { parentPort, workerData } from 'node:worker_threads';
import { createMonitorEndpoint, type CoreSettings, type FromWorker, type ToWorker } from './core';

const port = parentPort!;
const handle = createMonitorEndpoint((workerData as { settings: CoreSettings }).settings, (m, transfer) => port.postMessage(m, transfer ?? []));
port.on('message', (m: ToWorker) => handle(m));
port.postMessage({ type: 'ready' } satisfies FromWorker);
