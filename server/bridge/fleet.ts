// Fleet view (issue 5, item 5): devices grouped by site with their status and latest values, and
// the alerts (server/db/alerts.ts). Served by server/http/fleet.ts (REST); alert changes are pushed
// to browsers in the /live room 'fleet' (event `alert`, after `fleet:watch`), which the Redis
// adapter carries to every server process.
//
// Status of a device:
//   connected  connected to /bridge (any process) and a batch arrived within `staleAfterS`
//   stale      connected, but no batch for longer than that (a stuck source, a full buffer ...)
//   offline    not connected
// Latest values / last data: this process's hub (every batch passes it, also from the other
// processes with scale-out); after a restart, once, the newest stored batch.
//
// Device alarms: a status message with state 'warning' or 'fault' opens (or repeats) an alert with
// the message's code (default DEVICE_WARNING / DEVICE_FAULT); the bridge repeats its status every
// 5 s, so only a change of state or code counts as a new occurrence. An alert resolved while its
// device still reports the condition opens again with the next repeat.
import type { Namespace } from 'socket.io';
import type { Sample, Status } from '../../sim/protocol/bridge';
import type { DeviceStatus, FleetDevice, FleetView } from '../../sim/protocol/fleet';
import { createAlertRepository, type AlertRecord, type AlertRepository, type AlertSeverity, type RaiseInput, type RaiseResult } from '../db/alerts';
import type { Database } from '../db/client';
import { createDeviceRepository, type DeviceRepository } from '../db/devices';
import { createSampleRepository, type SampleRepository } from '../db/samples';
import type { BridgeHub } from './hub';

export const FLEET_ROOM = 'fleet';
export type { DeviceStatus, FleetDevice, FleetView } from '../../sim/protocol/fleet';

export interface FleetOptions {
  staleAfterS?: number;
  log?: (msg: string, err?: unknown) => void;
}

export function staleAfterFromEnv(env: Record<string, string | undefined> = process.env): number {
  const v = Number(env.TWINBENCH_FLEET_STALE_S);
  return Number.isFinite(v) && v > 0 ? v : 15;
}

export class Fleet {
  readonly alerts: AlertRepository;
  readonly staleAfterS: number;
  private devices: DeviceRepository;
  private samples: SampleRepository;
  private hub: BridgeHub | null = null;
  private live: Namespace | null = null;
  private connectedIds: () => Promise<Set<string>> = async () => new Set();
  /** newest stored batch of devices this process has not seen data of (read once) */
  private stored = new Map<string, { sample: Sample; at: number } | null>();
  /** last alarm (state|code) per device, for status messages */
  private alarmKey = new Map<string, string>();
  private log: (msg: string, err?: unknown) => void;
  now: () => number = Date.now;

  constructor(db: Database, opts: FleetOptions = {}) {
    this.alerts = createAlertRepository(db.prisma);
    this.devices = createDeviceRepository(db.prisma);
    this.samples = createSampleRepository(db.prisma);
    this.staleAfterS = opts.staleAfterS ?? staleAfterFromEnv();
    this.log = opts.log ?? ((m, e) => (e === undefined ? console.log(`[fleet] ${m}`) : console.error(`[fleet] ${m}`, e)));
  }

  /** Called by the bridge wiring (server/realtime/bridge.ts). */
  attach(hub: BridgeHub, live: Namespace, connectedIds: () => Promise<Set<string>>): void {
    this.hub = hub;
    this.live = live;
    this.connectedIds = connectedIds;
    live.on('connection', (socket) => {
      socket.on('fleet:watch', (...args: unknown[]) => {
        void socket.join(FLEET_ROOM);
        const ack = args[args.length - 1];
        if (typeof ack === 'function') (ack as (a: unknown) => void)({ ok: true });
      });
      socket.on('fleet:unwatch', () => void socket.leave(FLEET_ROOM));
    });
  }

  async view(): Promise<FleetView> {
    const [list, online, active] = await Promise.all([this.devices.list(), this.connectedIds(), this.alerts.activeByDevice()]);
    const now = this.now();
    const staleMs = this.staleAfterS * 1000;
    const bySite = new Map<string, FleetDevice[]>();
    const counts = { devices: list.length, connected: 0, stale: 0, offline: 0, activeAlerts: 0 };
    for (const d of list) {
      const st = this.hub?.peek(d.id);
      let latest: Sample | null = st?.latest ?? null;
      let lastDataAt = st?.lastDataAt || 0;
      if (!latest) {
        const s = await this.storedLatest(d.id);
        if (s) {
          latest = s.sample;
          lastDataAt = s.at;
        }
      }
      const connected = online.has(d.id);
      const status: DeviceStatus = !connected ? 'offline' : lastDataAt > 0 && now - lastDataAt <= staleMs ? 'connected' : 'stale';
      counts[status]++;
      const a = active.get(d.id);
      counts.activeAlerts += a?.count ?? 0;
      const seen = Math.max(lastDataAt, d.lastSeenAt?.getTime() ?? 0);
      const ds = st?.status ?? null;
      const row: FleetDevice = {
        id: d.id,
        name: d.name,
        site: d.site,
        status,
        connected,
        lastSeenAt: seen ? new Date(seen).toISOString() : null,
        lastDataAt: lastDataAt ? new Date(lastDataAt).toISOString() : null,
        deviceState: ds ? { state: ds.state, ...(ds.message ? { message: ds.message } : {}), ...(ds.code ? { code: ds.code } : {}), at: new Date(ds.at).toISOString() } : null,
        latest: latest
          ? {
              t: latest.t,
              at: new Date(latest.r).toISOString(),
              values: d.channels.map((c, i) => {
                const v = latest!.v[i] ?? null;
                return { id: c.id, name: c.name, unit: c.unit, kind: c.kind, value: v, outOfRange: v !== null && (v < c.range[0] || v > c.range[1]) };
              }),
            }
          : null,
        alerts: { active: a?.count ?? 0, severity: a?.severity ?? null },
      };
      const arr = bySite.get(d.site);
      if (arr) arr.push(row);
      else bySite.set(d.site, [row]);
    }
    // named sites first (alphabetical, as the device list), devices without a site last
    const sites = [...bySite.entries()].sort(([a], [b]) => (a === '' ? 1 : b === '' ? -1 : a.localeCompare(b))).map(([site, devices]) => ({ site, devices }));
    return { now: new Date(now).toISOString(), staleAfterS: this.staleAfterS, counts, sites };
  }

  private async storedLatest(deviceId: string): Promise<{ sample: Sample; at: number } | null> {
    if (this.stored.has(deviceId)) return this.stored.get(deviceId)!;
    const [b] = await this.samples.recent(deviceId, 1);
    const v = b ? { sample: b.samples[b.samples.length - 1], at: b.storedAt.getTime() } : null;
    this.stored.set(deviceId, v);
    return v;
  }

  async raise(input: RaiseInput): Promise<RaiseResult> {
    const r = await this.alerts.raise(input);
    if (r.counted) this.push(r.alert);
    return r;
  }

  /** Pushes an alert recorded elsewhere (the server-side monitor's worker) to watching browsers. */
  publishAlert(alert: AlertRecord): void {
    this.push(alert);
  }

  async acknowledge(id: number, by: string): Promise<AlertRecord> {
    const a = await this.alerts.acknowledge(id, by);
    this.push(a);
    return a;
  }

  async resolve(id: number, by: string, note?: string): Promise<AlertRecord> {
    const a = await this.alerts.resolve(id, by, note);
    this.push(a);
    return a;
  }

  /** A status message of a device connected to this process. */
  deviceStatus(deviceId: string, status: Status): void {
    if (status.state !== 'warning' && status.state !== 'fault') {
      this.alarmKey.delete(deviceId);
      return;
    }
    const code = status.code ?? (status.state === 'fault' ? 'DEVICE_FAULT' : 'DEVICE_WARNING');
    const key = `${status.state}|${code}`;
    const severity: AlertSeverity = status.state === 'fault' ? 'alarm' : 'warning';
    const input: RaiseInput = { deviceId, source: 'device', code, severity, message: status.message ?? `the device reports ${status.state}` };
    const standing = this.alarmKey.get(deviceId) === key;
    this.alarmKey.set(deviceId, key);
    // one device's alarms are recorded in the order they came
    this.serial(deviceId, async () => {
      try {
        // the same standing condition is not a new occurrence, but if someone resolved its alert
        // while the device still reports it, it opens again
        if (standing && (await this.alerts.isOpen(deviceId, code))) return;
        await this.raise(input);
      } catch (err) {
        this.alarmKey.delete(deviceId);
        this.log(`recording the ${code} alert of ${deviceId} failed`, err);
      }
    });
  }

  private chains = new Map<string, Promise<void>>();

  private serial(deviceId: string, fn: () => Promise<void>): void {
    const next = (this.chains.get(deviceId) ?? Promise.resolve()).then(fn);
    this.chains.set(deviceId, next);
    void next.then(() => {
      if (this.chains.get(deviceId) === next) this.chains.delete(deviceId);
    });
  }

  private push(alert: AlertRecord): void {
    this.live?.to(FLEET_ROOM).emit('alert', alert);
  }
}
