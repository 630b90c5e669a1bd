/**
 * Scenario identity. scenarioHash(s) = hex SHA-256 of the canonical JSON (sorted keys, no
 * whitespace, numbers as JS prints them; ../core/canonicalJson) of the scenario AS WRITTEN,
 * after JSON parsing and validation, without the editor-only "$schema" key.
 *
 * Decisions (see docs/scenario-language.md):
 * - Defaults are NOT filled in before hashing: the schema has no zod defaults, so the validated
 *   scenario is what the author wrote. Omitting "seed" and writing "seed": 1 are different
 *   documents with different ids (they run identically under the same engine version).
 * - Key order, whitespace and number spelling (1.0 vs 1, 1e3 vs 1000) do not change the hash.
 * - Step strings are hashed verbatim ("1C" and "1 C" differ).
 */
import { canonicalJson } from '../core/canonicalJson';
import { sha256Hex } from '../core/sha256';
import type { AnyScenario as Scenario } from './validate';

/** Canonical JSON of a scenario, as hashed (without "$schema"). */
export function canonicalScenarioJson(s: Scenario): string {
  const { $schema: _ignored, ...rest } = s as Scenario & { $schema?: string };
  return canonicalJson(rest);
}

/** 64 lowercase hex digits; equal for documents that differ only in key order or whitespace. */
export function scenarioHash(s: Scenario): string {
  return sha256Hex(canonicalScenarioJson(s));
}
