// The real engines, as RunnerImpl's dependencies (imported only inside the worker and in tests):
// sim/engine for version-1 scenarios, sim/system for version 2.
import { ENGINE_VERSION, startRun } from '../../sim/engine/run';
import { runToCsv } from '../../sim/engine/csv';
import { isSystemScenario, validateScenario } from '../../sim/scenario/validate';
import { profileFilesOf, startSystemRun } from '../../sim/system/run';
import type { EngineDeps } from './RunnerImpl';

export const engineDeps: EngineDeps = {
  engineVersion: ENGINE_VERSION,
  validateScenario,
  startRun,
  isSystemScenario,
  startSystemRun,
  profileFilesOf,
  runToCsv,
};
