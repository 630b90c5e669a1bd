// GET /api/data/<path>.csv on the real server (HTTP stack, Next disabled) over a temporary data
// folder (TWINBENCH_DATA_DIR): serves CSV files below it, refuses everything else with a 404/400/405,
// including traversal (raw, percent-encoded), symlinks out of the folder, other extensions and
// files over the size limit.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type TwinbenchServer } from '../app';
import { openDatabase, type Database } from '../db/client';
import { createTestSqliteConfig } from '../db/testing';
import { MAX_DATA_FILE_BYTES } from './data';

let sqlite: ReturnType<typeof createTestSqliteConfig>;
let db: Database;
let server: TwinbenchServer;
let base: string;
let port: number;
let tmp: string;
const savedEnv = process.env.TWINBENCH_DATA_DIR;
const CSV = 'time_s,current_A\n0,1.5\n1,-2.25\n';

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'twinbench-data-'));
  const root = path.join(tmp, 'data');
  mkdirSync(path.join(root, 'cycles', 'sub dir'), { recursive: true });
  writeFileSync(path.join(root, 'cycles', 'US06.csv'), CSV);
  writeFileSync(path.join(root, 'cycles', 'sub dir', 'a b.csv'), 'x\n1\n');
  writeFileSync(path.join(root, 'cycles', 'notes.txt'), 'secret');
  writeFileSync(path.join(tmp, 'outside.csv'), 'outside\n');
  symlinkSync(path.join(tmp, 'outside.csv'), path.join(root, 'cycles', 'link.csv'));
  writeFileSync(path.join(root, 'big.csv'), '');
  truncateSync(path.join(root, 'big.csv'), MAX_DATA_FILE_BYTES + 1);
  mkdirSync(path.join(root, 'dir.csv'));
  process.env.TWINBENCH_DATA_DIR = root;
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
  if (savedEnv === undefined) delete process.env.TWINBENCH_DATA_DIR;
  else process.env.TWINBENCH_DATA_DIR = savedEnv;
  rmSync(tmp, { recursive: true, force: true });
});

/** A raw request line, so the client does not normalise '..' away. */
function rawGet(target: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.write(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
    let buf = '';
    s.setEncoding('utf8');
    s.on('data', (d) => (buf += d));
    s.on('end', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(buf)?.[1] ?? 0)));
    s.on('error', reject);
  });
}

describe('GET /api/data/<path>.csv', () => {
  it('serves a CSV under the data folder as text/csv', async () => {
    const r = await fetch(`${base}/api/data/cycles/US06.csv`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(r.headers.get('content-length')).toBe(String(CSV.length));
    expect(await r.text()).toBe(CSV);
    const spaced = await fetch(`${base}/api/data/cycles/sub%20dir/a%20b.csv`);
    expect(spaced.status).toBe(200);
    expect(await spaced.text()).toBe('x\n1\n');
    const head = await fetch(`${base}/api/data/cycles/US06.csv`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(CSV.length));
  });

  it('answers 404 for missing files, other extensions, folders and files over the limit', async () => {
    for (const p of ['cycles/missing.csv', 'cycles/notes.txt', 'cycles', 'dir.csv', 'big.csv', '', 'cycles/US06.csv.bak']) {
      const r = await fetch(`${base}/api/data/${p}`);
      expect(r.status, p).toBe(404);
      expect(((await r.json()) as { error: string }).error).toMatch(/not/);
    }
  });

  it('never leaves the data folder (dot segments raw or encoded, symlinks, odd characters)', async () => {
    for (const p of [
      '/api/data/../outside.csv',
      '/api/data/cycles/../../outside.csv',
      '/api/data/%2e%2e/outside.csv',
      '/api/data/cycles/%2E%2E/%2E%2E/outside.csv',
      '/api/data/..%2foutside.csv',
      '/api/data/cycles/link.csv',
      '/api/data//etc/passwd.csv',
      '/api/data/cycles/./US06.csv',
      '/api/data/cycles%5cUS06.csv',
      '/api/data/cycles/US06.csv%00.csv',
    ]) {
      expect(await rawGet(p), p).toBe(404);
    }
    expect(await rawGet('/api/data/cycles/%E0%A4%A.csv')).toBe(400);
  });

  it('allows only GET and HEAD', async () => {
    const r = await fetch(`${base}/api/data/cycles/US06.csv`, { method: 'POST', body: 'x' });
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('GET, HEAD');
    expect((await fetch(`${base}/health`)).status).toBe(200);
  });
});
