// Fuzz of the /bridge namespace (real server, Next disabled, temp SQLite): 10,000 malformed,
// oversized, out-of-order, pre-handshake, unknown and unauthenticated messages. Every one is
// refused with a reason; afterwards the server still stores and acks a valid batch, /health
// answers, and the process's memory grew by a bounded amount.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as ioClient, type Socket as ClientSocket } from 'socket.io-client';
import { createRng } from '../../sim/core/rng';
import { PROTOCOL_VERSION, type Hello } from '../../sim/protocol/bridge';
import { createServer, type TwinbenchServer } from '../app';
import { openDatabase, type Database } from '../db/client';
import { createDeviceRepository } from '../db/devices';
import { createTestSqliteConfig } from '../db/testing';

let sqlite: ReturnType<typeof createTestSqliteConfig>;
let db: Database;
let server: TwinbenchServer;
let base: string;
let token: string;
let deviceId: string;
const sockets: ClientSocket[] = [];

beforeAll(async () => {
  // the fuzz is about validation, not the rate limit (tested in bridge.int.test / rateLimit.test)
  process.env.TWINBENCH_BRIDGE_BATCHES_PER_S = '1000000';
  process.env.TWINBENCH_BRIDGE_SAMPLES_PER_S = '100000000';
  sqlite = createTestSqliteConfig();
  db = await openDatabase(sqlite.config);
  server = await createServer({ next: false, db, log: () => {} });
  base = (await server.listen(0, '127.0.0.1')).url;
  const added = await createDeviceRepository(db.prisma).add({ name: 'fuzz target' });
  token = added.token;
  deviceId = added.device.id;
});

afterAll(async () => {
  delete process.env.TWINBENCH_BRIDGE_BATCHES_PER_S;
  delete process.env.TWINBENCH_BRIDGE_SAMPLES_PER_S;
  for (const s of sockets) s.close();
  await server?.close(0);
  await db?.close();
  sqlite?.cleanup();
});

function open(auth?: object): Promise<ClientSocket> {
  const s = ioClient(`${base}/bridge`, { transports: ['websocket'], reconnection: false, auth, forceNew: true });
  sockets.push(s);
  return new Promise((resolve, reject) => {
    s.once('connect', () => resolve(s));
    s.once('connect_error', (e) => reject(e));
  });
}

const hello = (): Hello => ({
  protocol: PROTOCOL_VERSION,
  deviceId,
  channels: [
    { id: 'i', name: 'current', unit: 'A', kind: 'current', range: [-10, 10] },
    { id: 'v', name: 'voltage', unit: 'V', kind: 'voltage', range: [2.5, 4.2] },
  ],
});

type Answer = { ok: boolean; error?: string };

/** runs `make(k)` for k in [0, n) with `concurrency` in flight; returns the answers */
async function flood(n: number, concurrency: number, make: (k: number) => Promise<Answer>): Promise<Answer[]> {
  const out: Answer[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const k = next++;
        out[k] = await make(k);
      }
    }),
  );
  return out;
}

describe('/bridge fuzz', () => {
  it('refuses 10,000 bad messages with a reason and keeps serving', async () => {
    const rng = createRng(7);
    const rss0 = process.memoryUsage().rss;
    const tally: Record<string, number> = {};
    const expectRefused = (kind: string, answers: Answer[], re?: RegExp) => {
      tally[kind] = answers.length;
      for (const a of answers) {
        expect(a.ok, `${kind}: ${JSON.stringify(a).slice(0, 200)}`).toBe(false);
        expect(typeof a.error === 'string' && a.error.length > 5).toBe(true);
        if (re) expect(a.error).toMatch(re);
      }
    };

    // 1. unauthenticated: no token, garbage, another device's id with a wrong secret
    const badTokens = [undefined, '', 'x', 42, 'tbd_nope_' + 'a'.repeat(43), token.slice(0, -4) + 'AAAA', { nested: true }, 'tbd_' + 'z'.repeat(300)];
    const unauth = await flood(300, 20, async (k) => {
      const t = badTokens[k % badTokens.length];
      try {
        await open(t === undefined ? undefined : { token: t });
        return { ok: true };
      } catch (e) {
        return { ok: false, error: (e as Error).message };
      }
    });
    expectRefused('unauthenticated', unauth, /token|authentication/);
    for (const s of sockets.splice(0)) s.close();

    const dev = await open({ token });
    // 2. before the handshake
    expectRefused('before hello', await flood(1500, 50, (k) => dev.emitWithAck('batch', { seq: k, samples: [{ t: k, r: 0, v: [1, 3.7] }] })), /hello first/);
    // 3. unknown events
    expectRefused('unknown event', await flood(500, 50, (k) => dev.emitWithAck(`evt${k % 7}`, { k })), /unknown event/);
    // 4. bad hellos: junk, other versions, other device ids
    const junk = (k: number): unknown => {
      const pick = k % 8;
      const h = hello() as unknown as Record<string, unknown>;
      if (pick === 0) return { ...h, protocol: 1 + (k % 5) + 1 };
      if (pick === 1) return { ...h, deviceId: 'someone-else' };
      if (pick === 2) return { ...h, channels: [] };
      if (pick === 3) return { ...h, channels: 'all' };
      if (pick === 4) return [h];
      if (pick === 5) return null;
      if (pick === 6) return { ...h, channels: [{ ...(h.channels as object[])[0], range: [1, Number.NaN] }] };
      return { protocol: PROTOCOL_VERSION };
    };
    expectRefused('bad hello', await flood(1000, 50, (k) => dev.emitWithAck('hello', junk(k))));
    expect(await dev.emitWithAck('hello', hello())).toMatchObject({ ok: true });
    // 5. bad status
    expectRefused('bad status', await flood(500, 50, (k) => dev.emitWithAck('status', { state: k % 2 ? 'on fire' : 'ok', message: k % 3 ? 1 : 'x'.repeat(600) })));
    // 6. malformed batches
    const malformed = (k: number): unknown => {
      const r = rng.next();
      const pick = k % 12;
      if (pick === 0) return { seq: -1 - k, samples: [{ t: 0, r: 0, v: [1, 2] }] };
      if (pick === 1) return { seq: k + 0.5, samples: [{ t: 0, r: 0, v: [1, 2] }] };
      if (pick === 2) return { seq: String(k), samples: [{ t: 0, r: 0, v: [1, 2] }] };
      if (pick === 3) return { seq: k, samples: [] };
      if (pick === 4) return { seq: k, samples: [{ t: 'now', r: 0, v: [1, 2] }] };
      if (pick === 5) return { seq: k, samples: [{ t: 0, r: 0, v: [1] }] };
      if (pick === 6) return { seq: k, samples: [{ t: 0, r: 0, v: [1, '2'] }] };
      if (pick === 7) return { seq: k, samples: [{ t: 0, r: 0, v: [1, 2], extra: r }] };
      if (pick === 8) return { seq: k, samples: 'lots' };
      if (pick === 9) return { seq: 2 ** 40, samples: [{ t: 0, r: 0, v: [1, 2] }] };
      if (pick === 10) return Math.floor(r * 1e6);
      return { samples: [{ t: 0, r: 0, v: [1, 2] }] };
    };
    expectRefused('malformed batch', await flood(4000, 50, (k) => dev.emitWithAck('batch', malformed(k))), /invalid batch/);
    // 7. oversized: too many samples, too many bytes
    const fat = Array.from({ length: 1900 }, (_, i) => ({ t: i + 0.1234567891234, r: 1.7e12 + 0.1234567891234, v: [3.123456789123456, 3.123456789123456] }));
    const fatStr = { seq: 1, samples: [{ t: 0, r: 0, v: [1, 2] }], pad: 'x'.repeat(300 * 1024) };
    const many = { seq: 1, samples: Array.from({ length: 2001 }, (_, i) => ({ t: i, r: 0, v: [1, 2] })) };
    expectRefused(
      'oversized',
      await flood(200, 10, (k) => dev.emitWithAck('batch', k % 3 === 0 ? { seq: 1, samples: fat.concat(fat) } : k % 3 === 1 ? fatStr : many)),
      /too large|at most/,
    );
    // 8. out of order: store seq 0 and 5000, then send seqs below 5000 that were never stored
    expect(await dev.emitWithAck('batch', { seq: 0, samples: [{ t: 0, r: Date.now(), v: [1, 3.7] }] })).toMatchObject({ ok: true, duplicate: false });
    expect(await dev.emitWithAck('batch', { seq: 5000, samples: [{ t: 1, r: Date.now(), v: [1, 3.7] }] })).toMatchObject({ ok: true, duplicate: false });
    expectRefused('out of order', await flood(2000, 32, (k) => dev.emitWithAck('batch', { seq: 1 + k, samples: [{ t: 2, r: 0, v: [1, 3.7] }] })), /out of order/);

    const total = Object.values(tally).reduce((a, b) => a + b, 0);
    expect(total).toBe(10_000);

    // still serving: a valid batch is stored and acked, /health answers, /metrics counts refusals
    expect(await dev.emitWithAck('batch', { seq: 5001, samples: [{ t: 3, r: Date.now(), v: [1, 3.7] }] })).toEqual({ ok: true, seq: 5001, duplicate: false });
    expect((await fetch(`${base}/health`)).status).toBe(200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/twinbench_bridge_rejected_total\{reason="out_of_order"\} 2000/);
    const rssGrowthMb = (process.memoryUsage().rss - rss0) / 2 ** 20;
    console.log(JSON.stringify({ test: 'bridge-fuzz', ...tally, total, rss_growth_mb: Math.round(rssGrowthMb) }));
    // server and client share this process: the bound covers both (the payloads are ~150 MB in total)
    expect(rssGrowthMb).toBeLessThan(400);
  });
});
