// Live-bridge benchmark: N devices x H Hz x C channels into one server process (real process,
// temp SQLite or DATABASE_URL) and one browser-like subscriber on /live subscribed to every
// device; then the same flow over a bare `ws` server (no validation, no database) as a baseline.
//   npm run bench:bridge -- --devices 100 --hz 10 --seconds 10 [--channels 8] [--batch-s 1] [--procs P] [--no-baseline]
//     [--phases N]          (device d samples at (d mod N)/N of the period; default 1: all at once)
//     [--server-prof DIR]   (V8 CPU profile of the server process, node --cpu-prof)
// Devices close their batches at staggered ticks (device d at ticks k with (k + 1 + d) % ticks per batch == 0),
// as independent devices would. Prints one JSON object. Latency = subscriber receive time - the batch's last sample receive
// time `r` (batches are closed right after that sample, so batching delay is not counted).
// server_cpu_pct: server process CPU time / wall time over the send phase (100 = one core).
// device_to_server_* / server_to_browser_*: the latency split at the server's receive time (LiveBatch.s);
// load_avg_1m: the machine's 1-minute load average at the end of the send phase (shared machine);
// drivers_cpu_pct / subscriber_cpu_pct: CPU of the device driver processes and of this process
// (the browser-like subscriber) over the send phase, as server_cpu_pct; server_loop_delay_*: the
// server's event-loop delay over the send phase (from /metrics).
// ws_baseline_ratio = server_cpu_pct / baseline server_cpu_pct (cost of our stack per sample
// relative to bare websockets at the same load).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { io as ioClient, type Socket } from 'socket.io-client';
import { BridgeClient } from '../bridge/client';
import { freePort, repoRoot } from '../bridge/testing';
import { openDatabase } from '../server/db/client';
import { createDeviceRepository } from '../server/db/devices';
import type { Channel, LiveBatch } from '../sim/protocol/bridge';

const { values: a } = parseArgs({
  options: {
    devices: { type: 'string', default: '100' },
    hz: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '10' },
    channels: { type: 'string', default: '8' },
    'batch-s': { type: 'string', default: '1' },
    'no-baseline': { type: 'boolean' },
    'ws-server': { type: 'string' },
    driver: { type: 'string' },
    procs: { type: 'string' },
    /** sampling phases per period: device d samples at (d mod phases) / phases of the period;
     * 1 = every device at the same instant (the worst case), devices = independent clocks */
    phases: { type: 'string', default: '1' },
    /** write a V8 CPU profile of the server process into this directory (node --cpu-prof) */
    'server-prof': { type: 'string' },
  },
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function pct(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

function procCpuS(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12])) / 100; // utime + stime, USER_HZ = 100
}
function procRssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

function waitLine(child: ChildProcess, re: RegExp): Promise<void> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const on = (c: Buffer) => {
      buf += c.toString();
      if (re.test(buf)) {
        child.stdout!.off('data', on);
        resolve();
      }
    };
    child.stdout!.on('data', on);
    child.once('exit', (code) => reject(new Error(`child exited ${code}: ${buf.slice(-500)}`)));
  });
}

// ---- bare ws baseline server (child mode) ----
if (a['ws-server']) {
  const require = createRequire(import.meta.url);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const { WebSocketServer } = require('ws') as any;
  const port = Number(a['ws-server']);
  const wss = new WebSocketServer({ port, host: '127.0.0.1', maxPayload: 1 << 20 });
  const subs = new Set<{ send: (s: string) => void }>();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  wss.on('connection', (ws: any, req: any) => {
    if (req.url === '/sub') {
      subs.add(ws);
      ws.on('close', () => subs.delete(ws));
      return;
    }
    ws.on('message', (data: Buffer) => {
      const m = JSON.parse(data.toString()) as { deviceId: string; seq: number; samples: unknown[] };
      const out = JSON.stringify(m);
      for (const s of subs) s.send(out);
      ws.send(JSON.stringify({ ok: true, seq: m.seq }));
    });
  });
  wss.on('listening', () => process.stdout.write('ws ready\n'));
} else if (a.driver) {
  await driver(a.driver);
} else {
  await main();
}

interface DriverJob {
  base: string;
  tokens: string[];
  offset: number;
  hz: number;
  seconds: number;
  nch: number;
  batchTicks: number;
  phases: number;
}

/** Child mode: drives a slice of the devices; "ready" when connected, starts on "go" (stdin). */
async function driver(file: string) {
  const job = JSON.parse(readFileSync(file, 'utf8')) as DriverJob;
  const channels: Channel[] = Array.from({ length: job.nch }, (_, i) => ({ id: `c${i}`, name: `channel ${i}`, unit: 'V', kind: i === 0 ? 'current' : i === 1 ? 'voltage' : 'other', range: [-1e6, 1e6] }));
  const clients = job.tokens.map((token) => new BridgeClient({ server: job.base, token, channels, flushMs: 3_600_000, maxBatchSamples: 2000, log: () => {} }));
  const t0c = Date.now();
  while (clients.some((c) => !c.snapshot().connected) && Date.now() - t0c < 60_000) await sleep(100);
  process.stdout.write('ready\n');
  await new Promise<void>((r) => process.stdin.once('data', () => r()));
  const w0 = performance.now();
  const ticks = Math.round(job.seconds * job.hz);
  const P = job.phases;
  for (let k = 0; k < ticks; k++) {
    for (let ph = 0; ph < P; ph++) {
      const wait = w0 + ((k + ph / P) * 1000) / job.hz - performance.now();
      if (wait > 0) await sleep(wait);
      for (let i = 0; i < clients.length; i++) {
        const d = job.offset + i;
        if (d % P !== ph) continue;
        const vals = new Array<number>(job.nch);
        for (let c = 0; c < job.nch; c++) vals[c] = Math.sin(k * 0.01 + c + d);
        clients[i].push(k / job.hz, vals);
        if ((k + 1 + d) % job.batchTicks === 0) clients[i].flush();
      }
    }
  }
  for (const c of clients) c.flush();
  await Promise.race([Promise.all(clients.map((c) => c.drain())), sleep(60_000)]);
  const sent = clients.reduce((s, c) => s + c.snapshot().samplesIn, 0);
  const unacked = clients.reduce((s, c) => s + c.snapshot().buffered, 0);
  for (const c of clients) c.close();
  process.stdout.write(JSON.stringify({ sent, unacked }) + '\n');
  process.exit(0);
}

async function main() {
  const devices = Number(a.devices);
  const hz = Number(a.hz);
  const seconds = Number(a.seconds);
  const nch = Number(a.channels);
  const batchTicks = Math.max(1, Math.round(Number(a['batch-s']) * hz));
  const phases = Math.max(1, Math.round(Number(a.phases)));
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'tb-bench-bridge-'));
  const env: Record<string, string | undefined> = {
    ...process.env,
    TWINBENCH_LIVE_MAX_SUBSCRIPTIONS: String(devices + 1),
    TWINBENCH_LIVE_REQUESTS_PER_S: String(Math.max(20, devices)),
    HOST: '127.0.0.1',
  };
  if (!process.env.DATABASE_URL) env.TWINBENCH_SQLITE_PATH = path.join(tmp, 'tb.db');
  const children: ChildProcess[] = [];
  try {
    // devices
    const db = await openDatabase(
      env.TWINBENCH_SQLITE_PATH ? { kind: 'sqlite', file: env.TWINBENCH_SQLITE_PATH } : undefined,
    );
    const repo = createDeviceRepository(db.prisma);
    const tokens: string[] = [];
    const ids: string[] = [];
    for (let k = 0; k < devices; k++) {
      const r = await repo.add({ name: `bench-${process.pid}-${k}` });
      tokens.push(r.token);
      ids.push(r.device.id);
    }
    // server
    const port = await freePort();
    const prof = a['server-prof'] ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(a['server-prof'])] : [];
    // diagnostics, e.g. BENCH_SERVER_NODE_ARGS=--trace-gc (the server's output goes to stderr)
    prof.push(...(process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean));
    const server: ChildProcess = spawn(process.execPath, [...prof, '--import', 'tsx', 'server/main.ts', '--no-next'], {
      cwd: repoRoot,
      env: { ...env, PORT: String(port) } as unknown as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(server);
    if (process.env.BENCH_SERVER_NODE_ARGS) server.stdout!.on('data', (c: Buffer) => process.stderr.write(c));
    await waitLine(server, /server ready on/);
    const base = `http://127.0.0.1:${port}`;

    // subscriber
    const latencies: number[] = [];
    let browserBatches = 0;
    let dropped = 0;
    const sub: Socket = ioClient(`${base}/live`, { transports: ['websocket'], forceNew: true });
    await new Promise<void>((r) => sub.once('connect', () => r()));
    // split of the latency at the server's receive time `s`: device (driver process, network,
    // server event loop until the message is handled) and server to browser (fan-out, subscriber)
    const toServer: number[] = [];
    const toBrowser: number[] = [];
    sub.on('batches', (bs: LiveBatch[]) => {
      const now = Date.now();
      for (const b of bs) {
        browserBatches++;
        const r = b.samples[b.samples.length - 1].r;
        latencies.push(now - r);
        toServer.push(b.s - r);
        toBrowser.push(now - b.s);
      }
    });
    sub.on('dropped', (d: { count: number }) => (dropped += d.count));
    for (let k = 0; k < devices; k += 50) {
      const rs = (await Promise.all(ids.slice(k, k + 50).map((id) => sub.emitWithAck('subscribe', { deviceId: id })))) as { ok: boolean; error?: string }[];
      const bad = rs.find((r) => !r.ok);
      if (bad) throw new Error(`subscribe failed: ${bad.error}`);
    }

    // devices: driven by `procs` child processes (one process cannot drive 1000 socket.io clients
    // at 10 Hz without becoming the bottleneck itself)
    const procs = Math.max(1, Math.min(devices, Number(a.procs ?? Math.min(4, Math.ceil(devices / 250)))));
    const drivers: ChildProcess[] = [];
    const results: Promise<{ sent: number; unacked: number }>[] = [];
    const readies: Promise<void>[] = [];
    for (let p = 0; p < procs; p++) {
      const lo = Math.floor((p * devices) / procs);
      const hi = Math.floor(((p + 1) * devices) / procs);
      const job: DriverJob = { base, tokens: tokens.slice(lo, hi), offset: lo, hz, seconds, nch, batchTicks, phases };
      const file = path.join(tmp, `driver-${p}.json`);
      writeFileSync(file, JSON.stringify(job));
      const child = spawn(process.execPath, ['--import', 'tsx', 'bench/bridge.ts', '--driver', file], { cwd: repoRoot, stdio: ['pipe', 'pipe', 'inherit'] });
      children.push(child);
      drivers.push(child);
      let buf = '';
      readies.push(waitLine(child, /ready/));
      results.push(
        new Promise((resolve, reject) => {
          child.stdout!.on('data', (c: Buffer) => {
            buf += c.toString();
            const m = /(\{.*\})\n/.exec(buf);
            if (m) resolve(JSON.parse(m[1]) as { sent: number; unacked: number });
          });
          child.once('exit', (code) => code !== 0 && reject(new Error(`driver exited ${code}`)));
        }),
      );
    }
    await Promise.all(readies);

    // send phase
    // starts / resets the server's event-loop delay window (reported per scrape)
    await (await fetch(`${base}/metrics`)).text();
    const cpu0 = procCpuS(server.pid!);
    const drv0 = drivers.reduce((t, d) => t + procCpuS(d.pid!), 0);
    const self0 = process.cpuUsage();
    const w0 = performance.now();
    for (const d of drivers) d.stdin!.write('go\n');
    // driver CPU just before they report (they exit right after)
    let drv1 = drv0;
    const drvTimer = setInterval(() => {
      try {
        drv1 = drivers.reduce((t, d) => t + procCpuS(d.pid!), 0);
      } catch {
        /* a driver has exited */
      }
    }, 250);
    const done = await Promise.all(results);
    clearInterval(drvTimer);
    const self1 = process.cpuUsage(self0);
    const wall = (performance.now() - w0) / 1000;
    const drainS = wall - seconds;
    const cpu1 = procCpuS(server.pid!);
    const loadEnd = os.loadavg()[0];
    const rss = procRssMb(server.pid!);
    await sleep(300);
    if (process.env.BENCH_DEBUG) console.error((await (await fetch(`${base}/metrics`)).text()).split('\n').filter((l) => /live|connected|rejected/.test(l) && !l.startsWith('#')).join('\n'));
    // server-side view: bridge receive time -> durable ack (from /metrics)
    const metricsText = await (await fetch(`${base}/metrics`)).text();
    const loopDelay = (q: string) => {
      const m = new RegExp(`^twinbench_event_loop_delay_seconds\\{quantile="${q}"\\} (\\S+)$`, 'm').exec(metricsText);
      return m ? Math.round(Number(m[1]) * 1000) : null;
    };
    const ingest = histogramQuantiles(metricsText, 'twinbench_bridge_ingest_latency_seconds');
    const sent = done.reduce((s, r) => s + r.sent, 0);
    const unacked = done.reduce((s, r) => s + r.unacked, 0);
    sub.close();
    const agg = await db.prisma.sampleBatch.aggregate({ _sum: { count: true } });
    await db.close();
    server.kill('SIGTERM');
    // let it shut down (and write its CPU profile) before anything else runs
    await Promise.race([new Promise((r) => server.once('exit', r)), sleep(15_000)]);

    let baseline: { cpu: number; p50: number; p99: number } | null = null;
    if (!a['no-baseline']) baseline = await wsBaseline(devices, hz, seconds, nch, batchTicks, phases, children);
    const cpuPct = ((cpu1 - cpu0) / wall) * 100;
    process.stdout.write(
      JSON.stringify({
        bench: 'bridge',
        devices,
        hz,
        channels: nch,
        seconds,
        batch_s: batchTicks / hz,
        phases,
        database: process.env.DATABASE_URL ? 'postgresql' : 'sqlite',
        samples_sent: sent,
        samples_stored: agg._sum.count ?? 0,
        unacked_batches: unacked,
        drain_s: +drainS.toFixed(2),
        driver_procs: procs,
        throughput_samples_per_s: Math.round((agg._sum.count ?? 0) / wall),
        browser_batches: browserBatches,
        p50_ms: pct(latencies, 50),
        p99_ms: pct(latencies, 99),
        device_to_server_p50_ms: pct(toServer, 50),
        device_to_server_p99_ms: pct(toServer, 99),
        server_to_browser_p50_ms: pct(toBrowser, 50),
        server_to_browser_p99_ms: pct(toBrowser, 99),
        load_avg_1m: +loadEnd.toFixed(2),
        drivers_cpu_pct: +(((drv1 - drv0) / wall) * 100).toFixed(1),
        subscriber_cpu_pct: +(((self1.user + self1.system) / 1e6 / wall) * 100).toFixed(1),
        dropped_to_browser: dropped,
        server_ingest_p50_ms: ingest.p50,
        server_ingest_p99_ms: ingest.p99,
        server_loop_delay_p99_ms: loopDelay('0.99'),
        server_loop_delay_max_ms: loopDelay('1'),
        server_cpu_pct: +cpuPct.toFixed(1),
        server_rss_mb: +rss.toFixed(0),
        ws_baseline_cpu_pct: baseline ? +baseline.cpu.toFixed(1) : null,
        ws_baseline_p50_ms: baseline?.p50 ?? null,
        ws_baseline_p99_ms: baseline?.p99 ?? null,
        ws_baseline_ratio: baseline && baseline.cpu > 0 ? +(cpuPct / baseline.cpu).toFixed(2) : null,
      }) + '\n',
    );
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function wsBaseline(devices: number, hz: number, seconds: number, nch: number, batchTicks: number, phases: number, children: ChildProcess[]) {
  const require = createRequire(import.meta.url);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const { WebSocket } = require('ws') as any;
  const port = await freePort();
  const srv = spawn(process.execPath, ['--import', 'tsx', 'bench/bridge.ts', '--ws-server', String(port)], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(srv);
  await waitLine(srv, /ws ready/);
  const url = `ws://127.0.0.1:${port}`;
  const open = (p: string) =>
    new Promise<{ send: (s: string) => void; on: (e: string, f: (d: Buffer) => void) => void; close: () => void }>((resolve) => {
      const ws = new WebSocket(url + p);
      ws.on('open', () => resolve(ws));
    });
  const lat: number[] = [];
  const sub = await open('/sub');
  sub.on('message', (d: Buffer) => {
    const m = JSON.parse(d.toString()) as { samples: { r: number }[] };
    lat.push(Date.now() - m.samples[m.samples.length - 1].r);
  });
  const socks = [];
  for (let d = 0; d < devices; d++) socks.push(await open('/dev'));
  const pending: { t: number; r: number; v: number[] }[][] = Array.from({ length: devices }, () => []);
  const seq = new Array<number>(devices).fill(0);
  const cpu0 = procCpuS(srv.pid!);
  const w0 = performance.now();
  const ticks = Math.round(seconds * hz);
  for (let k = 0; k < ticks; k++) for (let ph = 0; ph < phases; ph++) {
    const due = w0 + ((k + ph / phases) * 1000) / hz;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    for (let d = 0; d < devices; d++) {
      if (d % phases !== ph) continue;
      pending[d].push({ t: k / hz, r: Date.now(), v: Array.from({ length: nch }, (_, c) => Math.sin(k * 0.01 + c + d)) });
      if ((k + 1 + d) % batchTicks === 0) {
        socks[d].send(JSON.stringify({ deviceId: `d${d}`, seq: seq[d]++, samples: pending[d] }));
        pending[d] = [];
      }
    }
  }
  await sleep(500);
  const wall = (performance.now() - w0) / 1000;
  const cpu = ((procCpuS(srv.pid!) - cpu0) / wall) * 100;
  for (const s of socks) s.close();
  sub.close();
  srv.kill('SIGTERM');
  return { cpu, p50: pct(lat, 50), p99: pct(lat, 99) };
}

/** p50/p99 upper bucket bounds (ms) of a Prometheus histogram in /metrics text */
function histogramQuantiles(text: string, name: string): { p50: number | null; p99: number | null } {
  const re = new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\S+)$`, 'gm');
  const buckets: [number, number][] = [];
  for (const m of text.matchAll(re)) buckets.push([m[1] === '+Inf' ? Infinity : Number(m[1]), Number(m[2])]);
  const total = buckets.at(-1)?.[1] ?? 0;
  const q = (p: number) => {
    const b = buckets.find(([, c]) => c >= p * total);
    return b ? b[0] * 1000 : null;
  };
  return total ? { p50: q(0.5), p99: q(0.99) } : { p50: null, p99: null };
}
