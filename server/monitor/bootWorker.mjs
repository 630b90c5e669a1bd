// Boot of the monitor's worker threads. A worker thread does not inherit the tsx loader the server
// runs under (scripts/serverBoot.mjs registers it through its API), so it registers it itself,
// then loads its TypeScript entry (workerData.entry: a file URL, monitor.worker.ts or
// alarmWriter.worker.ts).
//
// On Linux the thread first lowers its own scheduling priority by workerData.nice (setpriority on
// its thread id, /proc/thread-self): when the CPU is contended, the server's event loop (devices,
// acks, browsers) runs first and the monitor takes what is left. Elsewhere it runs at the
// server's priority.
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

const nice = Number(workerData.nice ?? 0);
if (nice > 0 && process.platform === 'linux') {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, Math.min(19, getPriority(tid) + nice));
  } catch {
    // no /proc or not permitted: run at the server's priority
  }
}
register();
await import(workerData.entry);
