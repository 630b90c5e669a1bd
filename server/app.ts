// One HTTP server: the REST routes (server/http), Socket.IO (server/realtime) and, unless
// disabled, Next.js for everything else, all on one port.
//
// Integration tests call createServer({ next: false, db }) to get the real HTTP + REST +
// Socket.IO stack without building Next.
import { EventEmitter } from 'node:events';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Server as SocketIOServer } from 'socket.io';
import { Fleet } from './bridge/fleet';
import { repoRoot } from './db/config';
import type { Database } from './db/client';
import { createApiHandler } from './http/router';
import { sendJson } from './http/respond';
import { alarmsThread, createServerMonitor, type ServerMonitor } from './monitor/monitor';
import { monitorSettingsFromEnv, type MonitorSettings } from './monitor/settings';
import { attachRealtime } from './realtime/io';
import { ENGINE_VERSION, SERVER_VERSION } from './version';

export interface CreateServerOptions {
  /** false: API + Socket.IO only (tests, headless). true or options: host the Next.js app too
   * (or pass the result of prepareNext(), started while the database opens). */
  next: boolean | { dev?: boolean; dir?: string } | PreparedNext;
  db: Database;
  /** hostname/port Next.js should assume (its dev HMR and absolute URLs); default localhost:3000 */
  hostname?: string;
  port?: number;
  log?: (msg: string, err?: unknown) => void;
  /** server-side monitor settings (default: from the environment, server/monitor/settings.ts) */
  monitor?: MonitorSettings;
}

export interface TwinbenchServer {
  readonly http: Server;
  readonly io: SocketIOServer;
  readonly db: Database;
  /** the server-side monitor (server/monitor), null when TWINBENCH_MONITOR=off */
  readonly monitor: ServerMonitor | null;
  listen(port: number, host?: string): Promise<{ port: number; host: string; url: string }>;
  /** Stops accepting, closes sockets (idle connections at once, busy ones after graceMs), Next. */
  close(graceMs?: number): Promise<void>;
}

export type PreparedNext = {
  request: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  upgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => Promise<void>;
  close: () => Promise<void>;
};

const defaultLog = (msg: string, err?: unknown) => {
  if (err === undefined) console.log(`[server] ${msg}`);
  else console.error(`[server] ${msg}:`, err);
};

export async function prepareNext(
  opts: { dev?: boolean; dir?: string },
  hostname = 'localhost',
  port = 3000,
): Promise<PreparedNext> {
  const { default: next } = await import('next');
  // Next attaches its own 'upgrade' listener (dev HMR at /_next/hmr) to `httpServer`, and would
  // also answer Socket.IO's upgrades. Give it a stand-in emitter instead; the real server's
  // upgrade listener below forwards every non-Socket.IO upgrade to it.
  const upgradeStandIn = new EventEmitter();
  const app = next({
    dev: opts.dev ?? false,
    dir: opts.dir ?? repoRoot,
    hostname,
    port,
    httpServer: upgradeStandIn as unknown as Server,
  });
  await app.prepare();
  // Next installs the listener on its first request; do it now so HMR works from the start.
  (app as unknown as { setupWebSocketHandler?: (s: unknown) => void }).setupWebSocketHandler?.(upgradeStandIn);
  return {
    request: app.getRequestHandler(),
    async upgrade(req, socket, head) {
      if (upgradeStandIn.listenerCount('upgrade') === 0) socket.destroy();
      else upgradeStandIn.emit('upgrade', req, socket, head);
    },
    close: () => app.close(),
  };
}

export async function createServer(opts: CreateServerOptions): Promise<TwinbenchServer> {
  const log = opts.log ?? defaultLog;
  const info = { version: SERVER_VERSION, engineVersion: ENGINE_VERSION };
  const fleet = new Fleet(opts.db, { log: (m, e) => log(`fleet: ${m}`, e) });
  const monitorSettings = opts.monitor ?? monitorSettingsFromEnv();
  const monitor = createServerMonitor(monitorSettings, {
    alarms: alarmsThread(opts.db.config),
    publish: (alert) => fleet.publishAlert(alert),
    log: (m, e) => log(`monitor: ${m}`, e),
  });
  log(
    monitor
      ? `server-side monitor on: safety limits + twin residual ${monitorSettings.residualThresholdV * 1000} mV / ${monitorSettings.residualHoldS} s (${monitorSettings.paramSet})`
      : 'server-side monitor off (TWINBENCH_MONITOR=off): safety and residual alarms come only from open live pages',
  );
  const api = createApiHandler({ ...info, db: opts.db, log, fleet });
  const nextHandlers =
    opts.next === false
      ? null
      : typeof opts.next === 'object' && 'request' in opts.next
        ? opts.next
        : await prepareNext(opts.next === true ? {} : opts.next, opts.hostname ?? 'localhost', opts.port ?? 3000);

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    // Baseline for every answer; the pages' CSP and the rest come from next.config.js (H5).
    res.setHeader('X-Content-Type-Options', 'nosniff');
    void (async () => {
      try {
        if (await api(req, res)) return;
        if (nextHandlers) await nextHandlers.request(req, res);
        else sendJson(res, 404, { error: 'not found' });
      } catch (err) {
        log(`error serving ${req.method} ${req.url}`, err);
        if (!res.headersSent) sendJson(res, 500, { error: 'internal server error' });
        else res.destroy();
      }
    })();
  };

  // Request listener first: engine.io wraps the existing listeners when Socket.IO attaches.
  const http = createHttpServer({ requestTimeout: 60_000, headersTimeout: 30_000 }, onRequest);
  const io = attachRealtime(http, { ...info, db: opts.db, fleet, monitor });

  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if ((req.url ?? '').startsWith('/socket.io/')) return; // engine.io's own listener answers
    if (nextHandlers) {
      nextHandlers.upgrade(req, socket, head).catch((err) => {
        log('upgrade failed', err);
        socket.destroy();
      });
    } else {
      socket.destroy();
    }
  });
  http.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    socket.end(`HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });

  let closing: Promise<void> | null = null;
  return {
    http,
    io,
    db: opts.db,
    monitor,
    listen(port, host = '0.0.0.0') {
      return new Promise((resolve, reject) => {
        const onError = (err: Error) => reject(err);
        http.once('error', onError);
        http.listen(port, host, () => {
          http.off('error', onError);
          const addr = http.address() as AddressInfo;
          const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
          resolve({ port: addr.port, host, url: `http://${shown}:${addr.port}` });
        });
      });
    },
    close(graceMs = 5000) {
      closing ??= (async () => {
        const httpClosed = new Promise<void>((resolve) => {
          if (!http.listening) return resolve();
          http.close(() => resolve());
        });
        // io.close() disconnects the sockets (it also calls http.close(); harmless twice)
        await new Promise<void>((resolve) => io.close(() => resolve()));
        http.closeIdleConnections();
        const timer = setTimeout(() => http.closeAllConnections(), graceMs);
        timer.unref();
        await httpClosed;
        clearTimeout(timer);
        // after the sockets (nothing more is fed), before the caller closes the database
        await monitor?.close();
        if (nextHandlers) await nextHandlers.close();
      })();
      return closing;
    },
  };
}
