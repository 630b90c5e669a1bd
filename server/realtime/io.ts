// Socket.IO on the same HTTP server and port as Next.js and the REST API.
//
// Namespaces:
//   /live    browsers. Now: `hello` -> { server, engineVersion }. The live bridge (issue 5) adds
//            device subscriptions and batches here.
//   /bridge  (issue 5) devices with per-device tokens; register it next to /live in attachRealtime.
// Scale-out (issue 5): with REDIS_URL set, install @socket.io/redis-adapter on `io` here.
import type { Server as HttpServer } from 'node:http';
import { Server as SocketIOServer } from 'socket.io';
import { registerLive } from './live';

export interface RealtimeOptions {
  version: string;
  engineVersion: string;
}

export function attachRealtime(httpServer: HttpServer, opts: RealtimeOptions): SocketIOServer {
  const io = new SocketIOServer(httpServer, {
    serveClient: false,
    // other upgrade paths (Next's dev HMR) are routed by server/app.ts; engine.io must not kill them
    destroyUpgrade: false,
    maxHttpBufferSize: 1024 * 1024,
    connectTimeout: 10_000,
    // same origin only: no CORS headers are sent
  });
  registerLive(io.of('/live'), opts);
  return io;
}
