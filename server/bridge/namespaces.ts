// The /bridge namespace (devices) and the bridge part of /live (browsers). Protocol and limits:
// sim/protocol/bridge.ts. Every message is validated and size-limited; a batch is acked only
// after it is stored; refusals carry a reason a person can act on.
import type { Namespace, Socket } from 'socket.io';
import {
  EVENTS,
  LIMITS,
  parseBatch,
  parseCommand,
  parseHello,
  parseStatus,
  PROTOCOL_VERSION,
  type BatchAck,
  type Hello,
  type LiveBatch,
  type Refusal,
  type Welcome,
} from '../../sim/protocol/bridge';
import type { DeviceRecord, DeviceRepository } from '../db/devices';
import type { SampleRepository } from '../db/samples';
import type { BridgeMonitor } from '../monitor/monitor';
import type { Fleet } from './fleet';
import type { BridgeHub } from './hub';
import { TokenBucket } from './rateLimit';
import type { GroupWriter } from './writer';

export interface BridgeContext {
  devices: DeviceRepository;
  samples: SampleRepository;
  /** group commit of new batches */
  writer: GroupWriter;
  hub: BridgeHub;
  version: string;
  log: (msg: string, err?: unknown) => void;
  /** devices connected to /bridge on any server process */
  connectedDeviceIds: () => Promise<Set<string>>;
  /** fleet view: device alarms from status messages */
  fleet?: Fleet;
  /** server-side monitor (server/monitor): twins and safety checks of every connected device */
  monitor?: BridgeMonitor | null;
}

type Ack = (answer: unknown) => void;

const refusal = (error: string, extra: Partial<Refusal> & { seq?: number } = {}): Refusal => ({ ok: false, error, ...extra });

function splitAck(args: unknown[]): { payload: unknown; ack: Ack | null } {
  const last = args[args.length - 1];
  if (typeof last === 'function') return { payload: args.length > 1 ? args[0] : undefined, ack: last as Ack };
  return { payload: args[0], ack: null };
}

export function registerBridgeNamespace(nsp: Namespace, ctx: BridgeContext): void {
  const { hub, log } = ctx;
  const m = hub.metrics;

  // Authentication: per-device token in the handshake (auth: { token }).
  nsp.use((socket, next) => {
    const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    if (typeof token !== 'string' || token === '') {
      m.authFailures.inc(1, { reason: 'missing' });
      return next(new Error('authentication required: connect with auth { token } (create one with `twinbench device add <name>`)'));
    }
    ctx.devices.authenticate(token).then(
      (device) => {
        if (!device) {
          m.authFailures.inc(1, { reason: 'invalid' });
          return next(new Error('invalid device token (unknown device or wrong secret)'));
        }
        (socket.data as { device?: DeviceRecord }).device = device;
        next();
      },
      (err) => {
        log('device authentication failed', err);
        next(new Error('server error while checking the token; try again'));
      },
    );
  });

  nsp.on('connection', (socket: Socket) => {
    const device = (socket.data as { device: DeviceRecord }).device;
    let hello: Hello | null = null;
    let counted = false;

    const reject = (ack: Ack | null, reason: string, error: string, extra: Partial<Refusal> & { seq?: number } = {}) => {
      m.rejected.inc(1, { reason });
      const r = refusal(error, extra);
      if (ack) ack(r);
      else socket.emit('refused', r);
    };

    socket.on(EVENTS.hello, (...args: unknown[]) => {
      const { payload, ack } = splitAck(args);
      const p = parseHello(payload);
      if (!p.ok) {
        const reason = /version mismatch/.test(p.error) ? 'version' : 'invalid_hello';
        return reject(ack, reason, p.error, { issues: p.issues, protocol: PROTOCOL_VERSION });
      }
      if (p.value.deviceId !== device.id) {
        return reject(ack, 'wrong_device', `this token belongs to device '${device.id}' (${device.name}), the hello names '${p.value.deviceId}'`);
      }
      void (async () => {
        try {
          const st = hub.state(device.id);
          if (st.socket && st.socket !== socket) {
            st.socket.emit('refused', refusal('replaced by a newer connection of the same device'));
            st.socket.disconnect(true);
          }
          await ctx.devices.recordHello(device.id, p.value.channels, p.value.commands ?? []);
          // wait for batches still being written from an earlier connection
          await st.chain;
          st.lastSeq = await ctx.samples.lastSeq(device.id);
          st.published = Math.max(st.published, st.lastSeq);
          st.socket = socket;
          st.hello = p.value;
          st.resendFrom = null; // the bridge resends everything unacked, oldest first
          hello = p.value;
          // after the earlier connection's batches (st.chain): its twin saw them first
          ctx.monitor?.hello(device.id, p.value.channels);
          if (!counted) {
            counted = true;
            m.connectedDevices++;
          }
          const welcome: Welcome = {
            ok: true,
            protocol: PROTOCOL_VERSION,
            server: ctx.version,
            deviceId: device.id,
            lastSeq: st.lastSeq,
            limits: LIMITS,
            rate: hub.rate,
          };
          if (ack) ack(welcome);
          else socket.emit('welcome', welcome);
        } catch (err) {
          log('hello failed', err);
          reject(ack, 'server_error', 'server error while registering the hello; reconnect and try again');
        }
      })();
    });

    socket.on(EVENTS.batch, (...args: unknown[]) => {
      const { payload, ack } = splitAck(args);
      const seqOf = (x: unknown) => (typeof x === 'object' && x !== null && typeof (x as { seq?: unknown }).seq === 'number' ? (x as { seq: number }).seq : undefined);
      if (!ack) return reject(null, 'no_ack', 'batches must be sent with an ack callback (emitWithAck)', { seq: seqOf(payload) });
      if (!hello) return reject(ack, 'no_hello', 'send hello first (protocol handshake) before batches', { seq: seqOf(payload) });
      const st = hub.state(device.id);
      const rb = st.batches.take(1);
      const transient = (reason: string, error: string, retryAfterMs: number, seq: number) => {
        st.resendFrom = st.resendFrom === null ? seq : Math.min(st.resendFrom, seq);
        reject(ack, reason, error, { retryAfterMs, seq });
      };
      const p = parseBatch(payload, hello.channels.length);
      if (!p.ok) return reject(ack, 'invalid_batch', p.error, { issues: p.issues, seq: seqOf(payload) });
      const batch = p.value;
      if (!rb.ok) return transient('rate_limited', `rate limit: at most ${hub.rate.batchesPerS} batches/s per device`, rb.retryAfterMs, batch.seq);
      if (st.resendFrom !== null && batch.seq > st.resendFrom)
        return transient('resend_first', `resend seq ${st.resendFrom} first (it was refused; batches are stored in order)`, 100, batch.seq);
      const rs = st.samples.take(batch.samples.length);
      if (!rs.ok) return transient('rate_limited', `rate limit: at most ${hub.rate.samplesPerS} samples/s per device`, rs.retryAfterMs, batch.seq);
      const adv = hello;
      const run = hub.enqueue(device.id, async (): Promise<BatchAck> => {
        if (st.lastSeq === -2) st.lastSeq = await ctx.samples.lastSeq(device.id);
        if (st.resendFrom === batch.seq) st.resendFrom = null;
        else if (st.resendFrom !== null && batch.seq > st.resendFrom) {
          m.rejected.inc(1, { reason: 'resend_first' });
          return refusal(`resend seq ${st.resendFrom} first (it was refused; batches are stored in order)`, { seq: batch.seq, retryAfterMs: 100 }) as BatchAck;
        }
        if (batch.seq <= st.lastSeq) {
          if (await ctx.samples.has(device.id, batch.seq)) {
            m.batches.inc(1, { result: 'duplicate' });
            return { ok: true, seq: batch.seq, duplicate: true };
          }
          m.rejected.inc(1, { reason: 'out_of_order' });
          return refusal(`out of order: seq ${batch.seq} is below the last stored seq ${st.lastSeq} and was never stored; sequence numbers must increase`, {
            seq: batch.seq,
          }) as BatchAck;
        }
        if (batch.seq > st.lastSeq + 1 && st.lastSeq >= 0) m.gaps.inc();
        const t0 = performance.now();
        // seq > lastSeq: new for this process; another process (scale-out) may have written it,
        // which the unique (deviceId, seq) index turns into a duplicate
        const duplicate = await ctx.writer.write(device.id, batch.seq, batch.samples);
        m.writeLatency.observe((performance.now() - t0) / 1000);
        st.lastSeq = Math.max(st.lastSeq, batch.seq);
        if (duplicate) {
          m.batches.inc(1, { result: 'duplicate' });
          return { ok: true, seq: batch.seq, duplicate: true };
        }
        m.batches.inc(1, { result: 'stored' });
        m.samples.inc(batch.samples.length);
        // durable, new, in seq order: the monitor checks it (queued for its worker, never waited
        // for; a fault there must not turn a stored batch into a refusal)
        try {
          ctx.monitor?.feed(device.id, batch.samples);
        } catch (err) {
          log(`the monitor could not take batch ${batch.seq} of ${device.id}`, err);
        }
        m.samplesRate.add(batch.samples.length);
        let oor = 0;
        for (const s of batch.samples)
          for (let c = 0; c < s.v.length; c++) {
            const v = s.v[c];
            const r = adv.channels[c].range;
            if (v !== null && (v < r[0] || v > r[1])) oor++;
          }
        if (oor) m.outOfRange.inc(oor);
        m.ingestLatency.observe((Date.now() - batch.samples[batch.samples.length - 1].r) / 1000);
        return { ok: true, seq: batch.seq, duplicate: false };
      });
      if (!run) return transient('busy', `server busy: more than ${hub.maxQueuedBatches} batches of this device are waiting; retry later`, 200, batch.seq);
      // browsers get the batch now, before it is durable: their fan-out needs no ack (the
      // bridge's ack still waits for the write). Only seqs above everything sent so far, so a
      // resent or duplicate batch is not sent twice.
      if (batch.seq > st.published) {
        st.published = batch.seq;
        hub.publish({ deviceId: device.id, seq: batch.seq, samples: batch.samples, s: Date.now() });
      }
      run.then(
        (a) => {
          m.acks.inc();
          ack(a);
        },
        (err) => {
          log(`storing batch ${batch.seq} of ${device.id} failed`, err);
          transient('store_failed', 'the server could not store the batch; it was not acked, resend it', 1000, batch.seq);
        },
      );
    });

    socket.on(EVENTS.status, (...args: unknown[]) => {
      const { payload, ack } = splitAck(args);
      if (!hello) return reject(ack, 'no_hello', 'send hello first (protocol handshake)');
      const p = parseStatus(payload);
      if (!p.ok) return reject(ack, 'invalid_status', p.error, { issues: p.issues });
      hub.statusToSubscribers(device.id, p.value);
      ctx.fleet?.deviceStatus(device.id, p.value);
      if (ack) ack({ ok: true });
    });

    socket.onAny((event: string, ...args: unknown[]) => {
      if (event === EVENTS.hello || event === EVENTS.batch || event === EVENTS.status) return;
      const { ack } = splitAck(args);
      reject(ack, 'unknown_event', `unknown event '${String(event).slice(0, 40)}' (expected hello, batch, status)`);
    });

    socket.on('disconnect', () => {
      if (counted) m.connectedDevices--;
      const st = hub.state(device.id);
      if (st.socket === socket) {
        st.socket = null;
        hub.statusToSubscribers(device.id, { state: 'offline' });
        ctx.monitor?.disconnected(device.id);
      }
    });
  });
}

const MAX_SUBSCRIPTIONS = Number(process.env.TWINBENCH_LIVE_MAX_SUBSCRIPTIONS) || 32;
const LIVE_REQUESTS_PER_S = Number(process.env.TWINBENCH_LIVE_REQUESTS_PER_S) || 20;
const HISTORY_BATCHES = 50;

/** The bridge part of /live: devices, subscribe / unsubscribe (with recent history), commands. */
export function registerLiveBridge(nsp: Namespace, ctx: BridgeContext): void {
  const { hub, log } = ctx;
  nsp.on('connection', (socket) => {
    // devices / subscribe / command read the database: at most TWINBENCH_LIVE_REQUESTS_PER_S (20)
    // per second per connection, 2 s of burst
    const bucket = new TokenBucket(LIVE_REQUESTS_PER_S, LIVE_REQUESTS_PER_S * 2);
    const limited = (ack: Ack | null): boolean => {
      const r = bucket.take(1);
      if (r.ok) return false;
      hub.metrics.rejected.inc(1, { reason: 'live_rate_limited' });
      ack?.(refusal('too many requests on this connection; slow down', { retryAfterMs: r.retryAfterMs }));
      return true;
    };
    socket.on('devices', async (...args: unknown[]) => {
      const { ack } = splitAck(args);
      if (!ack || limited(ack)) return;
      try {
        const list = await ctx.devices.list();
        const online = await ctx.connectedDeviceIds();
        ack({
          ok: true,
          devices: list.map((d) => ({ id: d.id, name: d.name, site: d.site, channels: d.channels, commands: d.commands, lastSeenAt: d.lastSeenAt, connected: online.has(d.id) })),
        });
      } catch (err) {
        log('listing devices failed', err);
        ack(refusal('server error while listing devices'));
      }
    });

    socket.on('subscribe', async (...args: unknown[]) => {
      const { payload, ack } = splitAck(args);
      const deviceId = (payload as { deviceId?: unknown } | null)?.deviceId;
      const reply = ack ?? ((x: unknown) => socket.emit('subscribed', x));
      if (limited(reply)) return;
      if (typeof deviceId !== 'string' || deviceId.length > LIMITS.maxIdLength) return reply(refusal('subscribe needs { deviceId }'));
      if (hub.subscriptionCount(socket) >= MAX_SUBSCRIPTIONS) return reply(refusal(`at most ${MAX_SUBSCRIPTIONS} subscriptions per connection`));
      try {
        const device = await ctx.devices.get(deviceId);
        if (!device) return reply(refusal(`unknown device '${deviceId}'`));
        // subscribe first, then read history: a batch in between may arrive twice (seq tells)
        hub.subscribe(socket, deviceId);
        const online = await ctx.connectedDeviceIds();
        const history = await ctx.samples.recent(deviceId, HISTORY_BATCHES);
        reply({
          ok: true,
          device: { id: device.id, name: device.name, site: device.site, channels: device.channels, commands: device.commands, connected: online.has(device.id) },
          history: history.map((b): LiveBatch => ({ deviceId, seq: b.seq, samples: b.samples, s: b.storedAt.getTime() })),
        });
      } catch (err) {
        log('subscribe failed', err);
        reply(refusal('server error while subscribing'));
      }
    });

    socket.on('unsubscribe', (...args: unknown[]) => {
      const { payload, ack } = splitAck(args);
      const deviceId = (payload as { deviceId?: unknown } | null)?.deviceId;
      hub.unsubscribe(socket, typeof deviceId === 'string' ? deviceId : undefined);
      ack?.({ ok: true });
    });

    socket.on('command', async (...args: unknown[]) => {
      const { payload, ack } = splitAck(args);
      if (!ack || limited(ack)) return;
      const deviceId = (payload as { deviceId?: unknown } | null)?.deviceId;
      const cmd = payload && typeof payload === 'object' ? { ...(payload as object) } : payload;
      if (cmd && typeof cmd === 'object') delete (cmd as { deviceId?: unknown }).deviceId;
      const p = parseCommand(cmd);
      if (typeof deviceId !== 'string') return ack(refusal('command needs { deviceId, id, kind, value, timeoutMs }'));
      if (!p.ok) return ack(refusal(p.error, { issues: p.issues }));
      ack(await hub.command(deviceId, p.value));
    });

    socket.on('disconnect', () => hub.unsubscribe(socket));
  });
}
