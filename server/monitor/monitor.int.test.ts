// The server-side monitor on the real server (Next disabled) against SQLite and PostgreSQL, fed by
// the bridge client with virtual devices (bridge/sources/virtual.ts) at 20x real time:
//   - with no browser connected, a device with a resistance fault gets its residual alert and a
//     device with a drifting temperature sensor its safety alerts, in the database, each once; a
//     healthy device gets none;
//   - a browser doing what the live page does (TwinImpl on the batches, POST /api/alerts) and the
//     server reporting the same alarms make one alert per code, counted once;
//   - TWINBENCH_MONITOR=off: no monitor, no alerts.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { io as ioClient, type Socket as ClientSocket } from 'socket.io-client';
import { BridgeClient } from '../../bridge/client';
import { virtualSource } from '../../bridge/sources/virtual';
import type { LiveBatch } from '../../sim/protocol/bridge';
import { TwinImpl } from '../../workers/live/TwinImpl';
import { createServer, type TwinbenchServer } from '../app';
import type { AlertRecord } from '../db/alerts';
import { openDatabase, type Database } from '../db/client';
import { createDeviceRepository } from '../db/devices';
import { createSampleRepository } from '../db/samples';
import { createTestConfig } from '../db/testing';

const SPEED = 20;

async function listen(db: Database) {
  const server = await createServer({ next: false, db, log: () => {} });
  const { url } = await server.listen(0, '127.0.0.1');
  return { server, base: url };
}

/** Runs a virtual device through the bridge client until `durationS` device seconds are sent and acked. */
async function runDevice(base: string, token: string, opts: { seed: number; fault?: string; durationS: number }, beforeData?: () => Promise<void>) {
  const source = virtualSource({ hz: 10, speed: SPEED, seed: opts.seed, fault: opts.fault, durationS: opts.durationS });
  const client = new BridgeClient({ server: base, token, channels: source.channels, software: source.software, flushMs: 100, spillFile: null, log: () => {} });
  try {
    const t0 = Date.now();
    while (!client.snapshot().connected) {
      if (Date.now() - t0 > 20_000) throw new Error('the bridge did not connect');
      await new Promise((r) => setTimeout(r, 20));
    }
    await beforeData?.();
    await source.run((t, v) => client.push(t, v), new AbortController().signal);
    await client.drain();
    return client.snapshot();
  } finally {
    client.close();
  }
}

for (const kind of ['sqlite', 'postgresql'] as const) {
  describe(`server-side monitor (${kind})`, () => {
    let cleanup: () => unknown = () => {};
    let db: Database;
    let server: TwinbenchServer;
    let base: string;
    const dev: Record<string, { id: string; token: string }> = {};
    const sockets: ClientSocket[] = [];

    beforeAll(async () => {
      const t = await createTestConfig(kind);
      cleanup = t.cleanup;
      db = await openDatabase(t.config);
      ({ server, base } = await listen(db));
      expect(server.monitor).not.toBeNull();
      const repo = createDeviceRepository(db.prisma);
      for (const name of ['sick', 'hot', 'well', 'watched', 'unwatched']) {
        const r = await repo.add({ name, site: 'lab' });
        dev[name] = { id: r.device.id, token: r.token };
      }
    });

    afterAll(async () => {
      for (const s of sockets) s.close();
      await server?.close(0);
      await db?.close();
      await cleanup();
    });

    const api = async (path: string, body?: unknown) => {
      const r = await fetch(`${base}${path}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: r.status, body: (await r.json()) as Record<string, unknown> };
    };
    const alertsOf = async (deviceId: string) => ((await api(`/api/alerts?view=all&deviceId=${deviceId}&limit=500`)).body.alerts as AlertRecord[]).sort((a, b) => a.code.localeCompare(b.code));

    const connectLive = () =>
      new Promise<ClientSocket>((resolve, reject) => {
        const s = ioClient(`${base}/live`, { transports: ['websocket'], reconnection: false, forceNew: true });
        sockets.push(s);
        s.once('connect', () => resolve(s));
        s.once('connect_error', reject);
      });

    it('raises the alerts of faulty devices in the database with no browser connected', async () => {
      // (a fleet page watching the alerts is not a live page: it runs no twin)
      const watcher = await connectLive();
      expect(await watcher.emitWithAck('fleet:watch')).toEqual({ ok: true });
      const pushed: AlertRecord[] = [];
      watcher.on('alert', (a: AlertRecord) => pushed.push(a));
      const t0 = Date.now();
      const runs = await Promise.all([
        runDevice(base, dev.sick.token, { seed: 3, fault: 'r0:4@40', durationS: 90 }),
        runDevice(base, dev.hot.token, { seed: 2, fault: 'temp-drift:3600', durationS: 60 }),
        runDevice(base, dev.well.token, { seed: 4, durationS: 90 }),
      ]);
      expect(runs.map((r) => [r.samplesIn, r.buffered])).toEqual([
        [900, 0],
        [600, 0],
        [900, 0],
      ]);
      await server.monitor!.idle();

      const sick = await alertsOf(dev.sick.id);
      expect(sick).toHaveLength(1);
      expect(sick[0]).toMatchObject({ source: 'twin', code: 'RESIDUAL_V', severity: 'alarm', state: 'open', count: 1, deviceName: 'sick', site: 'lab' });
      expect(sick[0].deviceT!).toBeGreaterThan(40);
      expect(Math.abs(sick[0].value!)).toBeGreaterThan(0.05);
      // the occurrence time is the bridge's receive time of the sample
      expect(Date.parse(sick[0].firstAt)).toBeGreaterThanOrEqual(t0);
      expect(Date.parse(sick[0].firstAt)).toBeLessThanOrEqual(Date.now());

      // the temperature sensor drifts 1 K/s from 25 degC: warning 45, alarm 50, trip 55 degC, and
      // the trip opens the contactors; each level latches once
      const hot = await alertsOf(dev.hot.id);
      expect(hot.map((a) => [a.code, a.source, a.severity, a.count])).toEqual([
        ['EMERGENCY_SHUTOFF', 'safety', 'trip', 1],
        ['OT_ALARM', 'safety', 'alarm', 1],
        ['OT_TRIP', 'safety', 'trip', 1],
        ['OT_WARN', 'safety', 'warning', 1],
      ]);
      expect(hot.find((a) => a.code === 'OT_WARN')!.deviceT!).toBeGreaterThan(15);
      expect(hot.find((a) => a.code === 'OT_WARN')!.message).toMatch(/^OT_WARN on cell: 4\d\.\d{3} \(device t = \d+\.\d s\)$/);

      expect(await alertsOf(dev.well.id)).toEqual([]);
      // recorded by the monitor's worker, pushed to the watching fleet pages by the server
      const pushedCodes = () => pushed.filter((a) => a.deviceId === dev.sick.id || a.deviceId === dev.hot.id).map((a) => a.code).sort();
      await vi.waitFor(() => expect(pushedCodes()).toEqual(['EMERGENCY_SHUTOFF', 'OT_ALARM', 'OT_TRIP', 'OT_WARN', 'RESIDUAL_V']), { timeout: 10_000 });

      const fleet = (await api('/api/fleet')).body as { sites: { devices: { id: string; alerts: { active: number; severity: string | null } }[] }[] };
      const row = (id: string) => fleet.sites.flatMap((s) => s.devices).find((d) => d.id === id)!;
      expect(row(dev.hot.id).alerts).toEqual({ active: 4, severity: 'trip' });
      expect(row(dev.well.id).alerts).toEqual({ active: 0, severity: null });

      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toMatch(/^twinbench_monitor_enabled 1$/m);
      expect(Number(/^twinbench_monitor_samples_total (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(2400);
    });

    it('one alert when the live page and the server report the same alarm', async () => {
      const live = await connectLive();
      // what app/live/LivePage.tsx does: the batches in seq order through TwinImpl, reports POSTed
      const page = new TwinImpl();
      let lastSeq = -1;
      let chain = Promise.resolve();
      const answers: { code: string; status: number; created: boolean; counted: boolean }[] = [];
      const feed = (batches: LiveBatch[]) => {
        chain = chain.then(async () => {
          const fresh = batches.filter((b) => b.seq > lastSeq).sort((a, b) => a.seq - b.seq);
          if (!fresh.length) return;
          lastSeq = fresh[fresh.length - 1].seq;
          const f = page.process(fresh.flatMap((b) => b.samples.map((x) => ({ t: x.t, v: x.v, r: x.r }))));
          const reports = f.safety
            .filter((x) => x.severity !== 'info')
            .map((x) => ({ deviceId: dev.watched.id, source: 'safety', code: x.code, severity: x.severity, message: `${x.code} on ${x.target}`, atMs: x.atMs, deviceT: x.t, value: x.value }));
          for (const x of f.events)
            if (x.kind === 'raised') reports.push({ deviceId: dev.watched.id, source: 'twin', code: 'RESIDUAL_V', severity: 'alarm', message: 'residual', atMs: x.atMs, deviceT: x.t, value: x.residualV });
          for (const r of reports) {
            const a = await api('/api/alerts', r);
            answers.push({ code: r.code, status: a.status, created: a.body.created as boolean, counted: a.body.counted as boolean });
          }
        });
      };
      live.on('batches', (bs: LiveBatch[]) => feed(bs.filter((b) => b.deviceId === dev.watched.id)));

      await runDevice(base, dev.watched.token, { seed: 5, fault: 'temp-drift:3600', durationS: 60 }, async () => {
        const sub = (await live.emitWithAck('subscribe', { deviceId: dev.watched.id })) as { ok: boolean; device: { channels: never[] }; history: LiveBatch[] };
        expect(sub.ok).toBe(true);
        expect(page.configure({ channels: sub.device.channels, thresholdV: 0.05, holdS: 5 })).toEqual({ ok: true });
        feed(sub.history);
      });
      const stored = await createSampleRepository(db.prisma).lastSeq(dev.watched.id);
      const t0 = Date.now();
      while (lastSeq < stored && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 20));
      await chain;
      await server.monitor!.idle();

      const alerts = await alertsOf(dev.watched.id);
      expect(alerts.map((a) => [a.code, a.count, a.state])).toEqual([
        ['EMERGENCY_SHUTOFF', 1, 'open'],
        ['OT_ALARM', 1, 'open'],
        ['OT_TRIP', 1, 'open'],
        ['OT_WARN', 1, 'open'],
      ]);
      // the page reported every one of them too: whoever came second was a re-report
      expect(answers.map((a) => a.code).sort()).toEqual(alerts.map((a) => a.code));
      // (a report that opened the alert is 201 and counted; any other one is 200 and not counted)
      expect(answers.map((a) => [a.code, a.status, a.counted])).toEqual(answers.map((a) => [a.code, a.created ? 201 : 200, a.created]));
    });

    it.runIf(kind === 'sqlite')('TWINBENCH_MONITOR=off: no monitor, a faulty device raises nothing', async () => {
      process.env.TWINBENCH_MONITOR = 'off';
      let off: Awaited<ReturnType<typeof listen>>;
      try {
        off = await listen(db);
      } finally {
        delete process.env.TWINBENCH_MONITOR;
      }
      try {
        expect(off.server.monitor).toBeNull();
        const r = await runDevice(off.base, dev.unwatched.token, { seed: 2, fault: 'temp-drift:3600', durationS: 60 });
        expect(r.buffered).toBe(0);
        expect(await alertsOf(dev.unwatched.id)).toEqual([]);
      } finally {
        await off.server.close(0);
      }
    });
  });
}
