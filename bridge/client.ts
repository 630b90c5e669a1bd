// The bridge's connection to the server (/bridge namespace): handshake, batching, pipelined
// sends with durable acks, bounded buffer of unacked batches (memory + spill file), resend after
// reconnect with exponential backoff (also after the server restarts), commands to the source.
import { io as ioClient, type Socket } from 'socket.io-client';
import {
  LIMITS,
  parseCommand,
  PROTOCOL_VERSION,
  type BatchAck,
  type Channel,
  type Command,
  type CommandAck,
  type CommandKind,
  type Refusal,
  type Sample,
  type Welcome,
} from '../sim/protocol/bridge';
import { splitToken } from '../sim/protocol/bridge';
import { BatchBuffer } from './buffer';

export interface BridgeOptions {
  server: string;
  token: string;
  channels: Channel[];
  commands?: CommandKind[];
  software?: string;
  /** flush a batch at least this often (ms) */
  flushMs?: number;
  /** and at most this many samples per batch */
  maxBatchSamples?: number;
  /** batches sent and not yet acked */
  window?: number;
  maxMemoryBatches?: number;
  spillFile?: string | null;
  /** reconnect backoff */
  backoffMinMs?: number;
  backoffMaxMs?: number;
  ackTimeoutMs?: number;
  onCommand?: (cmd: Command) => Promise<CommandAck> | CommandAck;
  log?: (msg: string) => void;
}

export interface BridgeStats {
  samplesIn: number;
  batchesMade: number;
  batchesAcked: number;
  duplicatesAcked: number;
  refusedPermanent: number;
  refusedTransient: number;
  reconnects: number;
  buffered: number;
  spilled: number;
  dropped: number;
  connected: boolean;
}

/** Fatal problems (bad token, version mismatch): retrying cannot help. */
export class BridgeFatalError extends Error {}

export class BridgeClient {
  private socket: Socket;
  private buffer: BatchBuffer;
  private current: Sample[] = [];
  private flushTimer: NodeJS.Timeout | null = null;
  private pumpTimer: NodeJS.Timeout | null = null;
  private statusTimer: NodeJS.Timeout | null = null;
  private nextSeq = -1;
  private welcomed = false;
  private epoch = 0;
  private inflight = 0;
  private closed = false;
  private backoffMs: number;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private drainWaiters: (() => void)[] = [];
  private fatalHandlers: ((e: BridgeFatalError) => void)[] = [];
  readonly deviceId: string;
  readonly stats: BridgeStats = {
    samplesIn: 0,
    batchesMade: 0,
    batchesAcked: 0,
    duplicatesAcked: 0,
    refusedPermanent: 0,
    refusedTransient: 0,
    reconnects: 0,
    buffered: 0,
    spilled: 0,
    dropped: 0,
    connected: false,
  };
  private readonly o: Required<Omit<BridgeOptions, 'onCommand' | 'software' | 'commands' | 'spillFile'>> &
    Pick<BridgeOptions, 'onCommand' | 'software' | 'commands' | 'spillFile'>;

  constructor(opts: BridgeOptions) {
    const parts = splitToken(opts.token);
    if (!parts) throw new BridgeFatalError('the token is malformed (expected tbd_<device>_<secret>, as printed by `twinbench device add`)');
    this.deviceId = parts.deviceId;
    this.o = {
      flushMs: 200,
      maxBatchSamples: 500,
      window: 8,
      maxMemoryBatches: 2000,
      backoffMinMs: 250,
      backoffMaxMs: 10_000,
      ackTimeoutMs: 15_000,
      log: (m: string) => process.stderr.write(`[bridge] ${m}\n`),
      ...opts,
    };
    this.o.maxBatchSamples = Math.min(this.o.maxBatchSamples, LIMITS.maxSamplesPerBatch);
    this.backoffMs = this.o.backoffMinMs;
    this.buffer = new BatchBuffer({ maxMemoryBatches: this.o.maxMemoryBatches, spillFile: opts.spillFile ?? null });
    const url = new URL('/bridge', opts.server).toString();
    this.socket = ioClient(url, {
      auth: { token: opts.token },
      transports: ['websocket'],
      // reconnects are ours (backoff also after 'io server disconnect' and auth hiccups)
      reconnection: false,
      autoConnect: false,
      // a connection of its own (socket.io-client would otherwise share one per origin)
      forceNew: true,
      timeout: 10_000,
    });
    this.socket.on('connect', () => this.onConnect());
    this.socket.on('disconnect', (reason) => this.onDisconnect(String(reason)));
    this.socket.on('connect_error', (err) => this.onConnectError(err));
    this.socket.on('refused', (r: Refusal) => this.o.log(`server: ${r?.error ?? 'refused'}`));
    this.socket.on('command', (raw: unknown, ack?: (a: CommandAck) => void) => void this.handleCommand(raw, ack));
    this.socket.connect();
    this.flushTimer = setInterval(() => this.flush(), this.o.flushMs);
    // status for the fleet view: buffer fill and drops, every 5 s
    this.statusTimer = setInterval(() => {
      if (!this.welcomed || !this.socket.connected) return;
      const s = this.snapshot();
      this.socket.emit('status', {
        state: s.dropped > 0 ? 'warning' : 'ok',
        buffered: s.buffered,
        dropped: s.dropped,
        ...(s.dropped > 0 ? { code: 'BRIDGE_BUFFER_FULL', message: `${s.dropped} batches dropped: the bridge's buffer was full` } : {}),
      });
    }, 5000);
  }

  onFatal(fn: (e: BridgeFatalError) => void): void {
    this.fatalHandlers.push(fn);
  }

  /** One reading from the source: device time (s) and one value per channel. */
  push(tDeviceS: number, values: (number | null)[]): void {
    if (this.closed) return;
    this.stats.samplesIn++;
    this.current.push({ t: tDeviceS, r: Date.now(), v: values });
    if (this.current.length >= this.o.maxBatchSamples) this.flush();
  }

  /** Closes the current batch (also called by the timer). */
  flush(): void {
    if (this.current.length === 0) return;
    this.buffer.push(this.current);
    this.stats.batchesMade++;
    this.current = [];
    this.pump();
  }

  /** Resolves when every batch made so far is acked (or the client is closed). */
  async drain(): Promise<void> {
    this.flush();
    if (this.buffer.size === 0) return;
    await new Promise<void>((resolve) => this.drainWaiters.push(resolve));
  }

  snapshot(): BridgeStats {
    this.stats.buffered = this.buffer.size;
    this.stats.spilled = this.buffer.spilled;
    this.stats.dropped = this.buffer.dropped;
    this.stats.connected = this.socket.connected && this.welcomed;
    return { ...this.stats };
  }

  close(): void {
    this.closed = true;
    if (this.flushTimer) clearInterval(this.flushTimer);
    if (this.statusTimer) clearInterval(this.statusTimer);
    if (this.pumpTimer) clearTimeout(this.pumpTimer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.socket.close();
    this.buffer.close();
    for (const w of this.drainWaiters.splice(0)) w();
  }

  private fatal(msg: string): void {
    const e = new BridgeFatalError(msg);
    this.o.log(msg);
    if (this.fatalHandlers.length === 0) throw e;
    for (const f of this.fatalHandlers) f(e);
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    const delay = Math.round(this.backoffMs * (0.75 + Math.random() * 0.5));
    this.backoffMs = Math.min(this.o.backoffMaxMs, this.backoffMs * 2);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.closed || this.socket.connected) return;
      this.stats.reconnects++;
      this.socket.connect();
    }, delay);
  }

  private onConnectError(err: Error): void {
    const msg = err.message;
    if (/invalid device token|authentication required/.test(msg)) return this.fatal(`the server refused the token: ${msg}`);
    this.o.log(`cannot connect to ${this.o.server}: ${msg}; retrying`);
    this.scheduleReconnect();
  }

  private onDisconnect(reason: string): void {
    this.epoch++;
    this.welcomed = false;
    this.inflight = 0;
    for (const b of this.buffer.mem) b.inflight = false;
    if (this.closed) return;
    this.o.log(`disconnected (${reason}); ${this.buffer.size} batches unacked, reconnecting`);
    this.scheduleReconnect();
  }

  private onConnect(): void {
    const epoch = ++this.epoch;
    void (async () => {
      let w: Welcome | Refusal;
      try {
        w = (await this.socket.timeout(10_000).emitWithAck('hello', {
          protocol: PROTOCOL_VERSION,
          deviceId: this.deviceId,
          channels: this.o.channels,
          ...(this.o.commands ? { commands: this.o.commands } : {}),
          ...(this.o.software ? { software: this.o.software } : {}),
        })) as Welcome | Refusal;
      } catch {
        if (epoch === this.epoch) this.socket.disconnect();
        return;
      }
      if (epoch !== this.epoch) return;
      if (!w.ok) {
        if (/version mismatch/.test(w.error)) return this.fatal(w.error);
        return this.fatal(`the server refused the hello: ${w.error}`);
      }
      if (w.protocol !== PROTOCOL_VERSION) return this.fatal(`protocol version mismatch: the server speaks ${w.protocol}, this bridge ${PROTOCOL_VERSION}`);
      this.nextSeq = Math.max(this.nextSeq, w.lastSeq + 1);
      this.welcomed = true;
      this.backoffMs = this.o.backoffMinMs;
      this.o.log(`connected as ${w.deviceId} (server ${w.server}, continuing at seq ${this.nextSeq}; ${this.buffer.size} batches to send)`);
      // resend everything unacked, oldest first
      for (const b of this.buffer.mem) {
        b.inflight = false;
        b.retryAt = 0;
      }
      this.pump();
    })();
  }

  private pump(): void {
    if (!this.welcomed || this.closed || !this.socket.connected) return;
    const now = Date.now();
    for (const b of this.buffer.mem) {
      if (this.inflight >= this.o.window) return;
      if (b.inflight) continue;
      if (b.retryAt > now) {
        // keep order: nothing after a batch that waits
        if (!this.pumpTimer)
          this.pumpTimer = setTimeout(() => {
            this.pumpTimer = null;
            this.pump();
          }, b.retryAt - now);
        return;
      }
      if (b.seq === null) b.seq = this.nextSeq++;
      this.send(b);
    }
  }

  private send(b: import('./buffer').PendingBatch): void {
    const epoch = this.epoch;
    b.inflight = true;
    this.inflight++;
    this.socket.timeout(this.o.ackTimeoutMs).emit('batch', { seq: b.seq, samples: b.samples }, (err: Error | null, ack: BatchAck) => {
      if (epoch !== this.epoch) return; // a reconnect resends it anyway
      b.inflight = false;
      this.inflight--;
      if (err) {
        b.retryAt = Date.now() + 1000;
      } else if (ack.ok) {
        this.stats.batchesAcked++;
        if (ack.duplicate) this.stats.duplicatesAcked++;
        this.buffer.remove(b);
      } else if (ack.retryAfterMs !== undefined) {
        this.stats.refusedTransient++;
        b.retryAt = Date.now() + ack.retryAfterMs;
      } else {
        this.stats.refusedPermanent++;
        this.o.log(`batch ${b.seq} refused: ${ack.error} (dropped)`);
        this.buffer.remove(b);
      }
      if (this.buffer.size === 0 && this.current.length === 0) for (const w of this.drainWaiters.splice(0)) w();
      this.pump();
    });
  }

  private async handleCommand(raw: unknown, ack?: (a: CommandAck) => void): Promise<void> {
    if (typeof ack !== 'function') return;
    const p = parseCommand(raw);
    const id = typeof (raw as { id?: unknown })?.id === 'string' ? (raw as { id: string }).id.slice(0, 64) : 'unknown';
    if (!p.ok) return ack({ id, ok: false, error: p.error });
    if (!this.o.onCommand) return ack({ id, ok: false, error: 'this source does not take commands' });
    try {
      ack(await this.o.onCommand(p.value));
    } catch (e) {
      ack({ id, ok: false, error: e instanceof Error ? e.message : String(e) });
    }
  }
}
