// In-process hub of the live bridge: which device is connected on which socket, its last
// advertisement, per-device write chains (batches of a device are stored in order, one at a
// time) and rate limits, and the browser subscriptions of /live.
//
// Fan-out: batches for a browser are collected during one event-loop turn and sent as ONE
// `batches` message (LiveBatch[]): with many devices that is one WebSocket frame per turn instead of
// one per batch (profiling 1,000 devices showed the per-frame encode + write syscall as the
// largest cost after the database). No timer: the flush runs at setImmediate, and within a long
// turn (a burst of many devices) a subscriber's batches go out once the oldest waited
// `maxCoalesceMs` (5 ms): at most ~200 frames/s per subscriber, at most ~5 ms added.
//
// Slow browsers: before each send the subscriber's engine.io write buffer is checked. Packets
// waiting there are normal in a burst (the transport sends one frame set at a time), so a browser
// counts as slow when its buffer has not drained for `maxStallMs` while packets wait, or holds more
// than `maxPendingPackets`. Then its batches are dropped and counted; the next message that goes
// through is preceded by a `dropped` notice { deviceId, count } per device. The server never waits
// for a browser, and a stalled one costs at most maxPendingPackets of memory.
import type { Socket } from 'socket.io';
import { interlock, type Command, type CommandAck, type Hello, type LiveBatch, type Sample, type Status } from '../../sim/protocol/bridge';
import { bridgeMetrics, type BridgeMetrics } from './metrics';
import { TokenBucket } from './rateLimit';

export interface RateConfig {
  batchesPerS: number;
  samplesPerS: number;
}

export function rateFromEnv(env: Record<string, string | undefined> = process.env): RateConfig {
  const num = (k: string, d: number) => {
    const v = Number(env[k]);
    return Number.isFinite(v) && v > 0 ? v : d;
  };
  return {
    batchesPerS: num('TWINBENCH_BRIDGE_BATCHES_PER_S', 50),
    samplesPerS: num('TWINBENCH_BRIDGE_SAMPLES_PER_S', 20_000),
  };
}

interface DeviceState {
  socket: Socket | null;
  hello: Hello | null;
  /** highest stored seq known here (-2: not loaded) */
  lastSeq: number;
  /** highest seq sent to the browsers (they get a batch as soon as it is validated, before it is
   * durable: fan-out needs no ack; a resent batch is not sent twice) */
  published: number;
  /** after a transient refusal of seq k (rate limit, busy, store error), later batches are
   * refused until k arrives again, so the device's batches are stored in order */
  resendFrom: number | null;
  chain: Promise<void>;
  pending: number;
  /** fleet view: when the newest batch arrived (server clock, ms; 0 = none seen here) and its
   * last sample, and the device's last status message */
  lastDataAt: number;
  latest: Sample | null;
  status: (Status & { at: number }) | null;
  batches: TokenBucket;
  samples: TokenBucket;
  subscribers: Set<Socket>;
}

interface SubscriberState {
  dropped: Map<string, number>;
  lastDrain: number;
  /** batches collected in this event-loop turn, the first one at `since` (ms, hub.now) */
  outbox: LiveBatch[];
  since: number;
}

export class BridgeHub {
  private devices = new Map<string, DeviceState>();
  private subs = new WeakMap<Socket, SubscriberState>();
  private dirty = new Set<Socket>();
  private flushScheduled = false;
  maxPendingPackets = 4096;
  maxStallMs = 1000;
  now: () => number = Date.now;
  /** a subscriber's batches wait at most this long for the end of the event-loop turn (ms) */
  maxCoalesceMs = 5;
  /** batches queued per device before the server answers 'busy' */
  maxQueuedBatches = 64;

  constructor(
    readonly rate: RateConfig,
    readonly metrics: BridgeMetrics = bridgeMetrics,
  ) {}

  state(deviceId: string): DeviceState {
    let s = this.devices.get(deviceId);
    if (!s) {
      s = {
        socket: null,
        hello: null,
        lastSeq: -2,
        published: -1,
        resendFrom: null,
        chain: Promise.resolve(),
        pending: 0,
        lastDataAt: 0,
        latest: null,
        status: null,
        batches: new TokenBucket(this.rate.batchesPerS, this.rate.batchesPerS * 2),
        samples: new TokenBucket(this.rate.samplesPerS, this.rate.samplesPerS * 2),
        subscribers: new Set(),
      };
      this.devices.set(deviceId, s);
    }
    return s;
  }

  /** the device's state if this process has one (never creates it) */
  peek(deviceId: string): Readonly<DeviceState> | undefined {
    return this.devices.get(deviceId);
  }

  isConnected(deviceId: string): boolean {
    return this.devices.get(deviceId)?.socket != null;
  }

  /** Runs fn after the device's earlier batches (per-device order, one write at a time). */
  enqueue<T>(deviceId: string, fn: () => Promise<T>): Promise<T> | null {
    const s = this.state(deviceId);
    if (s.pending >= this.maxQueuedBatches) return null;
    s.pending++;
    const run = s.chain.then(fn);
    s.chain = run.then(
      () => {
        s.pending--;
      },
      () => {
        s.pending--;
      },
    );
    return run;
  }

  subscribe(socket: Socket, deviceId: string): void {
    const s = this.state(deviceId);
    if (!s.subscribers.has(socket)) {
      s.subscribers.add(socket);
      this.metrics.liveSubscribers++;
    }
    this.subscriber(socket);
  }

  private subscriber(socket: Socket): SubscriberState {
    let st = this.subs.get(socket);
    if (!st) {
      const fresh: SubscriberState = { dropped: new Map(), lastDrain: this.now(), outbox: [], since: 0 };
      this.subs.set(socket, fresh);
      (socket.conn as unknown as { on?: (ev: string, f: () => void) => void }).on?.('drain', () => {
        fresh.lastDrain = this.now();
      });
      st = fresh;
    }
    return st;
  }

  unsubscribe(socket: Socket, deviceId?: string): void {
    for (const [id, s] of this.devices) {
      if (deviceId !== undefined && id !== deviceId) continue;
      if (s.subscribers.delete(socket)) this.metrics.liveSubscribers--;
    }
  }

  subscriptionCount(socket: Socket): number {
    let n = 0;
    for (const s of this.devices.values()) if (s.subscribers.has(socket)) n++;
    return n;
  }

  /** set when several server processes share rooms (Redis adapter): forwards to the others */
  remote: { publish(batch: LiveBatch): void; status(deviceId: string, status: Status): void; command(deviceId: string, cmd: Command): Promise<CommandAck | null> } | null = null;

  /** to this process's subscribers and, with scale-out, to the other processes' */
  publish(batch: LiveBatch): void {
    this.publishLocal(batch);
    this.remote?.publish(batch);
  }

  /** Records a device's status; browsers (and other processes) get it when its state, message
   * or code changed: bridges repeat their status every 5 s, 1,000 devices would send 200 status
   * messages per second to every subscriber that mostly say nothing new. */
  statusToSubscribers(deviceId: string, status: Status, fromRemote = false): void {
    const s = this.state(deviceId);
    const prev = s.status;
    s.status = { ...status, at: this.now() };
    if (!fromRemote && prev && prev.state === status.state && prev.message === status.message && prev.code === status.code) return;
    for (const sub of s.subscribers) sub.emit('status', { deviceId, ...status });
    if (!fromRemote) this.remote?.status(deviceId, status);
  }

  publishLocal(batch: LiveBatch): void {
    const s = this.state(batch.deviceId);
    if (batch.s >= s.lastDataAt) {
      s.lastDataAt = batch.s;
      s.latest = batch.samples[batch.samples.length - 1];
    }
    if (s.subscribers.size === 0) return;
    const t = this.now();
    for (const sock of s.subscribers) {
      const st = this.subscriber(sock);
      if (st.outbox.length === 0) st.since = t;
      st.outbox.push(batch);
      // a long burst in one turn: do not let the first batch wait for the end of it
      if (t - st.since >= this.maxCoalesceMs) this.flushOne(sock, st);
      else this.dirty.add(sock);
    }
    if (!this.flushScheduled && this.dirty.size) {
      this.flushScheduled = true;
      setImmediate(() => this.flushLive());
    }
  }

  /** Sends every subscriber what was collected for it (runs at setImmediate after a publish). */
  flushLive(): void {
    this.flushScheduled = false;
    for (const sock of this.dirty) this.flushOne(sock, this.subscriber(sock));
    this.dirty.clear();
  }

  private flushOne(sock: Socket, st: SubscriberState): void {
    const out = st.outbox;
    if (out.length === 0) return;
    st.outbox = [];
    const now = this.now();
    const pending = (sock.conn as unknown as { writeBuffer?: unknown[] }).writeBuffer?.length ?? 0;
    if (pending === 0) st.lastDrain = now;
    const slow = pending > this.maxPendingPackets || (pending > 0 && now - st.lastDrain > this.maxStallMs);
    if (slow || !sock.connected) {
      for (const b of out) st.dropped.set(b.deviceId, (st.dropped.get(b.deviceId) ?? 0) + 1);
      this.metrics.liveDropped.inc(out.length);
      return;
    }
    if (st.dropped.size) {
      for (const [deviceId, count] of st.dropped)
        sock.emit('dropped', { deviceId, count, reason: 'your connection did not keep up; these batches were skipped (they are stored)' });
      st.dropped.clear();
    }
    sock.emit('batches', out);
    this.metrics.liveSent.inc(out.length);
  }

  /** Sends a command to a connected device after the safety interlock; resolves with its ack. */
  async command(deviceId: string, cmd: Command): Promise<CommandAck> {
    const s = this.devices.get(deviceId);
    if ((!s?.socket || !s.hello) && this.remote) {
      // the device may be connected to another server process
      const a = await this.remote.command(deviceId, cmd);
      if (a) return a;
    }
    return this.commandLocal(deviceId, cmd);
  }

  /** null when the device is not connected here */
  async commandLocalOrNull(deviceId: string, cmd: Command): Promise<CommandAck | null> {
    const s = this.devices.get(deviceId);
    if (!s?.socket || !s.hello) return null;
    return this.commandLocal(deviceId, cmd);
  }

  private async commandLocal(deviceId: string, cmd: Command): Promise<CommandAck> {
    const s = this.devices.get(deviceId);
    if (!s?.socket || !s.hello) {
      this.metrics.commands.inc(1, { result: 'offline' });
      return { id: cmd.id, ok: false, error: 'the device is not connected' };
    }
    const why = interlock(cmd, s.hello);
    if (why) {
      this.metrics.commands.inc(1, { result: 'interlock' });
      return { id: cmd.id, ok: false, error: `refused by the safety interlock: ${why}` };
    }
    try {
      const ack = (await s.socket.timeout(cmd.timeoutMs).emitWithAck('command', cmd)) as unknown;
      const a = ack as Partial<CommandAck> | null;
      const ok = !!a && a.ok === true;
      this.metrics.commands.inc(1, { result: ok ? 'ok' : 'refused' });
      return { id: cmd.id, ok, ...(ok ? {} : { error: typeof a?.error === 'string' ? a.error.slice(0, 500) : 'the device refused' }) };
    } catch {
      this.metrics.commands.inc(1, { result: 'timeout' });
      return { id: cmd.id, ok: false, error: `no ack from the device within ${cmd.timeoutMs} ms` };
    }
  }
}
