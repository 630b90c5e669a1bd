// Boot of the monitor's worker thread: a worker thread does not inherit the tsx loader the
// server runs under (scripts/serverBoot.mjs registers it through its API), so it registers it
// itself, then loads the TypeScript entry (monitor.worker.ts).
import { register } from 'tsx/esm/api';

register();
await import('./monitor.worker.ts');
