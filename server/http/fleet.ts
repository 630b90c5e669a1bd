// Fleet view REST API (issue 5, item 5; service: server/bridge/fleet.ts, store: server/db/alerts.ts)
//   GET  /api/fleet                               -> FleetView (devices by site, status, latest values)
//   GET  /api/alerts?view=active|resolved|all&deviceId=&limit=&offset=
//                                                 -> { alerts, total }
//   POST /api/alerts {deviceId, source: safety|twin, code, severity, message, atMs?, deviceT?, value?}
//                                                 -> 201 { alert, created, counted } (200 when not new)
//   POST /api/alerts/:id/acknowledge {by}         -> { alert }   (409 when not open)
//   POST /api/alerts/:id/resolve {by, note?}      -> { alert }   (409 when resolved already)
// Device alarms come from the devices' status messages (/bridge), not from here. Every body and
// query is validated with zod; errors are { error, issues } naming the path.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { ALERT_SEVERITIES, AlertStateError } from '../db/alerts';
import type { Fleet } from '../bridge/fleet';
import { TokenBucket } from '../bridge/rateLimit';
import { readJson } from './body';
import { HttpError, sendJson } from './respond';

const MAX_BODY_BYTES = 16 * 1024;
/** raising from browsers: live pages report alarm transitions, a few per minute each */
const raiseBucket = new TokenBucket(Number(process.env.TWINBENCH_ALERTS_PER_S) || 20, 100);

const deviceId = z.string().min(1).max(64).regex(/^[A-Za-z0-9.:-]+$/, 'a device id has letters, digits and . : - only');
const finite = z.number().refine(Number.isFinite, { message: 'must be a finite number' });
const person = z
  .string()
  .trim()
  .min(1, 'say who you are (a name or initials)')
  .max(60, 'at most 60 characters')
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'no control characters');

export const RaiseBodySchema = z
  .object({
    deviceId,
    source: z.enum(['safety', 'twin']),
    code: z.string().regex(/^[A-Z][A-Z0-9_]{0,47}$/, 'an alarm code is 1-48 characters A-Z, 0-9, _ and starts with a letter'),
    severity: z.enum(ALERT_SEVERITIES),
    message: z.string().max(500),
    /** occurrence time, ms since the epoch (the bridge receive time of the sample) */
    atMs: finite.refine((x) => x > 0, 'must be > 0').optional(),
    deviceT: finite.optional(),
    value: finite.optional(),
  })
  .strict();

export const AckBodySchema = z.object({ by: person }).strict();
export const ResolveBodySchema = z.object({ by: person, note: z.string().max(500).optional() }).strict();

export const AlertQuerySchema = z
  .object({
    view: z.enum(['active', 'resolved', 'all']).default('active'),
    deviceId: deviceId.optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  })
  .strict();

function parse<T>(schema: z.ZodType<T>, input: unknown, what: string): T {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issues = r.error.issues.slice(0, 20).map((i) => ({ path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)), message: i.message }));
  const first = issues[0];
  throw new HttpError(400, `invalid ${what}: ${first.path.length ? first.path.join('.') + ': ' : ''}${first.message}`, issues);
}

function stateError(err: unknown): never {
  if (err instanceof AlertStateError) throw new HttpError(err.status, err.message);
  throw err;
}

/** Routes /api/fleet and /api/alerts...; false for other paths. */
export async function handleFleet(req: IncomingMessage, res: ServerResponse, pathname: string, method: string, fleet: Fleet): Promise<boolean> {
  const allow = (m: string) => {
    res.setHeader('Allow', m);
    return new HttpError(405, `method not allowed (allowed: ${m})`);
  };
  if (pathname === '/api/fleet') {
    if (method !== 'GET') throw allow('GET');
    sendJson(res, 200, await fleet.view());
    return true;
  }
  if (pathname === '/api/alerts' || pathname === '/api/alerts/') {
    if (method === 'GET') {
      const url = new URL(req.url ?? '/', 'http://x');
      const q = parse(AlertQuerySchema, Object.fromEntries(url.searchParams), 'query');
      sendJson(res, 200, await fleet.alerts.list(q));
      return true;
    }
    if (method !== 'POST') throw allow('GET, POST');
    const t = raiseBucket.take(1);
    if (!t.ok) throw new HttpError(429, `too many alerts reported; retry in ${t.retryAfterMs} ms`);
    const body = parse(RaiseBodySchema, await readJson(req, MAX_BODY_BYTES), 'alert');
    let r;
    try {
      r = await fleet.raise(body);
    } catch (err) {
      // the device is unknown (or was removed): the foreign key refuses the alert
      if (typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'P2003') throw new HttpError(404, `unknown device '${body.deviceId}'`);
      throw err;
    }
    sendJson(res, r.created ? 201 : 200, r);
    return true;
  }
  const m = /^\/api\/alerts\/([^/]+)\/(acknowledge|resolve)$/.exec(pathname);
  if (m) {
    if (method !== 'POST') throw allow('POST');
    const id = Number(m[1]);
    if (!Number.isSafeInteger(id) || id < 1) throw new HttpError(400, `invalid alert id '${decodeURIComponent(m[1]).slice(0, 40)}': a positive integer`);
    const raw = await readJson(req, MAX_BODY_BYTES);
    if (m[2] === 'acknowledge') {
      const b = parse(AckBodySchema, raw, 'acknowledge');
      sendJson(res, 200, { alert: await fleet.acknowledge(id, b.by).catch(stateError) });
    } else {
      const b = parse(ResolveBodySchema, raw, 'resolve');
      sendJson(res, 200, { alert: await fleet.resolve(id, b.by, b.note?.trim() ?? '').catch(stateError) });
    }
    return true;
  }
  if (pathname.startsWith('/api/alerts/')) throw new HttpError(404, 'not found');
  return false;
}
