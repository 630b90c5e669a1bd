// GET /health -> { status: 'ok', version, engineVersion, database: { kind, ok } }
// 200 when the database answers, 503 (same body, status 'degraded') when it does not, so load
// balancers and `curl -f` see the difference.
import type { ServerResponse } from 'node:http';
import type { Database } from '../db/client';
import { sendJson } from './respond';

export interface VersionInfo {
  version: string;
  engineVersion: string;
}

export async function getHealth(res: ServerResponse, db: Database, v: VersionInfo): Promise<void> {
  const ok = await db.ping(2000);
  sendJson(res, ok ? 200 : 503, {
    status: ok ? 'ok' : 'degraded',
    version: v.version,
    engineVersion: v.engineVersion,
    database: { kind: db.kind, ok },
  });
}
