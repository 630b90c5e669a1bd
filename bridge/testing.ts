// Helpers for the bridge's integration tests: real server / CLI processes, a TCP proxy whose
// connections can be cut, free ports.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer as createNetServer, connect, type Server, type Socket } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const dataDir = process.env.TWINBENCH_DATA_DIR ?? path.resolve(repoRoot, '..', 'shared', 'data');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface Proc {
  child: ChildProcess;
  out: string[];
  err: string[];
  exited: Promise<number | null>;
  waitFor(re: RegExp, timeoutMs?: number): Promise<string>;
}

export function startProc(args: string[], env: Record<string, string>): Proc {
  const child = spawn(process.execPath, args, { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: string[] = [];
  const err: string[] = [];
  const waiters: { re: RegExp; resolve: (l: string) => void }[] = [];
  const feed = (buf: string[], chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line) continue;
      buf.push(line);
      for (const w of waiters.slice()) if (w.re.test(line)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  };
  child.stdout!.on('data', (c: Buffer) => feed(out, c));
  child.stderr!.on('data', (c: Buffer) => feed(err, c));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    out,
    err,
    exited,
    waitFor(re, timeoutMs = 30_000) {
      const hit = [...out, ...err].find((l) => re.test(l));
      if (hit) return Promise.resolve(hit);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`timeout waiting for ${re}; stderr:\n${err.slice(-20).join('\n')}`)), timeoutMs);
        waiters.push({ re, resolve: (l) => (clearTimeout(t), resolve(l)) });
        void exited.then((code) => {
          clearTimeout(t);
          reject(new Error(`process exited (${code}) before ${re}; stderr:\n${err.slice(-20).join('\n')}`));
        });
      });
    },
  };
}

/** `node --import tsx server/main.ts --no-next` on 127.0.0.1:port */
export async function startServer(port: number, env: Record<string, string>): Promise<Proc> {
  const p = startProc(['--import', 'tsx', 'server/main.ts', '--no-next'], { PORT: String(port), HOST: '127.0.0.1', ...env });
  await p.waitFor(/server ready on/, 60_000);
  return p;
}

export function cli(args: string[], env: Record<string, string>): Proc {
  return startProc(['bin/twinbench.mjs', ...args], env);
}

/** A TCP proxy to 127.0.0.1:target; cut() destroys every open connection (both sides). */
export async function startProxy(target: number): Promise<{ port: number; cut(): number; close(): Promise<void> }> {
  const open = new Set<Socket>();
  const server: Server = createNetServer((client) => {
    const upstream = connect(target, '127.0.0.1');
    open.add(client);
    open.add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as { port: number }).port,
    cut() {
      const n = open.size / 2;
      for (const s of [...open]) s.destroy();
      open.clear();
      return n;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of open) s.destroy();
        server.close(() => r());
      }),
  };
}
