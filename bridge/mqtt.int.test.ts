// MQTT source against the local Mosquitto broker (127.0.0.1:1883): a real `twinbench bridge`
// process subscribes to a unique topic; the test publishes JSON samples (plus invalid ones, which
// are skipped) and finds exactly the valid samples in the store.
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type TwinbenchServer } from '../server/app';
import { openDatabase, type Database } from '../server/db/client';
import { createDeviceRepository } from '../server/db/devices';
import { createSampleRepository } from '../server/db/samples';
import { mapMqttPayload, DEFAULT_MQTT_CHANNELS } from './sources/mqtt';
import { cli, type Proc } from './testing';

const BROKER = { host: '127.0.0.1', port: 1883 };

async function brokerAnswers(): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const s = connect(BROKER.port, BROKER.host);
    const t = setTimeout(() => (s.destroy(), reject(new Error('timeout'))), 2000);
    s.once('connect', () => (clearTimeout(t), s.end(), resolve()));
    s.once('error', (e) => (clearTimeout(t), reject(e)));
  }).catch((e: Error) => {
    throw new Error(
      `the Mosquitto broker on ${BROKER.host}:${BROKER.port} does not answer (${e.message}); this test needs it: start mosquitto (e.g. \`mosquitto -d\`)`,
    );
  });
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'tb-mqtt-int-'));
let db: Database;
let server: TwinbenchServer;
let base: string;
const procs: Proc[] = [];

beforeAll(async () => {
  await brokerAnswers();
  db = await openDatabase({ kind: 'sqlite', file: path.join(tmp, 'tb.db') });
  server = await createServer({ next: false, db, log: () => {} });
  base = (await server.listen(0, '127.0.0.1')).url;
});

afterAll(async () => {
  for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  await server?.close(0);
  await db?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('mqtt payload mapping', () => {
  it('maps objects and arrays, ignores unknown keys, refuses bad values', () => {
    const r = mapMqttPayload('[{"t":1,"voltage_V":3.7,"x":1},{"time_s":2,"current_A":null}]', DEFAULT_MQTT_CHANNELS, 99);
    expect(r).toEqual({ ok: true, ignoredKeys: 1, samples: [{ t: 1, v: [null, 3.7, null, null] }, { t: 2, v: [null, null, null, null] }] });
    expect(mapMqttPayload('{"voltage_V":1}', DEFAULT_MQTT_CHANNELS, 99)).toMatchObject({ ok: true, samples: [{ t: 99 }] });
    expect(mapMqttPayload('{"voltage_V":"3.7"}', DEFAULT_MQTT_CHANNELS, 0)).toMatchObject({ ok: false, error: /voltage_V must be a finite number/ });
    expect(mapMqttPayload('not json', DEFAULT_MQTT_CHANNELS, 0)).toMatchObject({ ok: false });
    expect(mapMqttPayload('[]', DEFAULT_MQTT_CHANNELS, 0)).toMatchObject({ ok: false });
  });
});

describe('mqtt source against Mosquitto', () => {
  it('stores every valid published sample once', async () => {
    const { token, device } = await createDeviceRepository(db.prisma).add({ name: 'mqtt logger' });
    const topic = `twinbench-test/${process.pid}-${Date.now()}/cell`;
    const bridge = cli(['bridge', '--server', base, '--token', token, '--source', `mqtt://${BROKER.host}:${BROKER.port}/${topic}`, '--flush-ms', '50'], {});
    procs.push(bridge);
    await bridge.waitFor(/subscribed to/);
    await bridge.waitFor(/connected as/);
    const pub = await mqtt.connectAsync(`mqtt://${BROKER.host}:${BROKER.port}`);
    const N = 200;
    for (let k = 0; k < N; k++) {
      await pub.publishAsync(topic, JSON.stringify({ t: k * 0.1, current_A: 1 + k / 1000, voltage_V: 3.6 + k / 10000, temp_C: 25 }), { qos: 1 });
      if (k % 50 === 0) await pub.publishAsync(topic, k % 100 === 0 ? 'garbage' : '{"voltage_V":"high"}', { qos: 1 });
    }
    await pub.endAsync();
    const samples = createSampleRepository(db.prisma);
    const deadline = Date.now() + 15_000;
    while ((await samples.count(device.id)).samples < N && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect((await samples.count(device.id)).samples).toBe(N);
    const stored = (await samples.page(device.id, -1, 1000)).flatMap((b) => b.samples);
    expect(stored.map((s) => s.t)).toEqual(Array.from({ length: N }, (_, k) => k * 0.1));
    expect(stored[10].v).toEqual([1.01, 3.601, 25, null]);
    bridge.child.kill('SIGTERM');
    expect(await bridge.exited).toBe(0);
  });

  it('fails with a clear message when the broker does not answer', async () => {
    const { token } = await createDeviceRepository(db.prisma).add({ name: 'mqtt nowhere' });
    const bridge = cli(['bridge', '--server', base, '--token', token, '--source', 'mqtt://127.0.0.1:1/x'], {});
    procs.push(bridge);
    expect(await bridge.exited).toBe(1);
    expect(bridge.err.join('\n')).toMatch(/MQTT broker at mqtt:\/\/127\.0\.0\.1:1 does not answer/);
  });
});
