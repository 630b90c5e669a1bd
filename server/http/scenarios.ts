// POST /api/scenarios          body = scenario JSON -> 201 { id, url } (200 if already stored)
// GET  /api/scenarios/:id      -> { id, scenario, createdAt } | 404 { error: 'not found' }
//
// The id is the scenario's content hash (sim/scenario/hash: sha256 of its canonical JSON), so
// sharing is idempotent and a link always reproduces the same scenario. The canonical JSON of
// the validated scenario is stored, i.e. exactly what was hashed (without the editor-only
// "$schema" key).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { canonicalScenarioJson, scenarioHash } from '../../sim/scenario/hash';
import { MAX_SCENARIO_BYTES, validateScenario } from '../../sim/scenario/validate';
import type { ScenarioRepository } from '../db/scenarios';
import { readJson } from './body';
import { HttpError, sendJson } from './respond';

/** Largest accepted scenario body: the scenario language's own 1 MB limit (the editor's too). */
export const MAX_SCENARIO_BODY_BYTES = MAX_SCENARIO_BYTES;

/** Deeper JSON than this is refused before validation (recursive validators would overflow the
 * stack; real scenarios nest a few levels, repeat blocks a handful). */
export const MAX_JSON_DEPTH = 64;

/** Nesting depth of a parsed JSON value, computed without recursion. */
export function jsonDepth(value: unknown, stopAt = Infinity): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d > max) max = d;
    if (max > stopAt) return max;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, d + 1]);
  }
  return max;
}

export const ScenarioIdSchema = z
  .string()
  .regex(/^[0-9a-fA-F]{64}$/, 'a scenario id is 64 hexadecimal characters')
  .transform((s) => s.toLowerCase());

export function parseScenarioId(raw: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    throw new HttpError(400, 'invalid scenario id: a scenario id is 64 hexadecimal characters');
  }
  const r = ScenarioIdSchema.safeParse(decoded);
  if (!r.success) throw new HttpError(400, `invalid scenario id: ${r.error.issues[0]?.message}`);
  return r.data;
}

export async function postScenario(
  req: IncomingMessage,
  res: ServerResponse,
  repo: ScenarioRepository,
): Promise<void> {
  const body = await readJson(req, MAX_SCENARIO_BODY_BYTES);
  if (jsonDepth(body, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
    const message = `scenario is nested more than ${MAX_JSON_DEPTH} levels deep`;
    throw new HttpError(422, message, [{ path: [], message }]);
  }
  const v = validateScenario(body);
  if (!v.ok) {
    throw new HttpError(422, `invalid scenario (${v.issues.length} issue${v.issues.length === 1 ? '' : 's'})`, v.issues);
  }
  const id = scenarioHash(v.scenario);
  const json = canonicalScenarioJson(v.scenario);
  const rawName = (v.scenario as { name?: unknown }).name;
  const { created } = await repo.put({ id, json, name: typeof rawName === 'string' ? rawName : '' });
  sendJson(res, created ? 201 : 200, { id, url: `/s/${id}` }, { Location: `/api/scenarios/${id}` });
}

export async function getScenario(res: ServerResponse, repo: ScenarioRepository, rawId: string): Promise<void> {
  const id = parseScenarioId(rawId);
  const rec = await repo.get(id);
  if (!rec) throw new HttpError(404, 'not found');
  sendJson(res, 200, { id: rec.id, scenario: JSON.parse(rec.json) as unknown, createdAt: rec.createdAt.toISOString() });
}
