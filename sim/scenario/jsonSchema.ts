/**
 * JSON Schema of the scenario language, generated from the zod schema (z.toJSONSchema), for the
 * Monaco JSON editor: descriptions become hover docs, `default`s and `examples` (step strings)
 * become completions, enums (parameter set names) complete too. Draft-07, the dialect Monaco's
 * JSON language service supports best. Step grammar errors are not expressible in JSON Schema;
 * they come from validateScenario/parseScenarioText with the same path.
 */
import { z } from 'zod';
import { ScenarioSchema } from './schema';
import { SystemScenarioSchema } from './system';

/** Stable id editors can use as the schema `uri` / `$schema` value. */
export const SCENARIO_SCHEMA_ID = 'https://twinbench.local/schemas/scenario-v1.json';

let cached: Record<string, unknown> | undefined;

export function scenarioJsonSchema(): Record<string, unknown> {
  if (!cached) {
    // either version: 1 (cell / pack experiment) or 2 (`"version": 2`: assets, faults, criteria)
    const schema = z.toJSONSchema(z.union([ScenarioSchema, SystemScenarioSchema]), {
      target: 'draft-7',
      io: 'input',
      unrepresentable: 'any',
      cycles: 'ref',
      reused: 'inline',
    }) as Record<string, unknown>;
    // Give the generated recursive definition (experiment items) a readable name.
    const text = JSON.stringify(schema).replace(/__schema0/g, 'ExperimentItem').replace(/__schema1/g, 'Asset');
    cached = { ...(JSON.parse(text) as Record<string, unknown>), $id: SCENARIO_SCHEMA_ID };
  }
  // A fresh copy each call so callers may mutate it.
  return JSON.parse(JSON.stringify(cached)) as Record<string, unknown>;
}
