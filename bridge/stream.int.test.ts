// End to end with real processes: the 25 degC US06 drive cycle (Panasonic 18650PF) streamed by
// `twinbench bridge --source csv:...` at high speed into `server/main.ts`, through a TCP proxy
// whose connections are cut several times, and the server killed (SIGKILL) and restarted once
// mid-stream. Afterwards the store holds every sample of the file exactly once (count, and a
// sha-256 over all samples in time order, against the file).
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../server/db/client';
import { createSampleRepository } from '../server/db/samples';
import { cli, dataDir, freePort, startProxy, startServer, type Proc } from './testing';

const FILE = path.join(dataDir, 'panasonic-18650pf', 'drive_cycles_1hz', '25degC_US06.csv');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'tb-bridge-int-'));
const env = { TWINBENCH_SQLITE_PATH: path.join(tmp, 'tb.db') };
const procs: Proc[] = [];

afterAll(() => {
  for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
});

/** "t,v0,v1,..." per sample, sorted by t, hashed; current negated as the bridge sends it */
function fileDigest(): { count: number; sha: string } {
  const lines = readFileSync(FILE, 'utf8').trim().split(/\r?\n/);
  const header = lines[0].split(',');
  const ci = header.indexOf('current_A');
  const rows = lines.slice(1).map((l) => {
    const p = l.split(',').map(Number);
    return [p[0], ...p.slice(1).map((x, k) => (k + 1 === ci ? -x : x))];
  });
  return digest(rows);
}

function digest(rows: (number | null)[][]): { count: number; sha: string } {
  rows.sort((a, b) => (a[0] as number) - (b[0] as number));
  const h = createHash('sha256');
  for (const r of rows) h.update(r.map((x) => (x === null ? '' : String(x))).join(',') + '\n');
  return { count: rows.length, sha: h.digest('hex') };
}

describe('bridge end to end', () => {
  it('stores every sample exactly once despite cut connections and a server restart', async () => {
    const port = await freePort();
    let server = await startServer(port, env);
    procs.push(server);
    const add = cli(['device', 'add', 'us06 replay', '--json'], env);
    procs.push(add);
    expect(await add.exited).toBe(0);
    const { token, id } = JSON.parse(add.out.join('')) as { token: string; id: string };

    const proxy = await startProxy(port);
    const bridge = cli(
      ['bridge', '--server', `http://127.0.0.1:${proxy.port}`, '--token', token, '--source', `csv:${FILE}`, '--speed', '500', '--flush-ms', '100', '--backoff-max-ms', '1000', '--stats'],
      {},
    );
    procs.push(bridge);
    await bridge.waitFor(/connected as/);
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const cuts: number[] = [];
    await sleep(1200);
    cuts.push(proxy.cut());
    await sleep(1500);
    cuts.push(proxy.cut());
    await sleep(1000);
    // server crash + restart mid-stream
    server.child.kill('SIGKILL');
    await server.exited;
    await sleep(300);
    server = await startServer(port, env);
    procs.push(server);
    await sleep(1500);
    cuts.push(proxy.cut());
    const code = await bridge.exited;
    const stats = JSON.parse(bridge.out.filter((l) => l.startsWith('{')).at(-1)!) as Record<string, number>;
    expect(code, bridge.err.join('\n')).toBe(0);
    expect(cuts.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);
    expect(stats.reconnects).toBeGreaterThanOrEqual(3);
    expect(stats.buffered).toBe(0);

    const db = await openDatabase({ kind: 'sqlite', file: env.TWINBENCH_SQLITE_PATH });
    try {
      const samples = createSampleRepository(db.prisma);
      const rows: (number | null)[][] = [];
      let after = -1;
      for (;;) {
        const page = await samples.page(id, after, 500);
        if (page.length === 0) break;
        for (const b of page) for (const s of b.samples) rows.push([s.t, ...s.v]);
        after = page[page.length - 1].seq;
      }
      const want = fileDigest();
      expect(new Set(rows.map((r) => r[0])).size).toBe(rows.length); // no sample twice
      const got = digest(rows);
      expect(got.count).toBe(want.count);
      expect(got.count).toBe(4812);
      expect(got.sha).toBe(want.sha);
      console.log(JSON.stringify({ test: 'us06-e2e', samples: got.count, sha256: got.sha.slice(0, 16), cuts, ...stats }));
    } finally {
      await db.close();
    }
    server.child.kill('SIGTERM');
    await server.exited;
    await proxy.close();
  });
});
