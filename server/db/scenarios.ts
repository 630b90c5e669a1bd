// Scenario repository: content-addressed storage of shared scenarios (id = sha256 of the
// canonical JSON, computed by the caller with sim/scenario/hash). Writing the same scenario twice
// is a no-op that returns the stored row, also when two requests race.
import type { PrismaClient } from './client';

export interface ScenarioRecord {
  id: string;
  /** canonical JSON text */
  json: string;
  name: string;
  sizeBytes: number;
  createdAt: Date;
}

export interface ScenarioRepository {
  /** Stores the scenario unless a row with this id exists; `created` says which happened. */
  put(input: { id: string; json: string; name?: string }): Promise<{ created: boolean; record: ScenarioRecord }>;
  get(id: string): Promise<ScenarioRecord | null>;
}

export const SCENARIO_NAME_MAX = 200;

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'P2002';
}

export function createScenarioRepository(prisma: PrismaClient): ScenarioRepository {
  const get = (id: string) => prisma.scenario.findUnique({ where: { id } });
  return {
    get,
    async put({ id, json, name = '' }) {
      const existing = await get(id);
      if (existing) return { created: false, record: existing };
      try {
        const record = await prisma.scenario.create({
          data: {
            id,
            json,
            name: name.slice(0, SCENARIO_NAME_MAX),
            sizeBytes: Buffer.byteLength(json, 'utf8'),
          },
        });
        return { created: true, record };
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
        const raced = await get(id);
        if (!raced) throw err;
        return { created: false, record: raced };
      }
    },
  };
}
