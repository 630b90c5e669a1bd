// Scale-out: two server processes sharing one PostgreSQL (unique schema) and Rooms through the
// Socket.IO Redis adapter (REDIS_URL, local Redis on 127.0.0.1:6379). A device on server A is
// listed as connected on server B, a browser on B gets its batches and status, and a command
// sent from B reaches the device on A and comes back acked.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as ioClient, type Socket } from 'socket.io-client';
import { openDatabase, type Database } from '../server/db/client';
import { createDeviceRepository } from '../server/db/devices';
import { createTestPostgresConfig } from '../server/db/testing';
import { PROTOCOL_VERSION } from '../sim/protocol/bridge';
import { freePort, startServer, type Proc } from './testing';

const REDIS = { host: '127.0.0.1', port: 6379 };
const procs: Proc[] = [];
const sockets: Socket[] = [];
let pg: Awaited<ReturnType<typeof createTestPostgresConfig>>;
let db: Database;

async function redisAnswers(): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const s = connect(REDIS.port, REDIS.host);
    const t = setTimeout(() => (s.destroy(), reject(new Error('timeout'))), 2000);
    s.once('connect', () => (clearTimeout(t), s.end(), resolve()));
    s.once('error', (e) => (clearTimeout(t), reject(e)));
  }).catch((e: Error) => {
    throw new Error(`Redis on ${REDIS.host}:${REDIS.port} does not answer (${e.message}); the scale-out test needs it (start redis-server)`);
  });
}

beforeAll(async () => {
  await redisAnswers();
  pg = await createTestPostgresConfig();
  db = await openDatabase(pg.config); // creates the schema and tables before the servers start
});

afterAll(async () => {
  for (const s of sockets) s.close();
  for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  await db?.close();
  await pg?.cleanup();
});

const connected = (s: Socket) =>
  new Promise<Socket>((resolve, reject) => {
    s.once('connect', () => resolve(s));
    s.once('connect_error', reject);
  });

describe('scale-out with REDIS_URL', () => {
  it('a browser on one server sees and commands a device on the other', async () => {
    const u = new URL(pg.config.url);
    u.searchParams.set('schema', pg.config.schema);
    const env = { DATABASE_URL: u.toString(), REDIS_URL: `redis://${REDIS.host}:${REDIS.port}`, TWINBENCH_REDIS_PREFIX: `tb-test-${process.pid}-${Date.now()}` };
    const [pa, pb] = await Promise.all([freePort(), freePort()]);
    const [a, b] = await Promise.all([startServer(pa, env), startServer(pb, env)]);
    procs.push(a, b);
    await Promise.all([a.waitFor(/scale-out: Socket.IO Redis adapter/), b.waitFor(/scale-out: Socket.IO Redis adapter/)]);

    const { token, device } = await createDeviceRepository(db.prisma).add({ name: 'on server A', site: 'north' });
    const dev = await connected(ioClient(`http://127.0.0.1:${pa}/bridge`, { transports: ['websocket'], reconnection: false, auth: { token }, forceNew: true }));
    sockets.push(dev);
    dev.on('command', (cmd: { id: string; value: number }, ack: (x: unknown) => void) => ack({ id: cmd.id, ok: true }));
    const w = await dev.emitWithAck('hello', {
      protocol: PROTOCOL_VERSION,
      deviceId: device.id,
      channels: [
        { id: 'current_A', name: 'current', unit: 'A', kind: 'current', range: [-5, 5] },
        { id: 'voltage_V', name: 'voltage', unit: 'V', kind: 'voltage', range: [2.5, 4.2] },
      ],
      commands: ['setCurrent'],
    });
    expect(w.ok).toBe(true);

    const browser = await connected(ioClient(`http://127.0.0.1:${pb}/live`, { transports: ['websocket'], forceNew: true }));
    sockets.push(browser);
    const list = await browser.emitWithAck('devices');
    expect(list.devices).toEqual([expect.objectContaining({ id: device.id, site: 'north', connected: true })]);
    const sub = await browser.emitWithAck('subscribe', { deviceId: device.id });
    expect(sub).toMatchObject({ ok: true, device: { connected: true } });

    const got = new Promise<{ seq: number }>((resolve) => browser.once('batches', (bs: { seq: number }[]) => resolve(bs[0])));
    const status = new Promise<{ state: string }>((resolve) => browser.once('status', resolve));
    expect(await dev.emitWithAck('batch', { seq: 0, samples: [{ t: 0, r: Date.now(), v: [1, 3.7] }] })).toMatchObject({ ok: true });
    expect(await got).toMatchObject({ seq: 0, deviceId: device.id });
    expect(await dev.emitWithAck('status', { state: 'warning', message: 'fan' })).toEqual({ ok: true });
    expect(await status).toMatchObject({ state: 'warning', message: 'fan' });

    expect(await browser.emitWithAck('command', { deviceId: device.id, id: 'x1', kind: 'setCurrent', value: 2, timeoutMs: 2000 })).toEqual({ id: 'x1', ok: true });
    // the interlock holds on the other server too
    expect(await browser.emitWithAck('command', { deviceId: device.id, id: 'x2', kind: 'setCurrent', value: 9, timeoutMs: 2000 })).toMatchObject({ ok: false, error: /interlock/ });
  });
});
