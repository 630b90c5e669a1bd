// Wires the live bridge (issue 5) into Socket.IO: /bridge for devices, subscriptions and
// commands on /live for browsers. Called from attachRealtime when a database is given.
//
// Scale-out: with REDIS_URL set, the Socket.IO Redis adapter (@socket.io/redis-adapter) joins
// the server processes (which share one PostgreSQL): batches and device status are forwarded to
// the other processes' /live subscribers (serverSideEmit), commands reach a device connected to
// another process, and the device list shows devices connected anywhere (fetchSockets).
// TWINBENCH_REDIS_PREFIX (default 'twinbench') separates deployments on one Redis.
import type { Server as SocketIOServer } from 'socket.io';
import type { Command, CommandAck, LiveBatch, Status } from '../../sim/protocol/bridge';
import type { Fleet } from '../bridge/fleet';
import { BridgeHub, rateFromEnv, type RateConfig } from '../bridge/hub';
import { registerBridgeNamespace, registerLiveBridge } from '../bridge/namespaces';
import { GroupWriter } from '../bridge/writer';
import type { Database } from '../db/client';
import { createDeviceRepository, type DeviceRecord } from '../db/devices';
import { createSampleWriter } from '../db/sampleWriter';
import { createSampleRepository } from '../db/samples';
import type { BridgeMonitor } from '../monitor/monitor';

export interface BridgeRealtimeOptions {
  db: Database;
  version: string;
  rate?: RateConfig;
  redisUrl?: string;
  log?: (msg: string, err?: unknown) => void;
  /** fleet view (server/bridge/fleet.ts): gets the hub, device alarms and the /live room */
  fleet?: Fleet;
  /** server-side monitor (server/monitor/monitor.ts): gets every connected device's stored batches */
  monitor?: BridgeMonitor | null;
}

export function registerBridgeRealtime(io: SocketIOServer, opts: BridgeRealtimeOptions): BridgeHub {
  const log = opts.log ?? ((msg: string, err?: unknown) => (err === undefined ? console.log(`[bridge] ${msg}`) : console.error(`[bridge] ${msg}`, err)));
  const hub = new BridgeHub(opts.rate ?? rateFromEnv());
  const samples = createSampleRepository(opts.db.prisma);
  const bridgeNsp = io.of('/bridge');
  const liveNsp = io.of('/live');
  let scaled = false;
  const sampleWriter = createSampleWriter(opts.db.config);
  io.httpServer?.once('close', () => void sampleWriter.close().catch((e) => log('closing the sample writer failed', e)));
  const ctx = {
    devices: createDeviceRepository(opts.db.prisma),
    samples,
    writer: new GroupWriter(sampleWriter),
    hub,
    version: opts.version,
    log,
    async connectedDeviceIds(): Promise<Set<string>> {
      if (!scaled) return new Set([...bridgeNsp.sockets.values()].map((s) => (s.data as { device?: DeviceRecord }).device?.id ?? ''));
      try {
        const socks = await bridgeNsp.timeout(2000).fetchSockets();
        return new Set(socks.map((s) => (s.data as { device?: DeviceRecord }).device?.id ?? ''));
      } catch {
        return new Set([...bridgeNsp.sockets.values()].map((s) => (s.data as { device?: DeviceRecord }).device?.id ?? ''));
      }
    },
  };
  registerBridgeNamespace(bridgeNsp, { ...ctx, fleet: opts.fleet, monitor: opts.monitor });
  registerLiveBridge(liveNsp, ctx);
  opts.fleet?.attach(hub, liveNsp, () => ctx.connectedDeviceIds());

  const redisUrl = opts.redisUrl ?? process.env.REDIS_URL;
  if (redisUrl) void enableScaleOut(io, hub, redisUrl, log).then((ok) => (scaled = ok));
  return hub;
}

async function enableScaleOut(io: SocketIOServer, hub: BridgeHub, url: string, log: (m: string, e?: unknown) => void): Promise<boolean> {
  try {
    const [{ createClient }, { createAdapter }] = await Promise.all([import('redis'), import('@socket.io/redis-adapter')]);
    const pub = createClient({ url });
    const sub = pub.duplicate();
    pub.on('error', (e: Error) => log(`redis: ${e.message}`));
    sub.on('error', (e: Error) => log(`redis: ${e.message}`));
    await Promise.all([pub.connect(), sub.connect()]);
    io.adapter(createAdapter(pub, sub, { key: process.env.TWINBENCH_REDIS_PREFIX ?? 'twinbench', requestsTimeout: 10_000 }));
    io.httpServer?.once('close', () => {
      void pub.quit().catch(() => {});
      void sub.quit().catch(() => {});
    });
    const live = io.of('/live');
    hub.remote = {
      publish: (batch) => live.serverSideEmit('bridge:batch', batch),
      status: (deviceId, status) => live.serverSideEmit('bridge:status', deviceId, status),
      command: async (deviceId, cmd) => {
        // the other processes answer within the adapter's requestsTimeout (10 s): null, or the ack
        return new Promise<CommandAck | null>((resolve) => {
          live.serverSideEmit('bridge:command', deviceId, cmd, (err: Error | null, answers: (CommandAck | null)[]) => {
            resolve((answers ?? []).find((a) => a) ?? null);
          });
        });
      },
    };
    live.on('bridge:batch', (batch: LiveBatch) => hub.publishLocal(batch));
    live.on('bridge:status', (deviceId: string, status: Status) => hub.statusToSubscribers(deviceId, status, true));
    live.on('bridge:command', (deviceId: string, cmd: Command, ack: (a: CommandAck | null) => void) => {
      void hub.commandLocalOrNull(deviceId, cmd).then(ack, () => ack(null));
    });
    log(`scale-out: Socket.IO Redis adapter on ${url.replace(/\/\/[^@]*@/, '//***@')}`);
    return true;
  } catch (err) {
    log(`REDIS_URL is set but Redis is not usable (${(err as Error).message}); running without scale-out`);
    return false;
  }
}
