// The real engine, as RunnerImpl's dependencies (imported only inside the worker and in tests).
import { ENGINE_VERSION, startRun } from '../../sim/engine/run';
import { runToCsv } from '../../sim/engine/csv';
import { validateScenario } from '../../sim/scenario/validate';
import type { EngineDeps } from './RunnerImpl';

export const engineDeps: EngineDeps = {
  engineVersion: ENGINE_VERSION,
  validateScenario,
  startRun,
  runToCsv,
};
