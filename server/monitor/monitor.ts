// Server-side live monitor (issue 5): raises the safety-monitor and twin-residual alarms of every
// connected device without a browser. The live page runs the same checks in its worker
// (workers/live/liveTwin.ts); here they run in a worker thread (core.ts via monitor.worker.ts),
// one twin per device, fed with every batch at the point where it is durable and acked
// (server/bridge/namespaces.ts). The alarms go to a second worker thread (alarms.ts via
// alarmWriter.worker.ts) that writes them to the alert store through its own database connection
// (server/db/alerts.ts: one open alert per device + code, an occurrence counted once, so the live
// page and the server reporting the same sample make one alert, count 1); this side pushes the
// recorded ones to watching browsers (Fleet.publishAlert) and keeps the figures (/metrics).
//
// Off the socket path, never blocking an ack:
//   - feed() only queues a reference to the batch's samples; once per event-loop turn (setImmediate)
//     the queue is packed into typed arrays (core.ts wire format) and posted (transferred) to the
//     checks worker, at most MAX_INFLIGHT messages unanswered; the buffers come back and are reused.
//   - The queue is bounded (settings.maxQueuedSamples): when full, the oldest batches are dropped
//     and counted (twinbench_monitor_dropped_batches_total / _samples_total); a twin that misses
//     samples steps over the gap with the next sample's current.
//   - Database work never runs here nor in the checks worker: with SQLite every query is
//     synchronous and may wait for the write lock while the sample writer commits. The writer
//     records at most settings.alertsPerS per second, highest severity first, at most
//     settings.maxPendingAlerts waiting.
// Lifecycle of a twin: created from the device's hello (its channels); a hello with the same
// channels (a reconnect) keeps it, other channels rebuild it; after a disconnect it lives
// settings.graceS longer. A device without a current or a voltage channel is not monitored (logged).
// A worker that dies is restarted after 1 s (the checks one with fresh twins for the known devices).
import { Worker } from 'node:worker_threads';
import type { Channel, Sample } from '../../sim/protocol/bridge';
import type { AlertRecord, RaiseResult } from '../db/alerts';
import type { DatabaseConfig } from '../db/config';
import { bridgeMetrics, type BridgeMetrics } from '../bridge/metrics';
import { createAlarmEndpoint, Deque, type FromWriter, type ToWriter } from './alarms';
import { createMonitorEndpoint, type FromWorker, type MonitorAlert, type ToWorker } from './core';
import type { MonitorSettings } from './settings';

/** the part of the monitor the bridge namespace calls */
export interface BridgeMonitor {
  hello(deviceId: string, channels: Channel[]): void;
  /** a batch that was just stored (new, not a duplicate), in seq order per device */
  feed(deviceId: string, samples: Sample[]): void;
  disconnected(deviceId: string): void;
}

export interface Port<In> {
  post(m: In, transfer?: ArrayBuffer[]): void;
  /** stops it at once; nothing is delivered afterwards */
  terminate(): Promise<void>;
}

/** Starts a worker: `onMessage` gets its messages, `onExit` is called once if it dies. */
export type PortFactory<In, Out> = (settings: MonitorSettings, onMessage: (m: Out) => void, onExit: (err: Error) => void) => Port<In>;
export type ChecksFactory = PortFactory<ToWorker, FromWorker>;
export type AlarmsFactory = PortFactory<ToWriter, FromWriter>;

/** the monitor's threads run this much nicer than the server's event loop (Linux; bootWorker.mjs) */
export const MONITOR_NICE = 10;

function thread<In, Out>(entry: string, workerData: object, name: string, onMessage: (m: Out) => void, onExit: (err: Error) => void): Port<In> {
  const entryUrl = new URL(entry, import.meta.url).href;
  const w = new Worker(new URL('./bootWorker.mjs', import.meta.url), { workerData: { ...workerData, entry: entryUrl, nice: MONITOR_NICE }, name });
  w.unref();
  let ended = false;
  const end = (e: Error) => {
    if (ended) return;
    ended = true;
    onExit(e);
  };
  w.on('message', (m: Out) => {
    if (!ended) onMessage(m);
  });
  w.on('error', (e) => end(new Error(`the ${name} worker failed: ${e.message}`)));
  w.on('exit', (code) => end(new Error(`the ${name} worker stopped (exit ${code})`)));
  return {
    post: (m, transfer) => w.postMessage(m, transfer ?? []),
    async terminate() {
      ended = true;
      await w.terminate();
    },
  };
}

const coreSettings = (s: MonitorSettings) => ({ paramSet: s.paramSet, residualThresholdV: s.residualThresholdV, residualHoldS: s.residualHoldS, warmupS: s.warmupS });
const writerSettings = (s: MonitorSettings) => ({ alertsPerS: s.alertsPerS, maxPendingAlerts: s.maxPendingAlerts });

/** The checks in a worker thread (monitor.worker.ts). */
export const checksThread: ChecksFactory = (settings, onMessage, onExit) =>
  thread('./monitor.worker.ts', { settings: coreSettings(settings) }, 'monitor checks', onMessage, onExit);

/** The alarm writer in a worker thread (alarmWriter.worker.ts) on its own connection to `database`. */
export function alarmsThread(database: DatabaseConfig): AlarmsFactory {
  return (settings, onMessage, onExit) => thread('./alarmWriter.worker.ts', { settings: writerSettings(settings), database }, 'monitor alarm writer', onMessage, onExit);
}

/** The checks in this thread, answering asynchronously as a worker would (tests). */
export const inlineChecks: ChecksFactory = (settings, onMessage) => {
  let open = true;
  const handle = createMonitorEndpoint(coreSettings(settings), (m) => setImmediate(() => open && onMessage(m)));
  return {
    post: (m) => setImmediate(() => open && handle(m)),
    async terminate() {
      open = false;
    },
  };
};

/** The alarm writer in this thread, writing through `raise` (tests). */
export function inlineAlarms(raise: (a: MonitorAlert) => Promise<RaiseResult>): AlarmsFactory {
  return (settings, onMessage) => {
    let open = true;
    const handle = createAlarmEndpoint(writerSettings(settings), { raise, reply: (m) => setImmediate(() => open && onMessage(m)) });
    return {
      post: (m) => setImmediate(() => open && handle(m)),
      async terminate() {
        open = false;
      },
    };
  };
}

/** unanswered sample messages to the checks worker */
const MAX_INFLIGHT = 2;
/** rows per sample message (the queue is packed in pieces of about this size) */
const MAX_ROWS_PER_MESSAGE = 10_000;
const RESTART_DELAY_MS = 1000;
/** how long close() waits for the alarm writer to finish the alarm it is writing */
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
  /** where the checks run (default: a worker thread) */
  checks?: ChecksFactory;
  /** where the alarms are written: alarmsThread(db.config), or inlineAlarms(raise) in tests */
  alarms: AlarmsFactory;
  /** pushes a recorded alarm to watching browsers (Fleet.publishAlert) */
  publish?: (alert: AlertRecord) => void;
  log?: (msg: string, err?: unknown) => void;
  metrics?: BridgeMetrics;
}

export class ServerMonitor implements BridgeMonitor {
  private devices = new Map<string, DeviceEntry>();
  private nextSlot = 1;
  private checks: Port<ToWorker> | null = null;
  private checksRestart: NodeJS.Timeout | null = null;
  private writer: Port<ToWriter> | null = null;
  private writerRestart: NodeJS.Timeout | null = null;
  private queue = new Deque<Item>();
  private queuedSamples = 0;
  private inflight = new Map<number, number>(); // message id -> newest receive time in it (ms)
  private nextId = 1;
  private scheduled = false;
  private indexPool: ArrayBuffer[] = [];
  private dataPool: ArrayBuffer[] = [];
  /** alarms sent to the writer and not settled yet; alarms held while it restarts */
  private unsettled = 0;
  private held: MonitorAlert[] = [];
  private closing: ((m: Extract<FromWriter, { type: 'closed' }> | null) => void) | null = null;
  private closed = false;
  private lastLog = new Map<string, { at: number; suppressed: number }>();
  private readonly metrics: BridgeMetrics;
  private readonly log: (msg: string, err?: unknown) => void;
  private readonly stats: () => { devices: number; queuedSamples: number; pendingAlerts: number };

  constructor(
    readonly settings: MonitorSettings,
    private deps: MonitorDeps,
  ) {
    this.metrics = deps.metrics ?? bridgeMetrics;
    this.log = deps.log ?? ((m, e) => (e === undefined ? console.log(`[monitor] ${m}`) : console.error(`[monitor] ${m}`, e)));
    this.stats = () => {
      let devices = 0;
      for (const d of this.devices.values()) if (d.monitored === true) devices++;
      return { devices, queuedSamples: this.queuedSamples, pendingAlerts: this.unsettled + this.held.length };
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

  // ---- the checks worker ----

  private ensureChecks(): Port<ToWorker> | null {
    if (this.checks || this.closed || this.checksRestart) return this.checks;
    const port = (this.deps.checks ?? checksThread)(
      this.settings,
      (m) => this.onChecks(m),
      (err) => this.onChecksExit(port, err),
    );
    this.checks = port;
    // a (re)started worker gets every known device's twin
    for (const [deviceId, d] of this.devices) {
      d.monitored = null;
      port.post({ type: 'open', slot: d.slot, deviceId, channels: d.channels });
    }
    return port;
  }

  private onChecksExit(port: Port<ToWorker>, err: Error): void {
    if (this.checks !== port) return;
    this.checks = null;
    this.inflight.clear();
    if (this.closed) return;
    this.metrics.monitorRestarts.inc();
    this.log(`${err.message}; restarting it in ${RESTART_DELAY_MS / 1000} s with fresh twins`);
    this.checksRestart = setTimeout(() => {
      this.checksRestart = null;
      this.ensureChecks();
      this.schedule();
    }, RESTART_DELAY_MS);
    this.checksRestart.unref();
  }

  hello(deviceId: string, channels: Channel[]): void {
    if (this.closed) return;
    const key = JSON.stringify(channels);
    const d = this.devices.get(deviceId);
    if (d) {
      if (d.grace) clearTimeout(d.grace);
      d.grace = null;
      if (d.key === key) return; // a reconnect with the same channels: the twin goes on
      this.checks?.post({ type: 'close', slot: d.slot });
    }
    const slot = this.nextSlot++;
    this.devices.set(deviceId, { slot, key, channels, width: 2 + channels.length, monitored: null, grace: null });
    if (this.checks) this.checks.post({ type: 'open', slot, deviceId, channels });
    else this.ensureChecks(); // opens every known device, this one included
  }

  disconnected(deviceId: string): void {
    const d = this.devices.get(deviceId);
    if (!d || this.closed) return;
    if (d.grace) clearTimeout(d.grace);
    d.grace = setTimeout(() => {
      if (this.devices.get(deviceId) !== d) return;
      this.devices.delete(deviceId);
      this.checks?.post({ type: 'close', slot: d.slot });
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
      const port = this.ensureChecks();
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

  private onChecks(m: FromWorker): void {
    if (m.type === 'done') {
      const newestR = this.inflight.get(m.id);
      if (newestR === undefined) return;
      this.inflight.delete(m.id);
      ServerMonitor.give(this.indexPool, m.index.buffer as ArrayBuffer);
      ServerMonitor.give(this.dataPool, m.data.buffer as ArrayBuffer);
      this.metrics.monitorSamples.inc(m.samples);
      if (m.resets) this.metrics.monitorResets.inc(m.resets);
      if (Number.isFinite(newestR)) this.metrics.monitorLag.observe((Date.now() - newestR) / 1000);
      if (m.alerts.length) this.sendAlarms(m.alerts);
      this.schedule();
    } else if (m.type === 'opened') {
      const d = this.devices.get(m.deviceId);
      if (!d || d.slot !== m.slot) return;
      d.monitored = m.ok;
      if (!m.ok) this.log(`device ${m.deviceId} is not monitored: ${m.error}`);
    } else if (m.type === 'failed') {
      // a bug in the core: start afresh rather than carry on with a twin in an unknown state
      const port = this.checks;
      if (!port) return;
      this.onChecksExit(port, new Error(`the monitor checks failed: ${m.error}`));
      void port.terminate();
    }
  }

  // ---- the alarm writer ----

  private sendAlarms(alerts: MonitorAlert[]): void {
    if (this.closed) return;
    if (!this.writer && !this.writerRestart) {
      const port = this.deps.alarms(
        this.settings,
        (m) => this.onWriter(m),
        (err) => this.onWriterExit(port, err),
      );
      this.writer = port;
    }
    if (this.writer) {
      this.unsettled += alerts.length;
      this.writer.post({ type: 'alarms', alerts });
      return;
    }
    // restarting: held here, within the same bound
    for (const a of alerts) this.held.push(a);
    const over = this.held.length - this.settings.maxPendingAlerts;
    if (over > 0) {
      this.held.splice(0, over);
      this.metrics.monitorAlerts.inc(over, { result: 'dropped' });
    }
  }

  private onWriterExit(port: Port<ToWriter>, err: Error): void {
    if (this.writer !== port) return;
    this.writer = null;
    const lost = this.unsettled;
    this.unsettled = 0;
    if (this.closed) return this.closing?.(null);
    if (lost) this.metrics.monitorAlerts.inc(lost, { result: 'dropped' });
    this.metrics.monitorRestarts.inc();
    this.log(`${err.message}${lost ? ` (${lost} alarms not recorded)` : ''}; restarting it in ${RESTART_DELAY_MS / 1000} s`);
    this.writerRestart = setTimeout(() => {
      this.writerRestart = null;
      const held = this.held.splice(0);
      if (held.length) this.sendAlarms(held);
    }, RESTART_DELAY_MS);
    this.writerRestart.unref();
  }

  private onWriter(m: FromWriter): void {
    if (m.type === 'alarm') {
      this.unsettled = Math.max(0, this.unsettled - 1);
      const o = m.outcome;
      this.metrics.monitorAlerts.inc(1, { result: o.result });
      if (o.result === 'created' || o.result === 'repeat') this.deps.publish?.(o.alert);
      else if (o.result === 'dropped') this.logThrottled('dropped', `more than ${this.settings.maxPendingAlerts} alarms waiting to be recorded: dropped ${o.input.code} of ${o.input.deviceId}`);
      else if (o.result === 'failed') {
        if (o.code === 'P2003') this.logThrottled('unknown-device', `alarm ${o.input.code} of ${o.input.deviceId} not recorded: the device was removed`);
        else this.logThrottled('failed', `recording alarm ${o.input.code} of ${o.input.deviceId} failed: ${o.error}`);
      }
    } else if (m.type === 'closed') {
      this.closing?.(m);
    }
  }

  /** Resolves once every queued batch was checked and every alarm settled (tests). */
  async idle(timeoutMs = 30_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.queue.length || this.inflight.size || this.unsettled || this.held.length || this.checksRestart || this.writerRestart) {
      if (Date.now() > until) throw new Error(`the monitor is still busy after ${timeoutMs} ms (${this.queuedSamples} samples queued, ${this.unsettled + this.held.length} alarms waiting)`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /**
   * Stops: no more samples are taken; the alarm writer finishes the alarm it is writing (waiting
   * ones are dropped and logged), closes its database connection and ends. Call before closing the
   * database.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const d of this.devices.values()) if (d.grace) clearTimeout(d.grace);
    if (this.checksRestart) clearTimeout(this.checksRestart);
    if (this.writerRestart) clearTimeout(this.writerRestart);
    const checks = this.checks;
    this.checks = null;
    const writer = this.writer;
    let unwritten = this.held.length;
    if (writer) {
      const answer = await new Promise<Extract<FromWriter, { type: 'closed' }> | null>((resolve) => {
        const timer = setTimeout(() => resolve(null), SHUTDOWN_WAIT_MS);
        this.closing = (m) => {
          clearTimeout(timer);
          resolve(m);
        };
        writer.post({ type: 'shutdown' });
      });
      if (answer === null) this.log('the alarm writer did not finish before the shutdown; stopped');
      else unwritten += answer.unwritten;
      await writer.terminate();
      this.writer = null;
    }
    await checks?.terminate();
    if (unwritten) {
      this.metrics.monitorAlerts.inc(unwritten, { result: 'dropped' });
      this.log(`shutting down: ${unwritten} alarms not recorded`);
    }
    if (this.metrics.monitor === this.stats) this.metrics.monitor = null;
    const x = this.metrics;
    const n = x.monitorSamples.get();
    if (n > 0) {
      const a = (result: string) => x.monitorAlerts.get({ result });
      this.log(
        `checked ${n} samples; alarms created ${a('created')}, repeats ${a('repeat')}, re-reports ${a('rereport')}, dropped ${a('dropped')}, failed ${a('failed')}; ` +
          `batches dropped from the queue ${x.monitorDroppedBatches.get()}`,
      );
    }
  }
}

/** The monitor, or null when TWINBENCH_MONITOR=off. */
export function createServerMonitor(settings: MonitorSettings, deps: MonitorDeps): ServerMonitor | null {
  return settings.enabled ? new ServerMonitor(settings, deps) : null;
}
