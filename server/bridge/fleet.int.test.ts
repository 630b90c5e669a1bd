// Fleet view on the real server (Next disabled) against SQLite and PostgreSQL: devices by site with
// status and latest values, alerts from device status messages and from browsers (safety / twin),
// de-duplication (one open alert per device + code, repeats counted, re-reports ignored, also
// under concurrency), acknowledge / resolve with who and when, history, pushes to watching
// browsers, and validation errors that name the path.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as ioClient, type Socket as ClientSocket } from 'socket.io-client';
import { PROTOCOL_VERSION, type Hello } from '../../sim/protocol/bridge';
import { createServer, type TwinbenchServer } from '../app';
import type { AlertRecord } from '../db/alerts';
import { openDatabase, type Database } from '../db/client';
import { createDeviceRepository } from '../db/devices';
import { createTestConfig } from '../db/testing';
import type { FleetView } from './fleet';

const STALE_S = 1.5;

for (const kind of ['sqlite', 'postgresql'] as const) {
  describe(`fleet view (${kind})`, () => {
    let cleanup: () => unknown = () => {};
    let db: Database;
    let server: TwinbenchServer;
    let base: string;
    const dev: Record<'a' | 'b' | 'c', { id: string; token: string }> = {} as never;
    const sockets: ClientSocket[] = [];

    beforeAll(async () => {
      const t = await createTestConfig(kind);
      cleanup = t.cleanup;
      db = await openDatabase(t.config);
      expect(db.migrations.applied).toContain('0003_fleet_alerts');
      process.env.TWINBENCH_FLEET_STALE_S = String(STALE_S);
      server = await createServer({ next: false, db, log: () => {} });
      delete process.env.TWINBENCH_FLEET_STALE_S;
      base = (await server.listen(0, '127.0.0.1')).url;
      const repo = createDeviceRepository(db.prisma);
      for (const [k, name, site] of [['a', 'tester 1', 'north'], ['b', 'bms 7', 'south'], ['c', 'logger', '']] as const) {
        const r = await repo.add({ name, site });
        dev[k] = { id: r.device.id, token: r.token };
      }
    });

    afterAll(async () => {
      for (const s of sockets) s.close();
      await server?.close(0);
      await db?.close();
      await cleanup();
    });

    const connect = (nsp: string, auth?: object) =>
      new Promise<ClientSocket>((resolve, reject) => {
        const s = ioClient(`${base}${nsp}`, { transports: ['websocket'], reconnection: false, forceNew: true, auth });
        sockets.push(s);
        s.once('connect', () => resolve(s));
        s.once('connect_error', reject);
      });
    const api = async (path: string, body?: unknown) => {
      const r = await fetch(`${base}${path}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: r.status, body: (await r.json()) as Record<string, unknown> };
    };
    const fleet = async () => (await api('/api/fleet')).body as unknown as FleetView;
    const find = (v: FleetView, id: string) => v.sites.flatMap((s) => s.devices).find((d) => d.id === id)!;
    const hello = (deviceId: string): Hello => ({
      protocol: PROTOCOL_VERSION,
      deviceId,
      channels: [
        { id: 'i', name: 'current', unit: 'A', kind: 'current', range: [-10, 10] },
        { id: 'v', name: 'voltage', unit: 'V', kind: 'voltage', range: [2.5, 4.2] },
      ],
    });

    it('groups devices by site with status, last seen and latest values', async () => {
      let v = await fleet();
      expect(v.sites.map((s) => s.site)).toEqual(['north', 'south', '']);
      expect(v.counts).toMatchObject({ devices: 3, connected: 0, offline: 3, activeAlerts: 0 });
      expect(find(v, dev.a.id)).toMatchObject({ status: 'offline', latest: null, lastSeenAt: null });

      const a = await connect('/bridge', { token: dev.a.token });
      expect(await a.emitWithAck('hello', hello(dev.a.id))).toMatchObject({ ok: true });
      v = await fleet();
      expect(find(v, dev.a.id)).toMatchObject({ status: 'stale', connected: true }); // connected, no data yet
      const r = Date.now();
      expect(await a.emitWithAck('batch', { seq: 0, samples: [{ t: 1, r: r - 100, v: [1, 3.7] }, { t: 2, r, v: [-2.5, 4.5] }] })).toMatchObject({ ok: true });
      v = await fleet();
      const da = find(v, dev.a.id);
      expect(da).toMatchObject({ status: 'connected', site: 'north', name: 'tester 1' });
      expect(da.latest).toEqual({
        t: 2,
        at: new Date(r).toISOString(),
        values: [
          { id: 'i', name: 'current', unit: 'A', kind: 'current', value: -2.5, outOfRange: false },
          { id: 'v', name: 'voltage', unit: 'V', kind: 'voltage', value: 4.5, outOfRange: true },
        ],
      });
      expect(Date.parse(da.lastSeenAt!)).toBeGreaterThanOrEqual(Date.parse(da.lastDataAt!));
      expect(v.counts).toMatchObject({ connected: 1, offline: 2 });
      // no data for longer than the stale time: stale
      await new Promise((res) => setTimeout(res, STALE_S * 1000 + 300));
      expect(find(await fleet(), dev.a.id).status).toBe('stale');
      a.close();
      await new Promise((res) => setTimeout(res, 200));
      const off = find(await fleet(), dev.a.id);
      expect(off).toMatchObject({ status: 'offline', connected: false, deviceState: { state: 'offline' } });
      expect(off.latest?.t).toBe(2); // the last values stay visible
    });

    it('opens one alert per device + code from status messages, counts changes, pushes to watchers', async () => {
      const watcher = await connect('/live');
      expect(await watcher.emitWithAck('fleet:watch')).toEqual({ ok: true });
      const pushed: AlertRecord[] = [];
      watcher.on('alert', (x: AlertRecord) => pushed.push(x));

      const b = await connect('/bridge', { token: dev.b.token });
      expect(await b.emitWithAck('hello', hello(dev.b.id))).toMatchObject({ ok: true });
      expect(await b.emitWithAck('status', { state: 'fault', code: 'CELL_OV', message: 'cell 3 at 4.31 V' })).toEqual({ ok: true });
      expect(await b.emitWithAck('status', { state: 'fault', code: 'CELL_OV', message: 'cell 3 at 4.32 V' })).toEqual({ ok: true }); // the same condition
      expect(await b.emitWithAck('status', { state: 'ok' })).toEqual({ ok: true });
      expect(await b.emitWithAck('status', { state: 'fault', code: 'CELL_OV', message: 'cell 3 at 4.30 V' })).toEqual({ ok: true }); // again
      expect(await b.emitWithAck('status', { state: 'warning', message: 'fan slow' })).toEqual({ ok: true });
      expect((await b.emitWithAck('status', { state: 'fault', code: 'bad code' })) as { ok: boolean }).toMatchObject({ ok: false });
      await new Promise((res) => setTimeout(res, 300));

      const list = (await api(`/api/alerts?view=active&deviceId=${dev.b.id}`)).body as { alerts: AlertRecord[]; total: number };
      expect(list.total).toBe(2);
      const ov = list.alerts.find((x) => x.code === 'CELL_OV')!;
      expect(ov).toMatchObject({ source: 'device', severity: 'alarm', state: 'open', count: 2, message: 'cell 3 at 4.30 V', deviceName: 'bms 7', site: 'south' });
      expect(list.alerts.find((x) => x.code === 'DEVICE_WARNING')).toMatchObject({ severity: 'warning', count: 1, message: 'fan slow' });
      expect(pushed.map((x) => `${x.code}:${x.count}`)).toEqual(['CELL_OV:1', 'CELL_OV:2', 'DEVICE_WARNING:1']);
      const v = await fleet();
      expect(find(v, dev.b.id).alerts).toEqual({ active: 2, severity: 'alarm' });
      expect(find(v, dev.b.id).deviceState).toMatchObject({ state: 'warning', message: 'fan slow' });
      // resolved while the device still reports it: the next repeat opens a new alert
      const warn = list.alerts.find((x) => x.code === 'DEVICE_WARNING')!;
      expect((await api(`/api/alerts/${warn.id}/resolve`, { by: 'Ada' })).status).toBe(200);
      expect(await b.emitWithAck('status', { state: 'warning', message: 'fan slow' })).toEqual({ ok: true });
      await new Promise((res) => setTimeout(res, 300));
      const again = ((await api(`/api/alerts?view=active&deviceId=${dev.b.id}`)).body.alerts as AlertRecord[]).find((x) => x.code === 'DEVICE_WARNING');
      expect(again).toMatchObject({ state: 'open', count: 1 });
      expect(again!.id).not.toBe(warn.id);
      b.close();
    });

    it('takes safety / twin alerts from browsers: de-duplicated, acknowledged and resolved, kept as history', async () => {
      const t0 = Date.now() - 60_000;
      const raise = (atMs: number, extra: object = {}) =>
        api('/api/alerts', { deviceId: dev.c.id, source: 'twin', code: 'RESIDUAL_V', severity: 'warning', message: 'residual beyond 50 mV for 5 s', atMs, deviceT: 130.5, value: 0.071, ...extra });
      const first = await raise(t0);
      expect(first.status).toBe(201);
      expect(first.body).toMatchObject({ created: true, counted: true, alert: { state: 'open', count: 1, deviceT: 130.5, value: 0.071, firstAt: new Date(t0).toISOString() } });
      const id = (first.body.alert as AlertRecord).id;
      // the same occurrence again (a second browser, the history replay): nothing changes
      expect((await raise(t0)).body).toMatchObject({ created: false, counted: false, alert: { id, count: 1 } });
      expect((await raise(t0 + 5000, { severity: 'alarm' })).body).toMatchObject({ created: false, counted: true, alert: { id, count: 2, severity: 'alarm' } });
      expect((await raise(t0 + 6000, { severity: 'warning' })).body).toMatchObject({ alert: { count: 3, severity: 'alarm' } }); // the highest stays

      // concurrent reports: still one open alert; each report that was newer than the newest
      // recorded when it was applied is counted exactly once (older ones are re-reports)
      const many = await Promise.all(Array.from({ length: 8 }, (_, k) => raise(t0 + 10_000 + k)));
      expect(many.every((r) => r.status === 200 && (r.body.alert as AlertRecord).id === id)).toBe(true);
      const counted = many.filter((r) => r.body.counted).length;
      expect(counted).toBeGreaterThanOrEqual(1);
      const active = (await api(`/api/alerts?deviceId=${dev.c.id}`)).body.alerts as AlertRecord[];
      expect(active.map((x) => [x.id, x.count, x.lastAt])).toEqual([[id, 3 + counted, new Date(t0 + 10_007).toISOString()]]);
      const total = 3 + counted;

      const ack = await api(`/api/alerts/${id}/acknowledge`, { by: '  Ada  ' });
      expect(ack.status).toBe(200);
      expect(ack.body.alert).toMatchObject({ state: 'acknowledged', ackBy: 'Ada' });
      expect(Math.abs(Date.parse((ack.body.alert as AlertRecord).ackAt!) - Date.now())).toBeLessThan(10_000);
      const again = await api(`/api/alerts/${id}/acknowledge`, { by: 'Bob' });
      expect(again.status).toBe(409);
      expect(again.body.error).toMatch(/acknowledged by Ada/);
      // a repeat while acknowledged counts, the alert stays acknowledged
      expect((await raise(t0 + 20_000)).body).toMatchObject({ alert: { id, state: 'acknowledged', count: total + 1 } });

      const res = await api(`/api/alerts/${id}/resolve`, { by: 'Ada', note: 'sensor recalibrated' });
      expect(res.body.alert).toMatchObject({ state: 'resolved', resolvedBy: 'Ada', resolveNote: 'sensor recalibrated', ackBy: 'Ada' });
      expect((await api(`/api/alerts/${id}/resolve`, { by: 'Ada' })).status).toBe(409);
      const hist = (await api(`/api/alerts?view=resolved&deviceId=${dev.c.id}`)).body as { alerts: AlertRecord[]; total: number };
      expect(hist).toMatchObject({ total: 1, alerts: [{ id, resolvedBy: 'Ada', count: total + 1 }] });
      expect((await api(`/api/alerts?view=active&deviceId=${dev.c.id}`)).body.total).toBe(0);

      // an old occurrence reported after the resolve does not reopen it; a new one opens a new alert
      expect((await raise(t0 + 20_000)).body).toMatchObject({ created: false, counted: false, alert: { id } });
      const reopened = await raise(t0 + 30_000);
      expect(reopened.status).toBe(201);
      expect((reopened.body.alert as AlertRecord).id).not.toBe(id);
      // a safety alert is another code: its own alert
      const s = await api('/api/alerts', { deviceId: dev.c.id, source: 'safety', code: 'UV_ALARM', severity: 'alarm', message: 'UV_ALARM on cell: 2.44 V', atMs: t0 + 31_000 });
      expect(s.status).toBe(201);
      expect((await api(`/api/alerts?view=all&deviceId=${dev.c.id}`)).body.total).toBe(3);
      // concurrent first reports of a new code: exactly one alert is opened
      const burst = await Promise.all(
        Array.from({ length: 6 }, (_, k) => api('/api/alerts', { deviceId: dev.c.id, source: 'safety', code: 'OT_WARN', severity: 'warning', message: 'hot', atMs: t0 + 40_000 + k })),
      );
      expect(burst.filter((r) => r.body.created).length).toBe(1);
      expect(new Set(burst.map((r) => (r.body.alert as AlertRecord).id)).size).toBe(1);
    });

    it('refuses bad input with the path of the problem', async () => {
      const bad = await api('/api/alerts', { deviceId: dev.c.id, source: 'device', code: 'X', severity: 'warning', message: '' });
      expect(bad.status).toBe(400);
      expect(bad.body.issues).toEqual([expect.objectContaining({ path: ['source'] })]);
      const extra = await api('/api/alerts', { deviceId: dev.c.id, source: 'twin', code: 'X', severity: 'warning', message: '', sneaky: 1 });
      expect(extra.status).toBe(400);
      const code = await api('/api/alerts', { deviceId: dev.c.id, source: 'twin', code: 'lower', severity: 'warning', message: '' });
      expect(code.body.error).toMatch(/^invalid alert: code: an alarm code/);
      const unknown = await api('/api/alerts', { deviceId: 'nope', source: 'twin', code: 'X', severity: 'warning', message: '' });
      expect(unknown.status).toBe(404);
      expect((await api('/api/alerts/abc/resolve', { by: 'x' })).status).toBe(400);
      expect((await api('/api/alerts/999999/resolve', { by: 'x' })).status).toBe(404);
      const nobody = await api('/api/alerts/1/acknowledge', { by: '   ' });
      expect(nobody.status).toBe(400);
      expect(nobody.body.issues).toEqual([expect.objectContaining({ path: ['by'] })]);
      expect((await api('/api/alerts?view=bogus')).status).toBe(400);
      expect((await api('/api/alerts?limit=100000')).body.error).toMatch(/limit/);
      const wrongMethod = await fetch(`${base}/api/fleet`, { method: 'DELETE' });
      expect(wrongMethod.status).toBe(405);
    });
  });
}
