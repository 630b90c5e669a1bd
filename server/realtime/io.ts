// Socket.IO on the same HTTP server and port as Next.js and the REST API.
//
// Namespaces:
//   /live    browsers. Now: `hello` -> { server, engineVersion }. The live bridge (issue 5) adds
//            device subscriptions and batches here.
//   /bridge  devices with per-device tokens (issue 5): server/realtime/bridge.ts, registered below
//            when a database is given; it also adds subscriptions and commands to /live.
// Scale-out (issue 5): with REDIS_URL set, server/realtime/bridge.ts installs the Redis adapter.
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import { Server as SocketIOServer } from 'socket.io';
import type { Fleet } from '../bridge/fleet';
import type { Database } from '../db/client';
import type { BridgeMonitor } from '../monitor/monitor';
import { registerBridgeRealtime } from './bridge';
import { registerLive } from './live';

export interface RealtimeOptions {
  version: string;
  engineVersion: string;
  /** with a database: the live bridge (/bridge devices, /live subscriptions), server/realtime/bridge.ts */
  db?: Database;
  /** the fleet view's service (alerts, device status), wired to the bridge when a database is given */
  fleet?: Fleet;
  /** the server-side monitor (server/monitor), fed by the bridge when a database is given */
  monitor?: BridgeMonitor | null;
}

/**
 * Browsers may open WebSockets to any origin (CORS does not apply), so a page from another site
 * could connect. Accept connections without an Origin header (Node clients: CLI, bridge), from
 * the same host, or from TWINBENCH_ALLOWED_ORIGINS (comma-separated, e.g. behind a proxy).
 */
export function isAllowedOrigin(req: IncomingMessage, extra: readonly string[] = allowedOriginsFromEnv()): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  if (extra.includes(origin)) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

function allowedOriginsFromEnv(): string[] {
  return (process.env.TWINBENCH_ALLOWED_ORIGINS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function attachRealtime(httpServer: HttpServer, opts: RealtimeOptions): SocketIOServer {
  const extra = allowedOriginsFromEnv();
  const io = new SocketIOServer(httpServer, {
    serveClient: false,
    // other upgrade paths (Next's dev HMR) are routed by server/app.ts; engine.io must not kill them
    destroyUpgrade: false,
    maxHttpBufferSize: 1024 * 1024,
    connectTimeout: 10_000,
    // same origin only: no CORS headers are sent, and other origins are refused here
    allowRequest: (req, callback) => {
      const ok = isAllowedOrigin(req, extra);
      callback(ok ? null : 'origin not allowed', ok);
    },
  });
  registerLive(io.of('/live'), opts);
  if (opts.db) registerBridgeRealtime(io, { db: opts.db, version: opts.version, fleet: opts.fleet, monitor: opts.monitor });
  return io;
}
