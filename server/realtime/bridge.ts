// Wires the live bridge (issue 5) into Socket.IO: /bridge for devices, subscriptions and
// commands on /live for browsers. Called from attachRealtime when a database is given.
import type { Server as SocketIOServer } from 'socket.io';
import { BridgeHub, rateFromEnv, type RateConfig } from '../bridge/hub';
import { registerBridgeNamespace, registerLiveBridge } from '../bridge/namespaces';
import { GroupWriter } from '../bridge/writer';
import type { Database } from '../db/client';
import { createDeviceRepository } from '../db/devices';
import { createSampleRepository } from '../db/samples';

export interface BridgeRealtimeOptions {
  db: Database;
  version: string;
  rate?: RateConfig;
  log?: (msg: string, err?: unknown) => void;
}

export function registerBridgeRealtime(io: SocketIOServer, opts: BridgeRealtimeOptions): BridgeHub {
  const hub = new BridgeHub(opts.rate ?? rateFromEnv());
  const samples = createSampleRepository(opts.db.prisma);
  const ctx = {
    devices: createDeviceRepository(opts.db.prisma),
    samples,
    writer: new GroupWriter(samples),
    hub,
    version: opts.version,
    log: opts.log ?? ((msg: string, err?: unknown) => console.error(`[bridge] ${msg}`, err ?? '')),
  };
  registerBridgeNamespace(io.of('/bridge'), ctx);
  registerLiveBridge(io.of('/live'), ctx);
  return hub;
}
