// Server-side live monitor (issue 5): raises the safety-monitor and twin-residual alarms of every
// connected device without a browser. The live page runs the same checks in its worker
// (workers/live/liveTwin.ts); here they run in a worker thread (core.ts via monitor.worker.ts),
// one twin per device, fed with every batch at the point where it is durable and acked
// (server/bridge/namespaces.ts). The worker writes the alarms to the alert store through its own
// database connection (server/db/alerts.ts: one open alert per device + code, an occurrence
// counted once, so the live page and the server reporting the same sample make one alert, count 1);
// this side pushes the recorded ones to watching browsers (Fleet.publishAlert) and keeps the figures.
//
// Off the socket path, never blocking an ack:
//   - feed() only queues a reference to the batch's samples; once per event-loop turn (setImmediate)
//     the queue is packed into typed arrays (core.ts wire format) and posted (transferred) to the
//     worker, at most MAX_INFLIGHT messages unanswered; the buffers come back and are reused.
//   - The queue is bounded (settings.maxQueuedSamples): when full, the oldest batches are dropped
//     and counted (twinbench_monitor_dropped_batches_total / _samples_total on /metrics); a twin
//     that misses samples steps over the gap with the next sample's current.
//   - Alarm records: alarms.ts in the worker (at most settings.alertsPerS per second, highest
//     severity first, at most settings.maxPendingAlerts waiting).
// Lifecycle of a twin: created from the device's hello (its channels); a hello with the same
// channels (a reconnect) keeps it, other channels rebuild it; after a disconnect it lives
// settings.graceS longer. A device without a current or a voltage channel is not monitored (logged).
// If the worker dies it is restarted after 1 s with fresh twins for the known devices.
import { Worker } from 'node:worker_threads';
import type { Channel, Sample } from '../../sim/protocol/bridge';
import type { AlertRecord, RaiseResult } from '../db/alerts';
import type { DatabaseConfig } from '../db/config';
import { bridgeMetrics, type BridgeMetrics } from '../bridge/metrics';
import { Deque } from './alarms';
import { createMonitorEndpoint, type EndpointSettings, type FromWorker, type MonitorAlert, type ToWorker } from './core';
import type { MonitorSettings } from './settings';

/** the part of the monitor the bridge namespace calls */
export interface BridgeMonitor {
  hello(deviceId: string, channels: Channel[]): void;
  /** a batch that was just stored (new, not a duplicate), in seq order per device */
  feed(deviceId: string, samples: Sample[]): void;
  disconnected(deviceId: string): void;
}

export interface MonitorPort {
  post(m: ToWorker, transfer?: ArrayBuffer[]): void;
  /** stops it at once; nothing is delivered afterwards */
  terminate(): Promise<void>;
}

/** Starts the monitor's worker: `onMessage` gets its answers, `onExit` is called once if it dies. */
export type PortFactory = (settings: EndpointSettings, onMessage: (m: FromWorker) => void, onExit: (err: Error) => void) => MonitorPort;

/** The worker thread (monitorWorker.mjs boots tsx, then monitor.worker.ts), writing alarms to `database`. */
export function workerPort(database: DatabaseConfig): PortFactory {
  return (settings, onMessage, onExit) => {
    const w = new Worker(new URL('./monitorWorker.mjs', import.meta.url), { workerData: { settings, database }, name: 'twinbench-monitor' });
    w.unref();
    let ended = false;
    const end = (e: Error) => {
      if (ended) return;
      ended = true;
      onExit(e);
    };
    w.on('message', (m: FromWorker) => {
      if (!ended) onMessage(m);
    });
    w.on('error', (e) => end(new Error(`the monitor worker failed: ${e.message}`)));
    w.on('exit', (code) => end(new Error(`the monitor worker stopped (exit ${code})`)));
    return {
      post: (m, transfer) => w.postMessage(m, transfer ?? []),
      async terminate() {
        ended = true;
        await w.terminate();
      },
    };
  };
}

/** The same endpoint in this thread, answering asynchronously as a worker would, writing through `raise` (tests). */
export function inlinePort(raise: (a: MonitorAlert) => Promise<RaiseResult>): PortFactory {
  return (settings, onMessage) => {
    let open = true;
    const handle = createMonitorEndpoint(settings, { raise, reply: (m) => setImmediate(() => open && onMessage(m)) });
    return {
      post: (m) => setImmediate(() => open && handle(m)),
      async terminate() {
        open = false;
      },
    };
  };
}

/** unanswered sample messages to the worker */
const MAX_INFLIGHT = 2;
/** rows per sample message (the queue is packed in pieces of about this size) */
const MAX_ROWS_PER_MESSAGE = 10_000;
const RESTART_DELAY_MS = 1000;
/** how long close() waits for the worker to finish the alarm it is writing */
const SHUTDOWN_WAIT_MS = 10_000;
const LOG_EVERY_MS = 10_000;

interface DeviceEntry {
  slot: number;
  /** the advertisement the twin was built from */
  key: string;
  channels: Channel[];
  width: number;
  /** the worker's answer to open: null = not answered yet */
  monitored: boolean | null;
  grace: NodeJS.Timeout | null;
}

interface Item {
  slot: number;
  width: number;
  samples: Sample[];
}

export interface MonitorDeps {
  /** where the core runs and writes alarms: workerPort(db.config), or inlinePort(raise) in tests */
  port: PortFactory;
  /** pushes a recorded alarm to watching browsers (Fleet.publishAlert) */
  publish?: (alert: AlertRecord) => void;
  log?: (msg: string, err?: unknown) => void;
  metrics?: BridgeMetrics;
}

export class ServerMonitor implements BridgeMonitor {
  private devices = new Map<string, DeviceEntry>();
  private nextSlot = 1;
  private port: MonitorPort | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private queue = new Deque<Item>();
  private queuedSamples = 0;
  private inflight = new Map<number, number>(); // message id -> newest receive time in it (ms)
  private nextId = 1;
  private scheduled = false;
  private indexPool: ArrayBuffer[] = [];
  private dataPool: ArrayBuffer[] = [];
  /** alarms waiting or being written in the worker (its last report) */
  private pendingAlerts = 0;
  private closing: ((m: Extract<FromWorker, { type: 'closed' }> | null) => void) | null = null;
  private closed = false;
  private lastLog = new Map<string, { at: number; suppressed: number }>();
  private readonly metrics: BridgeMetrics;
  private readonly log: (msg: string, err?: unknown) => void;
  private readonly endpoint: EndpointSettings;
  private readonly stats: () => { devices: number; queuedSamples: number; pendingAlerts: number };

  constructor(
    readonly settings: MonitorSettings,
    private deps: MonitorDeps,
  ) {
    this.metrics = deps.metrics ?? bridgeMetrics;
    this.log = deps.log ?? ((m, e) => (e === undefined ? console.log(`[monitor] ${m}`) : console.error(`[monitor] ${m}`, e)));
    this.endpoint = {
      paramSet: settings.paramSet,
      residualThresholdV: settings.residualThresholdV,
      residualHoldS: settings.residualHoldS,
      warmupS: settings.warmupS,
      alertsPerS: settings.alertsPerS,
      maxPendingAlerts: settings.maxPendingAlerts,
    };
    this.stats = () => {
      let devices = 0;
      for (const d of this.devices.values()) if (d.monitored === true) devices++;
      return { devices, queuedSamples: this.queuedSamples, pendingAlerts: this.pendingAlerts };
    };
    this.metrics.monitor = this.stats;
  }

  /** Logs at most once per LOG_EVERY_MS per kind (with how many were left out). */
  private logThrottled(kind: string, msg: string, err?: unknown): void {
    const now = Date.now();
    const e = this.lastLog.get(kind);
    if (e && now - e.at < LOG_EVERY_MS) {
      e.suppressed++;
      return;
    }
    this.lastLog.set(kind, { at: now, suppressed: 0 });
    this.log(e?.suppressed ? `${msg} (and ${e.suppressed} more like it)` : msg, err);
  }

  private ensurePort(): MonitorPort | null {
    if (this.port || this.closed || this.restartTimer) return this.port;
    const port = this.deps.port(
      this.endpoint,
      (m) => this.onMessage(m),
      (err) => this.onExit(port, err),
    );
    this.port = port;
    // a (re)started worker gets every known device's twin
    for (const [deviceId, d] of this.devices) {
      d.monitored = null;
      port.post({ type: 'open', slot: d.slot, deviceId, channels: d.channels });
    }
    return port;
  }

  private onExit(port: MonitorPort, err: Error): void {
    if (this.port !== port) return;
    this.port = null;
    this.inflight.clear();
    this.pendingAlerts = 0;
    if (this.closed) return this.closing?.(null);
    this.metrics.monitorRestarts.inc();
    this.log(`${err.message}; restarting it in ${RESTART_DELAY_MS / 1000} s with fresh twins`);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      this.ensurePort();
      this.schedule();
    }, RESTART_DELAY_MS);
    this.restartTimer.unref();
  }

  hello(deviceId: string, channels: Channel[]): void {
    if (this.closed) return;
    const key = JSON.stringify(channels);
    const d = this.devices.get(deviceId);
    if (d) {
      if (d.grace) clearTimeout(d.grace);
      d.grace = null;
      if (d.key === key) return; // a reconnect with the same channels: the twin goes on
      this.port?.post({ type: 'close', slot: d.slot });
    }
    const slot = this.nextSlot++;
    this.devices.set(deviceId, { slot, key, channels, width: 2 + channels.length, monitored: null, grace: null });
    if (this.port) this.port.post({ type: 'open', slot, deviceId, channels });
    else this.ensurePort(); // opens every known device, this one included
  }

  disconnected(deviceId: string): void {
    const d = this.devices.get(deviceId);
    if (!d || this.closed) return;
    if (d.grace) clearTimeout(d.grace);
    d.grace = setTimeout(() => {
      if (this.devices.get(deviceId) !== d) return;
      this.devices.delete(deviceId);
      this.port?.post({ type: 'close', slot: d.slot });
    }, this.settings.graceS * 1000);
    d.grace.unref();
  }

  feed(deviceId: string, samples: Sample[]): void {
    if (this.closed || samples.length === 0) return;
    const d = this.devices.get(deviceId);
    if (!d || d.monitored === false) return;
    this.queue.push({ slot: d.slot, width: d.width, samples });
    this.queuedSamples += samples.length;
    while (this.queuedSamples > this.settings.maxQueuedSamples && this.queue.length) {
      const old = this.queue.shift()!;
      this.queuedSamples -= old.samples.length;
      this.metrics.monitorDroppedBatches.inc();
      this.metrics.monitorDroppedSamples.inc(old.samples.length);
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private static take(pool: ArrayBuffer[], bytes: number): ArrayBuffer {
    for (let k = pool.length - 1; k >= 0; k--) {
      if (pool[k].byteLength >= bytes) return pool.splice(k, 1)[0];
    }
    let size = 1 << 16;
    while (size < bytes) size *= 2;
    return new ArrayBuffer(size);
  }

  private static give(pool: ArrayBuffer[], buf: ArrayBuffer): void {
    if (pool.length < 4 && buf.byteLength > 0) pool.push(buf);
  }

  /** Packs queued batches into typed arrays and posts them, while fewer than MAX_INFLIGHT are unanswered. */
  private flush(): void {
    while (!this.closed && this.inflight.size < MAX_INFLIGHT && this.queue.length) {
      const port = this.ensurePort();
      if (!port) return; // restarting: flushed once it is back
      let items = 0;
      let rows = 0;
      let floats = 0;
      while (items < this.queue.length && rows < MAX_ROWS_PER_MESSAGE) {
        const it = this.queue.at(items++);
        rows += it.samples.length;
        floats += it.samples.length * it.width;
      }
      const index = new Int32Array(ServerMonitor.take(this.indexPool, items * 12), 0, items * 3);
      const data = new Float64Array(ServerMonitor.take(this.dataPool, floats * 8), 0, floats);
      let o = 0;
      let newestR = -Infinity;
      for (let k = 0; k < items; k++) {
        const it = this.queue.shift()!;
        const n = it.samples.length;
        const nv = it.width - 2;
        index[3 * k] = it.slot;
        index[3 * k + 1] = n;
        index[3 * k + 2] = it.width;
        for (let j = 0; j < n; j++) {
          const s = it.samples[j];
          data[o++] = s.t;
          data[o++] = s.r;
          if (s.r > newestR) newestR = s.r;
          const v = s.v;
          for (let c = 0; c < nv; c++) {
            const x = v[c];
            data[o++] = x === null || x === undefined ? NaN : x;
          }
        }
        this.queuedSamples -= n;
      }
      const id = this.nextId++;
      this.inflight.set(id, newestR);
      port.post({ type: 'samples', id, items, index, data }, [index.buffer as ArrayBuffer, data.buffer as ArrayBuffer]);
    }
  }

  private onMessage(m: FromWorker): void {
    if (m.type === 'done') {
      const newestR = this.inflight.get(m.id);
      if (newestR === undefined) return;
      this.inflight.delete(m.id);
      this.pendingAlerts = m.pending;
      ServerMonitor.give(this.indexPool, m.index.buffer as ArrayBuffer);
      ServerMonitor.give(this.dataPool, m.data.buffer as ArrayBuffer);
      this.metrics.monitorSamples.inc(m.samples);
      if (m.resets) this.metrics.monitorResets.inc(m.resets);
      if (Number.isFinite(newestR)) this.metrics.monitorLag.observe((Date.now() - newestR) / 1000);
      this.schedule();
    } else if (m.type === 'alarm') {
      this.pendingAlerts = m.pending;
      const o = m.outcome;
      this.metrics.monitorAlerts.inc(1, { result: o.result });
      if (o.result === 'created' || o.result === 'repeat') this.deps.publish?.(o.alert);
      else if (o.result === 'dropped') this.logThrottled('dropped', `more than ${this.settings.maxPendingAlerts} alarms waiting to be recorded: dropped ${o.input.code} of ${o.input.deviceId}`);
      else if (o.result === 'failed') {
        if (o.code === 'P2003') this.logThrottled('unknown-device', `alarm ${o.input.code} of ${o.input.deviceId} not recorded: the device was removed`);
        else this.logThrottled('failed', `recording alarm ${o.input.code} of ${o.input.deviceId} failed: ${o.error}`);
      }
    } else if (m.type === 'opened') {
      const d = this.devices.get(m.deviceId);
      if (!d || d.slot !== m.slot) return;
      d.monitored = m.ok;
      if (!m.ok) this.log(`device ${m.deviceId} is not monitored: ${m.error}`);
    } else if (m.type === 'failed') {
      // a bug in the core: start afresh rather than carry on with a twin in an unknown state
      const port = this.port;
      if (!port) return;
      this.onExit(port, new Error(`the monitor worker failed: ${m.error}`));
      void port.terminate();
    } else if (m.type === 'closed') {
      this.closing?.(m);
    }
  }

  /** Resolves once every queued batch was checked and every alarm recorded (tests). */
  async idle(timeoutMs = 30_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.queue.length || this.inflight.size || this.pendingAlerts || this.restartTimer) {
      if (Date.now() > until) throw new Error(`the monitor is still busy after ${timeoutMs} ms (${this.queuedSamples} samples queued, ${this.pendingAlerts} alarms waiting)`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /**
   * Stops: no more samples are taken; the worker finishes the alarm it is writing (waiting ones are
   * dropped and logged), closes its database connection and ends. Call before closing the database.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const d of this.devices.values()) if (d.grace) clearTimeout(d.grace);
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const port = this.port;
    if (port) {
      const answer = await new Promise<Extract<FromWorker, { type: 'closed' }> | null>((resolve) => {
        const timer = setTimeout(() => resolve(null), SHUTDOWN_WAIT_MS);
        this.closing = (m) => {
          clearTimeout(timer);
          resolve(m);
        };
        port.post({ type: 'shutdown' });
      });
      if (answer === null) this.log('the monitor worker did not finish its alarms before the shutdown; stopped');
      else if (answer.unwritten) {
        this.metrics.monitorAlerts.inc(answer.unwritten, { result: 'dropped' });
        this.log(`shutting down: ${answer.unwritten} alarms not recorded`);
      }
      await port.terminate();
    }
    this.port = null;
    if (this.metrics.monitor === this.stats) this.metrics.monitor = null;
  }
}

/** The monitor, or null when TWINBENCH_MONITOR=off. */
export function createServerMonitor(settings: MonitorSettings, deps: MonitorDeps): ServerMonitor | null {
  return settings.enabled ? new ServerMonitor(settings, deps) : null;
}
