// The /bridge and /live namespaces on the real server (Next disabled, temp SQLite): auth,
// handshake, durable acks, duplicates, out-of-order, live fan-out with history, commands
// through the interlock, /metrics.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as ioClient, type Socket as ClientSocket } from 'socket.io-client';
import { PROTOCOL_VERSION, type Hello } from '../../sim/protocol/bridge';
import { createServer, type TwinbenchServer } from '../app';
import { openDatabase, type Database } from '../db/client';
import { createDeviceRepository } from '../db/devices';
import { createSampleRepository } from '../db/samples';
import { createTestConfig } from '../db/testing';

// TWINBENCH_TEST_BRIDGE_DB=postgresql runs the same checks against PostgreSQL (127.0.0.1:5432/test)
const kind = process.env.TWINBENCH_TEST_BRIDGE_DB === 'postgresql' ? 'postgresql' : 'sqlite';
let cleanup: () => unknown = () => {};
let db: Database;
let server: TwinbenchServer;
let base: string;
let token: string;
let deviceId: string;
const sockets: ClientSocket[] = [];

beforeAll(async () => {
  const t = await createTestConfig(kind);
  cleanup = t.cleanup;
  db = await openDatabase(t.config);
  server = await createServer({ next: false, db, log: () => {} });
  base = (await server.listen(0, '127.0.0.1')).url;
  const added = await createDeviceRepository(db.prisma).add({ name: 'cell tester 1', site: 'lab' });
  token = added.token;
  deviceId = added.device.id;
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await server?.close(0);
  await db?.close();
  await cleanup();
});

function connect(nsp: string, auth?: object): ClientSocket {
  const s = ioClient(`${base}${nsp}`, { transports: ['websocket'], reconnection: false, auth });
  sockets.push(s);
  return s;
}

const connected = (s: ClientSocket) =>
  new Promise<void>((resolve, reject) => {
    s.once('connect', () => resolve());
    s.once('connect_error', (e) => reject(e));
  });

const hello = (): Hello => ({
  protocol: PROTOCOL_VERSION,
  deviceId,
  channels: [
    { id: 'current_A', name: 'current', unit: 'A', kind: 'current', range: [-10, 10] },
    { id: 'voltage_V', name: 'voltage', unit: 'V', kind: 'voltage', range: [2.5, 4.2] },
  ],
  commands: ['setCurrent'],
});

describe(`/bridge (${kind})`, () => {
  it('refuses missing and wrong tokens with a reason', async () => {
    await expect(connected(connect('/bridge'))).rejects.toThrow(/authentication required/);
    await expect(connected(connect('/bridge', { token: token.slice(0, -2) + 'xx' }))).rejects.toThrow(/invalid device token/);
  });

  it('handshake, version refusal, durable acks, duplicates, out of order, live fan-out, commands', async () => {
    const dev = connect('/bridge', { token });
    await connected(dev);
    const v2 = await dev.emitWithAck('hello', { ...hello(), protocol: 2 });
    expect(v2).toMatchObject({ ok: false, protocol: 1 });
    expect(v2.error).toMatch(/protocol version mismatch/);
    expect(await dev.emitWithAck('batch', { seq: 0, samples: [{ t: 0, r: Date.now(), v: [1, 3.7] }] })).toMatchObject({ ok: false, error: /hello first/ });
    const w = await dev.emitWithAck('hello', hello());
    expect(w).toMatchObject({ ok: true, protocol: 1, deviceId, lastSeq: -1 });

    const browser = connect('/live');
    await connected(browser);
    const got: { seq: number }[] = [];
    browser.on('batches', (bs: { seq: number }[]) => got.push(...bs));

    const mk = (seq: number) => ({ seq, samples: [0, 1, 2].map((k) => ({ t: seq * 3 + k, r: Date.now(), v: [k === 1 ? null : 0.5 * k, 3.7] })) });
    expect(await dev.emitWithAck('batch', mk(0))).toEqual({ ok: true, seq: 0, duplicate: false });
    const sub = await browser.emitWithAck('subscribe', { deviceId });
    expect(sub.ok).toBe(true);
    expect(sub.device.channels).toHaveLength(2);
    expect(sub.history.map((b: { seq: number }) => b.seq)).toEqual([0]);

    expect(await dev.emitWithAck('batch', mk(1))).toEqual({ ok: true, seq: 1, duplicate: false });
    expect(await dev.emitWithAck('batch', mk(1))).toEqual({ ok: true, seq: 1, duplicate: true });
    expect(await dev.emitWithAck('batch', mk(3))).toEqual({ ok: true, seq: 3, duplicate: false });
    const ooo = await dev.emitWithAck('batch', mk(2));
    expect(ooo).toMatchObject({ ok: false, seq: 2, error: /out of order/ });
    const bad = await dev.emitWithAck('batch', { seq: 4, samples: [{ t: 0, r: 0, v: [1] }] });
    expect(bad).toMatchObject({ ok: false, error: /advertised 2 channels/ });

    const samples = createSampleRepository(db.prisma);
    expect(await samples.count(deviceId)).toEqual({ batches: 3, samples: 9 });
    const stored = await samples.page(deviceId, -1, 10);
    expect(stored[0].samples[1]).toMatchObject({ t: 1, v: [null, 3.7] });
    await new Promise((r) => setTimeout(r, 100));
    expect(got.map((b) => b.seq)).toEqual([1, 3]);

    // commands: interlock, then the device's ack
    dev.on('command', (cmd: { id: string; value: number }, ack: (a: unknown) => void) => ack({ id: cmd.id, ok: true }));
    const tooBig = await browser.emitWithAck('command', { deviceId, id: 'c1', kind: 'setCurrent', value: 50, timeoutMs: 1000 });
    expect(tooBig).toMatchObject({ ok: false, error: /safety interlock.*outside/ });
    const ok = await browser.emitWithAck('command', { deviceId, id: 'c2', kind: 'setCurrent', value: 2, timeoutMs: 1000 });
    expect(ok).toEqual({ id: 'c2', ok: true });

    // a reconnecting bridge learns where to continue
    dev.close();
    const dev2 = connect('/bridge', { token });
    await connected(dev2);
    expect(await dev2.emitWithAck('hello', hello())).toMatchObject({ ok: true, lastSeq: 3 });

    // a browser that floods requests is slowed down, with a reason
    const answers = (await Promise.all(Array.from({ length: 60 }, () => browser.emitWithAck('devices')))) as { ok: boolean; error?: string }[];
    expect(answers.filter((x) => x.ok).length).toBeLessThan(60);
    expect(answers.find((x) => !x.ok)?.error).toMatch(/too many requests/);

    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/^twinbench_bridge_samples_total 9$/m);
    expect(metrics).toMatch(/twinbench_bridge_batches_total\{result="duplicate"\} 1/);
    expect(metrics).toMatch(/twinbench_bridge_ingest_latency_seconds_count 3/);
    expect(metrics).toMatch(/twinbench_bridge_connected_devices 1/);
    expect(metrics).toMatch(/^twinbench_event_loop_delay_seconds\{quantile="0.99"\} \d/m);
  });
});
