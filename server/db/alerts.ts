// Alerts of the fleet view (issue 5, item 5): raised by devices (status messages), the safety
// monitor and twin residual alarms (both raised on the live page), acknowledged and resolved by a
// person; resolved alerts are the history.
//
// De-duplication: at most one open (or acknowledged) alert per device and code, enforced by the
// unique `openKey` column ('<deviceId>|<code>' until resolved, then NULL), so two server processes
// or two browsers reporting the same alarm cannot open two. A repeat counts up. An occurrence that
// is not later than the last one recorded (of the open alert, or of the newest resolved one when
// none is open) is a re-report of something already known (a second browser, the history replay
// of the live page) and changes nothing. Occurrence times are the reporter's clock (the bridge's
// receive time of the sample) when given, else the server's.
import { ALERT_SEVERITIES, type AlertRecord, type AlertSeverity, type AlertSource, type AlertState } from '../../sim/protocol/fleet';
import type { PrismaClient } from './client';

export { ALERT_SEVERITIES, ALERT_SOURCES, ALERT_STATES } from '../../sim/protocol/fleet';
export type { AlertRecord, AlertSeverity, AlertSource, AlertState } from '../../sim/protocol/fleet';

export interface RaiseInput {
  deviceId: string;
  source: AlertSource;
  code: string;
  severity: AlertSeverity;
  message: string;
  /** occurrence time, ms since the epoch (reporter's clock); default now */
  atMs?: number;
  deviceT?: number | null;
  value?: number | null;
}

export interface RaiseResult {
  alert: AlertRecord;
  /** a new alert was opened */
  created: boolean;
  /** the occurrence was counted (new alert or repeat); false for a re-report */
  counted: boolean;
}

/** Why an acknowledge / resolve did not happen. */
export class AlertStateError extends Error {
  constructor(
    readonly status: 404 | 409,
    message: string,
  ) {
    super(message);
  }
}

export interface AlertRepository {
  raise(input: RaiseInput): Promise<RaiseResult>;
  acknowledge(id: number, by: string, now?: Date): Promise<AlertRecord>;
  resolve(id: number, by: string, note?: string, now?: Date): Promise<AlertRecord>;
  get(id: number): Promise<AlertRecord | null>;
  /** whether the device has an open (or acknowledged) alert with this code */
  isOpen(deviceId: string, code: string): Promise<boolean>;
  /** active: open + acknowledged, newest occurrence first; resolved: newest resolution first */
  list(q: { view: 'active' | 'resolved' | 'all'; deviceId?: string; limit: number; offset?: number }): Promise<{ alerts: AlertRecord[]; total: number }>;
  /** open + acknowledged alerts per device, with the highest severity */
  activeByDevice(): Promise<Map<string, { count: number; severity: AlertSeverity }>>;
}

const RANK: Record<string, number> = { info: 0, warning: 1, alarm: 2, trip: 3 };
export const severityRank = (s: string): number => RANK[s] ?? 0;

type Row = {
  id: number;
  deviceId: string;
  source: string;
  code: string;
  severity: string;
  message: string;
  state: string;
  count: number;
  firstAt: Date;
  lastAt: Date;
  deviceT: number | null;
  value: number | null;
  createdAt: Date;
  ackBy: string | null;
  ackAt: Date | null;
  resolvedBy: string | null;
  resolvedAt: Date | null;
  resolveNote: string;
  device: { name: string; site: string };
};

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function toRecord(r: Row): AlertRecord {
  return {
    id: r.id,
    deviceId: r.deviceId,
    deviceName: r.device.name,
    site: r.device.site,
    source: r.source as AlertSource,
    code: r.code,
    severity: r.severity as AlertSeverity,
    message: r.message,
    state: r.state as AlertState,
    count: r.count,
    firstAt: r.firstAt.toISOString(),
    lastAt: r.lastAt.toISOString(),
    deviceT: r.deviceT,
    value: r.value,
    createdAt: r.createdAt.toISOString(),
    ackBy: r.ackBy,
    ackAt: iso(r.ackAt),
    resolvedBy: r.resolvedBy,
    resolvedAt: iso(r.resolvedAt),
    resolveNote: r.resolveNote,
  };
}

const include = { device: { select: { name: true, site: true } } } as const;

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'P2002';
}

export const openKeyOf = (deviceId: string, code: string) => `${deviceId}|${code}`;

export function createAlertRepository(prisma: PrismaClient): AlertRepository {
  const get = async (id: number) => {
    const r = await prisma.alert.findUnique({ where: { id }, include });
    return r ? toRecord(r) : null;
  };
  const explain = async (id: number, action: string): Promise<never> => {
    const a = await get(id);
    if (!a) throw new AlertStateError(404, `alert ${id} does not exist`);
    const who = a.state === 'resolved' ? `resolved by ${a.resolvedBy} at ${a.resolvedAt}` : `acknowledged by ${a.ackBy} at ${a.ackAt}`;
    throw new AlertStateError(409, `alert ${id} cannot be ${action}: it was ${who}`);
  };

  return {
    get,
    async isOpen(deviceId, code) {
      return (await prisma.alert.findUnique({ where: { openKey: openKeyOf(deviceId, code) }, select: { id: true } })) !== null;
    },
    async raise(input) {
      const key = openKeyOf(input.deviceId, input.code);
      const reported = input.atMs !== undefined;
      const at = new Date(input.atMs ?? Date.now());
      const lower = ALERT_SEVERITIES.filter((x) => severityRank(x) < severityRank(input.severity));
      for (let attempt = 0; attempt < 3; attempt++) {
        // a repeat: one conditional UPDATE, so concurrent reports are counted once each and only
        // when newer than the newest recorded (the database re-checks the condition under its lock)
        const u = await prisma.alert.updateMany({
          where: { openKey: key, lastAt: { lt: at } },
          data: { count: { increment: 1 }, lastAt: at, message: input.message, deviceT: input.deviceT ?? null, value: input.value ?? null },
        });
        if (u.count === 1) {
          if (lower.length) await prisma.alert.updateMany({ where: { openKey: key, severity: { in: lower } }, data: { severity: input.severity } });
          const r = await prisma.alert.findUnique({ where: { openKey: key }, include });
          if (r) return { alert: toRecord(r), created: false, counted: true };
          continue; // resolved in between: look again
        }
        const open = await prisma.alert.findUnique({ where: { openKey: key }, include });
        if (open) return { alert: toRecord(open), created: false, counted: false }; // a re-report
        if (reported) {
          const last = await prisma.alert.findFirst({
            where: { deviceId: input.deviceId, code: input.code, state: 'resolved' },
            orderBy: { lastAt: 'desc' },
            include,
          });
          if (last && at.getTime() <= last.lastAt.getTime()) return { alert: toRecord(last), created: false, counted: false };
        }
        try {
          const r = await prisma.alert.create({
            data: {
              deviceId: input.deviceId,
              source: input.source,
              code: input.code,
              severity: input.severity,
              message: input.message,
              firstAt: at,
              lastAt: at,
              deviceT: input.deviceT ?? null,
              value: input.value ?? null,
              openKey: key,
            },
            include,
          });
          return { alert: toRecord(r), created: true, counted: true };
        } catch (err) {
          // another report opened it first: count this one as its repeat (next attempt)
          if (!isUniqueViolation(err)) throw err;
        }
      }
      throw new Error(`could not record alert ${input.code} of device ${input.deviceId}: too many concurrent changes, try again`);
    },
    async acknowledge(id, by, now = new Date()) {
      const u = await prisma.alert.updateMany({ where: { id, state: 'open' }, data: { state: 'acknowledged', ackBy: by, ackAt: now } });
      if (u.count === 0) return explain(id, 'acknowledged');
      return (await get(id))!;
    },
    async resolve(id, by, note = '', now = new Date()) {
      const u = await prisma.alert.updateMany({
        where: { id, state: { in: ['open', 'acknowledged'] } },
        data: { state: 'resolved', resolvedBy: by, resolvedAt: now, resolveNote: note, openKey: null },
      });
      if (u.count === 0) return explain(id, 'resolved');
      return (await get(id))!;
    },
    async list({ view, deviceId, limit, offset = 0 }) {
      const where = {
        ...(deviceId ? { deviceId } : {}),
        ...(view === 'active' ? { state: { in: ['open', 'acknowledged'] } } : view === 'resolved' ? { state: 'resolved' } : {}),
      };
      const orderBy = view === 'resolved' ? [{ resolvedAt: 'desc' as const }, { id: 'desc' as const }] : [{ lastAt: 'desc' as const }, { id: 'desc' as const }];
      const [rows, total] = await Promise.all([prisma.alert.findMany({ where, orderBy, take: limit, skip: offset, include }), prisma.alert.count({ where })]);
      return { alerts: rows.map(toRecord), total };
    },
    async activeByDevice() {
      const rows = await prisma.alert.findMany({ where: { state: { in: ['open', 'acknowledged'] } }, select: { deviceId: true, severity: true } });
      const out = new Map<string, { count: number; severity: AlertSeverity }>();
      for (const r of rows) {
        const e = out.get(r.deviceId);
        if (!e) out.set(r.deviceId, { count: 1, severity: r.severity as AlertSeverity });
        else {
          e.count++;
          if (severityRank(r.severity) > severityRank(e.severity)) e.severity = r.severity as AlertSeverity;
        }
      }
      return out;
    },
  };
}
