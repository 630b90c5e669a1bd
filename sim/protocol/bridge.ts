/**
 * Twinbench bridge protocol, version 1: the messages between a device bridge (`twinbench bridge`)
 * and the server's `/bridge` Socket.IO namespace, plus what browsers get on `/live`.
 * Modelled on Foxglove's WebSocket protocol (advertise channels once, samples refer to channel
 * ids), with the lessons its users reported: an explicit version handshake that fails loudly,
 * device AND receive timestamps, sequence numbers with durable acks (flow control, no loss).
 *
 * Flow (event names in `EVENTS`):
 *   bridge connects with `auth: { token }` (per-device token, see tokens below)
 *   bridge  -> hello {protocol, deviceId, channels[], commands?}      ack <- welcome | refusal
 *   bridge  -> batch {seq, samples[{t, r, v[]}]}                     ack <- batchAck
 *   bridge  -> status {state, message?, code?, ...}                   ack <- {ok} | refusal
 *   server  -> command {id, kind, value, timeoutMs}                   ack <- commandAck
 *
 * Samples: `t` device timestamp (s, the device's own clock and epoch), `r` bridge receive time
 * (ms since the Unix epoch, the bridge's clock), `v` one value per advertised channel in
 * advertisement order (null = no reading). Current is + on discharge (as in sim/).
 * `seq` is an integer that increases by one per batch of a device (gaps are tolerated and
 * counted; a seq below the last stored one that is not stored is refused as out of order).
 * The server acks a batch only once it is durable; a duplicate seq is acked with duplicate: true.
 *
 * Pure TS (sim/): zod only. Validation errors are values `{ path, message }`.
 */
import { z } from 'zod';

/** Bumped on any incompatible change; the server refuses other versions with a message. */
export const PROTOCOL_VERSION = 1;

/** Size limits (enforced by the server; the bridge stays below them). */
export const LIMITS = {
  maxChannels: 64,
  maxIdLength: 64,
  maxNameLength: 120,
  maxUnitLength: 16,
  maxSamplesPerBatch: 2000,
  /** serialized JSON of one batch message */
  maxBatchBytes: 256 * 1024,
  /** serialized JSON of any other message */
  maxMessageBytes: 16 * 1024,
  maxStatusMessageLength: 500,
  /** seq is a 32-bit integer column in both databases */
  maxSeq: 2_147_483_647,
} as const;

export const EVENTS = {
  hello: 'hello',
  batch: 'batch',
  status: 'status',
  command: 'command',
} as const;

export const CHANNEL_KINDS = ['current', 'voltage', 'temperature', 'ambient', 'soc', 'power', 'charge', 'other'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

const finite = z.number().refine(Number.isFinite, { message: 'must be a finite number' });
const id = z
  .string()
  .min(1, { message: 'must not be empty' })
  .max(LIMITS.maxIdLength, { message: `at most ${LIMITS.maxIdLength} characters` })
  .regex(/^[A-Za-z0-9_.:-]+$/, { message: 'only letters, digits and _ . : - are allowed' });

export const ChannelSchema = z
  .object({
    id,
    name: z.string().min(1).max(LIMITS.maxNameLength),
    unit: z.string().max(LIMITS.maxUnitLength),
    kind: z.enum(CHANNEL_KINDS),
    /** plausible / safe range [min, max]; readings outside are stored and counted; for kind
     * 'current' / 'power' it is also the command interlock's limit */
    range: z.tuple([finite, finite]),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (!(c.range[0] < c.range[1])) ctx.addIssue({ code: 'custom', path: ['range'], message: 'range must be [min, max] with min < max' });
  });
export type Channel = z.infer<typeof ChannelSchema>;

export const COMMAND_KINDS = ['setCurrent', 'setPower', 'stop'] as const;
export type CommandKind = (typeof COMMAND_KINDS)[number];

export const HelloSchema = z
  .object({
    protocol: z.number().int(),
    deviceId: id,
    channels: z
      .array(ChannelSchema)
      .min(1, { message: 'advertise at least one channel' })
      .max(LIMITS.maxChannels, { message: `at most ${LIMITS.maxChannels} channels` }),
    /** commands the device obeys (default none) */
    commands: z.array(z.enum(COMMAND_KINDS)).max(COMMAND_KINDS.length).optional(),
    /** free text: bridge / source description */
    software: z.string().max(LIMITS.maxNameLength).optional(),
  })
  .strict()
  .superRefine((h, ctx) => {
    const seen = new Set<string>();
    h.channels.forEach((c, i) => {
      if (seen.has(c.id)) ctx.addIssue({ code: 'custom', path: ['channels', i, 'id'], message: `duplicate channel id '${c.id}'` });
      seen.add(c.id);
    });
  });
export type Hello = z.infer<typeof HelloSchema>;

export interface Welcome {
  ok: true;
  protocol: number;
  server: string;
  deviceId: string;
  /** highest seq stored for this device (-1: none): a bridge without local state continues after it */
  lastSeq: number;
  limits: typeof LIMITS;
  /** per-device rate limits the server enforces */
  rate: { batchesPerS: number; samplesPerS: number };
}

export interface Refusal {
  ok: false;
  /** what is wrong and what to do, for a person */
  error: string;
  issues?: ProtocolIssue[];
  /** for version mismatches */
  protocol?: number;
  /** rate limiting: try again after this long */
  retryAfterMs?: number;
}

export const SampleSchema = z
  .object({
    t: finite,
    r: finite,
    v: z.array(z.union([finite, z.null()])).max(LIMITS.maxChannels),
  })
  .strict();
export type Sample = z.infer<typeof SampleSchema>;

export const BatchSchema = z
  .object({
    seq: z.number().int().min(0).max(LIMITS.maxSeq),
    samples: z
      .array(SampleSchema)
      .min(1, { message: 'a batch holds at least one sample' })
      .max(LIMITS.maxSamplesPerBatch, { message: `at most ${LIMITS.maxSamplesPerBatch} samples per batch` }),
  })
  .strict();
export type Batch = z.infer<typeof BatchSchema>;

export type BatchAck = { ok: true; seq: number; duplicate: boolean } | (Refusal & { seq?: number });

export const StatusSchema = z
  .object({
    state: z.enum(['ok', 'warning', 'fault', 'offline']),
    message: z.string().max(LIMITS.maxStatusMessageLength).optional(),
    /** what the warning / fault is (e.g. 'CELL_OV', 'BRIDGE_BUFFER_FULL'): the fleet view opens one
     * alert per device and code (default DEVICE_WARNING / DEVICE_FAULT); added in protocol 1 as an
     * optional key, so older bridges stay valid */
    code: z
      .string()
      .regex(/^[A-Z][A-Z0-9_]{0,47}$/, { message: 'an alarm code is 1-48 characters A-Z, 0-9, _ and starts with a letter' })
      .optional(),
    /** unacked batches the bridge holds, for the fleet view */
    buffered: z.number().int().min(0).optional(),
    /** batches the bridge had to drop (buffer and spill file full) */
    dropped: z.number().int().min(0).optional(),
  })
  .strict();
export type Status = z.infer<typeof StatusSchema>;

export const CommandSchema = z
  .object({
    id: id,
    kind: z.enum(COMMAND_KINDS),
    /** A for setCurrent (+ = discharge), W for setPower; ignored for stop */
    value: finite,
    /** the device must ack within this time */
    timeoutMs: z.number().int().min(1).max(60_000),
  })
  .strict();
export type Command = z.infer<typeof CommandSchema>;

export const CommandAckSchema = z
  .object({
    id: id,
    ok: z.boolean(),
    error: z.string().max(LIMITS.maxStatusMessageLength).optional(),
  })
  .strict();
export type CommandAck = z.infer<typeof CommandAckSchema>;

/** /live: what a browser receives per batch */
export interface LiveBatch {
  deviceId: string;
  seq: number;
  samples: Sample[];
  /** server receive time, ms since the epoch */
  s: number;
}

export interface ProtocolIssue {
  path: (string | number)[];
  message: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string; issues: ProtocolIssue[] };

/** Serialized size in bytes (UTF-8) of a JSON value, or Infinity when it cannot be serialized
 * or exceeds `limit` (the string is not built when it is hopeless). */
export function jsonSizeBytes(value: unknown): number {
  let s: string | undefined;
  try {
    s = JSON.stringify(value);
  } catch {
    return Infinity;
  }
  if (s === undefined) return Infinity;
  // UTF-8 length without Buffer / TextEncoder allocation of the whole thing
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

function fromZod(err: z.ZodError, what: string): { ok: false; error: string; issues: ProtocolIssue[] } {
  const issues = err.issues.slice(0, 20).map((i) => ({ path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)), message: i.message }));
  const first = issues[0];
  const where = first && first.path.length ? first.path.join('.') + ': ' : '';
  return { ok: false, error: `invalid ${what}: ${where}${first?.message ?? 'malformed'}`, issues };
}

function sized(value: unknown, limit: number, what: string): { ok: false; error: string; issues: ProtocolIssue[] } | null {
  const n = jsonSizeBytes(value);
  if (n === Infinity) return { ok: false, error: `invalid ${what}: not serializable JSON`, issues: [{ path: [], message: 'not JSON' }] };
  if (n > limit)
    return { ok: false, error: `${what} too large: ${n} bytes (limit ${limit})`, issues: [{ path: [], message: `at most ${limit} bytes` }] };
  return null;
}

export function parseHello(input: unknown): Parsed<Hello> {
  const big = sized(input, LIMITS.maxMessageBytes, 'hello');
  if (big) return big;
  // version first, so that a newer bridge with a different message shape gets the clear message
  if (typeof input === 'object' && input !== null && 'protocol' in input) {
    const p = (input as { protocol: unknown }).protocol;
    if (p !== PROTOCOL_VERSION) return versionMismatch(p);
  }
  const r = HelloSchema.safeParse(input);
  return r.success ? { ok: true, value: r.data } : fromZod(r.error, 'hello');
}

export function versionMismatch(theirs: unknown): { ok: false; error: string; issues: ProtocolIssue[] } {
  return {
    ok: false,
    error:
      `protocol version mismatch: this side speaks twinbench bridge protocol ${PROTOCOL_VERSION}, the other side ` +
      `${typeof theirs === 'number' ? theirs : JSON.stringify(theirs) ?? 'nothing'}; update the older of bridge and server`,
    issues: [{ path: ['protocol'], message: `expected ${PROTOCOL_VERSION}` }],
  };
}

/** Upper bound of the JSON text of one finite number or null: 17 significant digits at most,
 * the longest forms being -0.0000012345678901234567 (25) and -1.2345678901234567e-308 (24). */
export const MAX_NUMBER_CHARS = 25;

/**
 * The accept path of parseBatch without zod: true when `input` is certainly a valid batch (the same
 * rules as BatchSchema, the channel count and the size limit, the size bounded from above without
 * serializing). false means "not certain": parseBatchZod decides and words the error. Profiling
 * 1,000 devices at 10 Hz showed zod's parse (which also copies every sample) plus the JSON
 * serialization for the size check as the largest per-message cost after the database.
 * protocol/bridge.test.ts checks it against parseBatchZod on valid and mutated batches.
 */
function isCertainlyValidBatch(input: unknown, channelCount: number | undefined): input is Batch {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return false;
  let keys = 0;
  for (const k in input) {
    if (k !== 'seq' && k !== 'samples') return false;
    keys++;
  }
  const b = input as { seq?: unknown; samples?: unknown };
  if (keys !== 2) return false;
  const seq = b.seq;
  if (typeof seq !== 'number' || !Number.isInteger(seq) || seq < 0 || seq > LIMITS.maxSeq) return false;
  const samples = b.samples;
  if (!Array.isArray(samples) || samples.length < 1 || samples.length > LIMITS.maxSamplesPerBatch) return false;
  // {"seq":<n>,"samples":[ ... ]}
  let bytes = 14 + MAX_NUMBER_CHARS;
  for (let i = 0; i < samples.length; i++) {
    const x: unknown = samples[i];
    if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
    let n = 0;
    for (const k in x) {
      if (k !== 't' && k !== 'r' && k !== 'v') return false;
      n++;
    }
    if (n !== 3) return false;
    const smp = x as { t?: unknown; r?: unknown; v?: unknown };
    const t = smp.t;
    const r = smp.r;
    const v = smp.v;
    if (typeof t !== 'number' || !Number.isFinite(t) || typeof r !== 'number' || !Number.isFinite(r)) return false;
    if (!Array.isArray(v) || v.length > LIMITS.maxChannels) return false;
    if (channelCount !== undefined && v.length !== channelCount) return false;
    for (let c = 0; c < v.length; c++) {
      const y: unknown = v[c];
      if (y !== null && (typeof y !== 'number' || !Number.isFinite(y))) return false;
    }
    // {"t":<n>,"r":<n>,"v":[<n>,...]}, plus the comma between samples
    bytes += 19 + 2 * MAX_NUMBER_CHARS + v.length * (MAX_NUMBER_CHARS + 1);
  }
  return bytes <= LIMITS.maxBatchBytes;
}

/** Validates a batch against the limits and, when given, the advertised channel count. The
 * returned value is the input itself when it is valid (no copy). */
export function parseBatch(input: unknown, channelCount?: number): Parsed<Batch> {
  if (isCertainlyValidBatch(input, channelCount)) return { ok: true, value: input };
  return parseBatchZod(input, channelCount);
}

/** parseBatch through zod only: the reference, and the path that words every refusal. */
export function parseBatchZod(input: unknown, channelCount?: number): Parsed<Batch> {
  const big = sized(input, LIMITS.maxBatchBytes, 'batch');
  if (big) return big;
  const r = BatchSchema.safeParse(input);
  if (!r.success) return fromZod(r.error, 'batch');
  if (channelCount !== undefined) {
    const s = r.data.samples;
    for (let i = 0; i < s.length; i++) {
      if (s[i].v.length !== channelCount) {
        return {
          ok: false,
          error: `invalid batch: samples.${i}.v has ${s[i].v.length} values, the device advertised ${channelCount} channels`,
          issues: [{ path: ['samples', i, 'v'], message: `expected ${channelCount} values` }],
        };
      }
    }
  }
  return { ok: true, value: r.data };
}

export function parseStatus(input: unknown): Parsed<Status> {
  const big = sized(input, LIMITS.maxMessageBytes, 'status');
  if (big) return big;
  const r = StatusSchema.safeParse(input);
  return r.success ? { ok: true, value: r.data } : fromZod(r.error, 'status');
}

export function parseCommand(input: unknown): Parsed<Command> {
  const big = sized(input, LIMITS.maxMessageBytes, 'command');
  if (big) return big;
  const r = CommandSchema.safeParse(input);
  return r.success ? { ok: true, value: r.data } : fromZod(r.error, 'command');
}

export function parseCommandAck(input: unknown): Parsed<CommandAck> {
  const big = sized(input, LIMITS.maxMessageBytes, 'command ack');
  if (big) return big;
  const r = CommandAckSchema.safeParse(input);
  return r.success ? { ok: true, value: r.data } : fromZod(r.error, 'command ack');
}

/**
 * Safety interlock for a command against the device's advertisement: the device must accept
 * the command kind, and a set-point must lie inside the range of its advertised channel of that
 * kind ('current' for setCurrent, 'power' for setPower). Returns null when allowed, else why not.
 */
export function interlock(cmd: Pick<Command, 'kind' | 'value'>, hello: Pick<Hello, 'channels' | 'commands'>): string | null {
  if (!(hello.commands ?? []).includes(cmd.kind)) return `the device does not accept '${cmd.kind}' commands`;
  if (cmd.kind === 'stop') return null;
  const kind: ChannelKind = cmd.kind === 'setCurrent' ? 'current' : 'power';
  const ch = hello.channels.find((c) => c.kind === kind);
  if (!ch) return `the device advertises no '${kind}' channel, so '${cmd.kind}' has no limits to check against`;
  const [lo, hi] = ch.range;
  if (!(cmd.value >= lo && cmd.value <= hi))
    return `set-point ${cmd.value} ${ch.unit} is outside the device's limits [${lo}, ${hi}] ${ch.unit} (channel '${ch.id}')`;
  return null;
}

/** Device tokens: `tbd_<deviceId>_<secret>`; the secret is 32 random bytes, base64url. */
export const TOKEN_PREFIX = 'tbd_';

export function splitToken(token: unknown): { deviceId: string; secret: string } | null {
  if (typeof token !== 'string' || token.length > 200 || !token.startsWith(TOKEN_PREFIX)) return null;
  const rest = token.slice(TOKEN_PREFIX.length);
  const k = rest.indexOf('_'); // device ids hold no '_'; base64url secrets may
  if (k <= 0) return null;
  const deviceId = rest.slice(0, k);
  const secret = rest.slice(k + 1);
  if (!/^[A-Za-z0-9.:-]{1,64}$/.test(deviceId) || !/^[A-Za-z0-9_-]{20,100}$/.test(secret)) return null;
  return { deviceId, secret };
}
