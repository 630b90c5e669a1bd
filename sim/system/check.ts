/** Semantic checks of a schema-valid version-2 scenario (parameters substituted): see compile.ts. */
import type { SystemScenario } from '../scenario/system';
import type { ScenarioIssue } from '../scenario/validate';
import { compileSystem } from './compile';

export function checkSystemScenario(s: SystemScenario): ScenarioIssue[] {
  const r = compileSystem(s);
  return r.ok ? [] : r.issues;
}
