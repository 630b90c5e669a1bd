// The server's own HTTP routes. Returns false for every other path (they go to Next.js).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Fleet } from '../bridge/fleet';
import { bridgeMetrics } from '../bridge/metrics';
import type { Database } from '../db/client';
import { handleFleet } from './fleet';
import { getHealth, type VersionInfo } from './health';
import { HttpError, sendError } from './respond';
import { getScenario, postScenario } from './scenarios';
import { DATA_ROUTE, getDataFile } from './data';

export interface ApiContext extends VersionInfo {
  db: Database;
  log: (msg: string, err?: unknown) => void;
  /** fleet view (/api/fleet, /api/alerts) */
  fleet?: Fleet;
}

export type ApiHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

function methodNotAllowed(allow: string): HttpError {
  const e = new HttpError(405, `method not allowed (allowed: ${allow})`);
  return e;
}

export function createApiHandler(ctx: ApiContext): ApiHandler {
  return async (req, res) => {
    const pathname = (req.url ?? '/').split('?')[0] ?? '/';
    const method = req.method ?? 'GET';
    try {
      if (pathname === '/health') {
        if (method !== 'GET' && method !== 'HEAD') throw methodNotAllowed('GET, HEAD');
        await getHealth(res, ctx.db, ctx);
        return true;
      }
      if (pathname === '/metrics') {
        if (method !== 'GET' && method !== 'HEAD') throw methodNotAllowed('GET, HEAD');
        res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8', 'Cache-Control': 'no-store' });
        res.end(method === 'HEAD' ? undefined : bridgeMetrics.render());
        return true;
      }
      if (pathname === '/api/scenarios' || pathname === '/api/scenarios/') {
        if (method !== 'POST') {
          res.setHeader('Allow', 'POST');
          throw methodNotAllowed('POST');
        }
        await postScenario(req, res, ctx.db.scenarios);
        return true;
      }
      if (pathname.startsWith('/api/scenarios/')) {
        const rest = pathname.slice('/api/scenarios/'.length);
        if (rest.includes('/')) throw new HttpError(404, 'not found');
        if (method !== 'GET' && method !== 'HEAD') {
          res.setHeader('Allow', 'GET, HEAD');
          throw methodNotAllowed('GET, HEAD');
        }
        await getScenario(res, ctx.db.scenarios, rest);
        return true;
      }
      if (pathname.startsWith(DATA_ROUTE)) {
        if (method !== 'GET' && method !== 'HEAD') {
          res.setHeader('Allow', 'GET, HEAD');
          throw methodNotAllowed('GET, HEAD');
        }
        await getDataFile(res, pathname.slice(DATA_ROUTE.length), method === 'HEAD');
        return true;
      }
      if (ctx.fleet && (pathname === '/api/fleet' || pathname.startsWith('/api/alerts'))) {
        return await handleFleet(req, res, pathname, method, ctx.fleet);
      }
      return false;
    } catch (err) {
      sendError(res, err, ctx.log);
      return true;
    }
  };
}
