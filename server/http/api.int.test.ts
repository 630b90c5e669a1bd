// The real server (HTTP + REST + Socket.IO, Next disabled) on an ephemeral port with a temp
// SQLite database: every bad request gets a 4xx with a reason and the server keeps serving.
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as ioClient } from 'socket.io-client';
import { listParamSets } from '../../sim/battery/paramSets';
import { scenarioHash } from '../../sim/scenario/hash';
import { MAX_SCENARIO_BYTES, validateScenario } from '../../sim/scenario/validate';
import { createServer, type TwinbenchServer } from '../app';
import { openDatabase, type Database } from '../db/client';
import { createTestSqliteConfig } from '../db/testing';
import { ENGINE_VERSION, SERVER_VERSION } from '../version';

const scenario = {
  name: 'api test',
  cell: { paramSet: listParamSets()[0] },
  initial: { soc: 1 },
  experiment: ['Discharge at 1C for 10 minutes', 'Rest for 5 minutes'],
};

let sqlite: ReturnType<typeof createTestSqliteConfig>;
let db: Database;
let server: TwinbenchServer;
let base: string;
let port: number;

beforeAll(async () => {
  sqlite = createTestSqliteConfig();
  db = await openDatabase(sqlite.config);
  server = await createServer({ next: false, db, log: () => {} });
  const l = await server.listen(0, '127.0.0.1');
  port = l.port;
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await server?.close(0);
  await db?.close();
  sqlite?.cleanup();
});

const postJson = (body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  fetch(`${base}/api/scenarios`, { method: 'POST', headers, body });

/** After each bad request: the server still answers. */
async function expectAlive() {
  const r = await fetch(`${base}/health`);
  expect(r.status).toBe(200);
  expect(((await r.json()) as { status: string }).status).toBe('ok');
}

/** Raw HTTP/1.1 request with a chunked body of `total` bytes (no Content-Length). */
function postChunked(total: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path: '/api/scenarios', method: 'POST', headers: { 'content-type': 'application/json' } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    const chunk = Buffer.alloc(64 * 1024, 0x20); // whitespace: still "JSON" until the limit
    let sent = 0;
    const write = () => {
      while (sent < total) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', write);
      }
      req.end();
    };
    write();
  });
}

describe('server REST API (next disabled)', () => {
  it('GET /health reports versions and the database', async () => {
    const r = await fetch(`${base}/health`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await r.json()).toEqual({
      status: 'ok',
      version: SERVER_VERSION,
      engineVersion: ENGINE_VERSION,
      database: { kind: 'sqlite', ok: true },
    });
  });

  it('GET /health answers 503 degraded when the database does not answer', async () => {
    const broken = await createServer({ next: false, db: { ...db, ping: async () => false }, log: () => {} });
    const l = await broken.listen(0, '127.0.0.1');
    try {
      const r = await fetch(`http://127.0.0.1:${l.port}/health`);
      expect(r.status).toBe(503);
      expect(await r.json()).toMatchObject({ status: 'degraded', database: { kind: 'sqlite', ok: false } });
    } finally {
      await broken.close(0);
    }
  });

  it('POST creates (201), is idempotent (200), and GET returns the scenario', async () => {
    const v = validateScenario(scenario);
    if (!v.ok) throw new Error(JSON.stringify(v.issues));
    const expectedId = scenarioHash(v.scenario);

    const r1 = await postJson(JSON.stringify(scenario));
    expect(r1.status).toBe(201);
    expect(await r1.json()).toEqual({ id: expectedId, url: `/s/${expectedId}` });

    // same document, other key order and whitespace: same id, 200
    const reordered = JSON.stringify(
      { experiment: scenario.experiment, initial: scenario.initial, cell: scenario.cell, name: scenario.name },
      null,
      2,
    );
    const r2 = await postJson(reordered, { 'content-type': 'application/json; charset=utf-8' });
    expect(r2.status).toBe(200);
    expect(await r2.json()).toEqual({ id: expectedId, url: `/s/${expectedId}` });

    const g = await fetch(`${base}/api/scenarios/${expectedId}`);
    expect(g.status).toBe(200);
    const body = (await g.json()) as { id: string; scenario: unknown; createdAt: string };
    expect(body.id).toBe(expectedId);
    expect(body.scenario).toEqual(scenario);
    expect(Number.isNaN(Date.parse(body.createdAt))).toBe(false);
    // uppercase hex is the same id
    expect((await fetch(`${base}/api/scenarios/${expectedId.toUpperCase()}`)).status).toBe(200);
  });

  it('GET an unknown id: 404 not found; a malformed id: 400', async () => {
    const r = await fetch(`${base}/api/scenarios/${'0'.repeat(64)}`);
    expect(r.status).toBe(404);
    expect(await r.json()).toEqual({ error: 'not found' });
    for (const bad of ['abc', 'g'.repeat(64), '0'.repeat(65), '%E0%A4%A']) {
      const b = await fetch(`${base}/api/scenarios/${bad}`);
      expect(b.status, bad).toBe(400);
      expect(((await b.json()) as { error: string }).error).toMatch(/64 hexadecimal/);
    }
    await expectAlive();
  });

  it('malformed JSON: 400 with the parser message', async () => {
    for (const text of ['{"name": ', '{name: 1}', '', '   ']) {
      const r = await postJson(text);
      expect(r.status, JSON.stringify(text)).toBe(400);
      const body = (await r.json()) as { error: string };
      expect(body.error).toMatch(/JSON/);
      expect(body.error).not.toMatch(/at .*\.ts:\d+/); // no stack
    }
    const badUtf8 = await fetch(`${base}/api/scenarios`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]),
    });
    expect(badUtf8.status).toBe(400);
    await expectAlive();
  });

  it('wrong content type: 415', async () => {
    for (const ct of ['text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1']) {
      const r = await postJson(JSON.stringify(scenario), { 'content-type': ct });
      expect(r.status, ct).toBe(415);
      expect(((await r.json()) as { error: string }).error).toMatch(/application\/json/);
    }
    const none = await fetch(`${base}/api/scenarios`, { method: 'POST', body: new Uint8Array([0x7b, 0x7d]) });
    expect(none.status).toBe(415);
    await expectAlive();
  });

  it('oversized body: 413, with Content-Length and streamed (chunked)', async () => {
    const big = JSON.stringify({ ...scenario, description: 'x'.repeat(MAX_SCENARIO_BYTES) });
    const r = await postJson(big);
    expect(r.status).toBe(413);
    expect(((await r.json()) as { error: string }).error).toMatch(/too large/);
    await expectAlive();

    const chunked = await postChunked(3 * MAX_SCENARIO_BYTES);
    expect(chunked.status).toBe(413);
    expect(JSON.parse(chunked.body).error).toMatch(/too large/);
    await expectAlive();
  });

  it('a body far beyond the limit is cut off and the server keeps serving', async () => {
    await new Promise<void>((resolve) => {
      const s = connect(port, '127.0.0.1', () => {
        s.write(
          `POST /api/scenarios HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${500 * 1024 * 1024}\r\n\r\n`,
        );
        s.write(Buffer.alloc(256 * 1024, 0x20));
      });
      s.on('error', () => {});
      s.on('close', () => resolve());
      s.resume();
    });
    await expectAlive();
  });

  it('invalid scenario: 422 with the issues and their paths', async () => {
    const r = await postJson(JSON.stringify({ ...scenario, initial: { soc: 80 } }));
    expect(r.status).toBe(422);
    const body = (await r.json()) as { error: string; issues: { path: (string | number)[]; message: string }[] };
    expect(body.error).toMatch(/invalid scenario/);
    expect(body.issues.some((i) => i.path.join('.') === 'initial.soc')).toBe(true);

    const r2 = await postJson(JSON.stringify({ ...scenario, experiment: ['Discharge at 1C for 10 mn'] }));
    expect(r2.status).toBe(422);
    const b2 = (await r2.json()) as { issues: { path: (string | number)[] }[] };
    expect(b2.issues[0]?.path).toEqual(['experiment', 0]);

    const depth = 20_000; // fits in 1 MB; recursive validation would overflow the stack
    const deep =
      '{"name":"d","cell":{"paramSet":"pybamm-ecm-example"},"initial":{"soc":1},"experiment":[' +
      '{"repeat":1,"steps":['.repeat(depth) + '"Rest for 1 s"' + ']}'.repeat(depth) + ']}';
    const r4 = await postJson(deep);
    expect(r4.status).toBe(422);
    expect(((await r4.json()) as { error: string }).error).toMatch(/nested more than/);

    for (const doc of ['[]', 'null', '42', '"text"']) {
      const r3 = await postJson(doc);
      expect(r3.status, doc).toBe(422);
    }
    await expectAlive();
  });

  it('wrong methods: 405; other paths: 404 JSON when Next is disabled', async () => {
    const get = await fetch(`${base}/api/scenarios`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    const del = await fetch(`${base}/api/scenarios/${'0'.repeat(64)}`, { method: 'DELETE' });
    expect(del.status).toBe(405);
    const other = await fetch(`${base}/s/whatever`);
    expect(other.status).toBe(404);
    expect(await other.json()).toEqual({ error: 'not found' });
    await expectAlive();
  });
});

describe('Socket.IO /live', () => {
  it('answers hello with the server and engine versions', async () => {
    const socket = ioClient(`${base}/live`, { transports: ['websocket'], reconnection: false });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      const ack = await socket.timeout(5000).emitWithAck('hello', { client: 'test' });
      expect(ack).toEqual({ server: SERVER_VERSION, engineVersion: ENGINE_VERSION });
      // without an ack callback the answer is a 'hello' event
      const evt = new Promise((resolve) => socket.once('hello', resolve));
      socket.emit('hello');
      expect(await evt).toEqual({ server: SERVER_VERSION, engineVersion: ENGINE_VERSION });
    } finally {
      socket.close();
    }
  });

  it('refuses browsers from another origin', async () => {
    const socket = ioClient(`${base}/live`, {
      transports: ['polling'],
      reconnection: false,
      extraHeaders: { origin: 'http://evil.example' },
    });
    try {
      const err = await new Promise<Error>((resolve) => socket.once('connect_error', resolve));
      expect(err).toBeInstanceOf(Error);
      expect(socket.connected).toBe(false);
    } finally {
      socket.close();
    }
  });

  it('also works over HTTP long-polling from a same-origin page, and the REST API still answers afterwards', async () => {
    const socket = ioClient(`${base}/live`, {
      transports: ['polling'],
      reconnection: false,
      extraHeaders: { origin: base }, // a page of this server
    });
    try {
      const ack = await socket.timeout(5000).emitWithAck('hello');
      expect(ack).toEqual({ server: SERVER_VERSION, engineVersion: ENGINE_VERSION });
    } finally {
      socket.close();
    }
    await expectAlive();
  });
});
