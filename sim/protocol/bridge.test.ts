import { describe, expect, it } from 'vitest';
import {
  interlock,
  LIMITS,
  MAX_NUMBER_CHARS,
  parseBatch,
  parseBatchZod,
  parseCommand,
  parseCommandAck,
  parseHello,
  parseStatus,
  PROTOCOL_VERSION,
  splitToken,
  type Hello,
} from './bridge';

const hello: Hello = {
  protocol: PROTOCOL_VERSION,
  deviceId: 'dev-1',
  channels: [
    { id: 'current_A', name: 'current', unit: 'A', kind: 'current', range: [-20, 20] },
    { id: 'voltage_V', name: 'voltage', unit: 'V', kind: 'voltage', range: [2, 4.3] },
  ],
  commands: ['setCurrent', 'stop'],
};

describe('hello', () => {
  it('accepts a valid hello', () => {
    const r = parseHello(hello);
    expect(r.ok).toBe(true);
  });
  it('refuses another protocol version with a clear message', () => {
    const r = parseHello({ ...hello, protocol: 2, extra: 'new field' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/protocol version mismatch.*protocol 1.*2/);
  });
  it('refuses a missing protocol', () => {
    const { protocol: _p, ...rest } = hello;
    const r = parseHello(rest);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0].path).toEqual(['protocol']);
  });
  it('refuses duplicate channel ids, bad ranges, bad ids, unknown keys', () => {
    const dup = parseHello({ ...hello, channels: [hello.channels[0], hello.channels[0]] });
    expect(dup.ok).toBe(false);
    if (!dup.ok) expect(dup.error).toMatch(/duplicate channel id/);
    const range = parseHello({ ...hello, channels: [{ ...hello.channels[0], range: [5, 1] }] });
    expect(range.ok).toBe(false);
    if (!range.ok) expect(range.issues[0].path).toEqual(['channels', 0, 'range']);
    expect(parseHello({ ...hello, deviceId: 'a b' }).ok).toBe(false);
    expect(parseHello({ ...hello, whatever: 1 }).ok).toBe(false);
    expect(parseHello({ ...hello, channels: [] }).ok).toBe(false);
  });
  it('refuses too many channels and oversized messages', () => {
    const many = Array.from({ length: LIMITS.maxChannels + 1 }, (_, i) => ({ ...hello.channels[0], id: `c${i}` }));
    expect(parseHello({ ...hello, channels: many }).ok).toBe(false);
    const r = parseHello({ ...hello, software: 'x'.repeat(LIMITS.maxMessageBytes) });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/too large/);
  });
  it('refuses non-objects', () => {
    for (const x of [null, 1, 'hello', [], undefined]) expect(parseHello(x).ok).toBe(false);
  });
});

describe('batch', () => {
  const batch = { seq: 0, samples: [{ t: 0, r: 1.7e12, v: [1.5, 3.9] }, { t: 1, r: 1.7e12 + 1000, v: [null, 3.8] }] };
  it('accepts a valid batch', () => {
    expect(parseBatch(batch, 2).ok).toBe(true);
  });
  it('checks the value count against the advertisement', () => {
    const r = parseBatch(batch, 3);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0].path).toEqual(['samples', 0, 'v']);
  });
  it('refuses bad seq, empty, non-finite, too many samples, too many bytes', () => {
    expect(parseBatch({ ...batch, seq: -1 }).ok).toBe(false);
    expect(parseBatch({ ...batch, seq: 1.5 }).ok).toBe(false);
    expect(parseBatch({ ...batch, seq: '1' }).ok).toBe(false);
    expect(parseBatch({ ...batch, samples: [] }).ok).toBe(false);
    expect(parseBatch({ seq: 1, samples: [{ t: Number.NaN, r: 0, v: [] }] }).ok).toBe(false);
    expect(parseBatch({ seq: 1, samples: [{ t: 0, r: 0, v: [Infinity] }] }).ok).toBe(false);
    const many = Array.from({ length: LIMITS.maxSamplesPerBatch + 1 }, (_, i) => ({ t: i, r: 0, v: [1] }));
    expect(parseBatch({ seq: 1, samples: many }).ok).toBe(false);
    const fat = Array.from({ length: 1500 }, (_, i) => ({ t: i + 0.123456789, r: 1.7e12 + 0.123456789, v: Array(20).fill(3.123456789) }));
    const r = parseBatch({ seq: 1, samples: fat });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/too large/);
  });
  it('takes the fast path for valid batches (no copy) and agrees with zod on valid and mutated ones', () => {
    expect(parseBatch(batch, 2)).toEqual({ ok: true, value: batch });
    if (parseBatch(batch, 2).ok) expect((parseBatch(batch, 2) as { value: unknown }).value).toBe(batch);
    // deterministic mutation fuzz: every verdict of parseBatch equals parseBatchZod's
    let seed = 12345;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const pick = <T,>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
    const odd: unknown[] = [null, undefined, NaN, Infinity, -Infinity, '1', true, {}, [], -1, 0.5, 2 ** 31, -0, 1e308, [1], { t: 0 }];
    let accepted = 0;
    for (let k = 0; k < 3000; k++) {
      const nc = 1 + Math.floor(rnd() * 4);
      const n = 1 + Math.floor(rnd() * 5);
      const b: Record<string, unknown> = {
        seq: Math.floor(rnd() * 1000),
        samples: Array.from({ length: n }, (_, i) => ({ t: i + rnd(), r: 1.7e12 + rnd() * 1000, v: Array.from({ length: nc }, () => (rnd() < 0.1 ? null : rnd() * 10 - 5)) })),
      };
      const samples = b.samples as Record<string, unknown>[];
      const m = Math.floor(rnd() * 9);
      if (m === 1) b[pick(['seq', 'samples', 'extra', '__proto__'])] = pick(odd);
      if (m === 2) samples[Math.floor(rnd() * n)][pick(['t', 'r', 'v', 'x'])] = pick(odd);
      if (m === 3) (samples[Math.floor(rnd() * n)].v as unknown[])[Math.floor(rnd() * nc)] = pick(odd);
      if (m === 4) delete samples[Math.floor(rnd() * n)][pick(['t', 'r', 'v'])];
      if (m === 5) delete b[pick(['seq', 'samples'])];
      if (m === 6) samples[Math.floor(rnd() * n)] = pick(odd) as Record<string, unknown>;
      const count = rnd() < 0.8 ? nc : rnd() < 0.5 ? undefined : nc + 1;
      const fast = parseBatch(b, count);
      const ref = parseBatchZod(b, count);
      expect(fast.ok, JSON.stringify({ b, count })).toBe(ref.ok);
      if (fast.ok) accepted++;
    }
    expect(accepted).toBeGreaterThan(1000);
    expect(accepted).toBeLessThan(3000);
  });
  it('bounds the JSON size of a number from above', () => {
    for (const x of [-1.2345678901234567e-6, -1.2345678901234567e-308, -1.7976931348623157e308, -123456789012345680000, -5e-324, 0.1 + 0.2])
      expect(JSON.stringify(x).length).toBeLessThanOrEqual(MAX_NUMBER_CHARS);
    // just below and above the size limit: the fast bound never accepts what zod refuses
    for (const n of [900, 1000, 1200, 1300]) {
      const big = { seq: 1, samples: Array.from({ length: n }, (_, i) => ({ t: -1.2345678901234567e-6 * i, r: -1.2345678901234567e-6, v: Array(8).fill(-1.2345678901234567e-6) })) };
      expect(parseBatch(big, 8).ok).toBe(parseBatchZod(big, 8).ok);
    }
  });
  it('refuses cyclic input without throwing', () => {
    const a: Record<string, unknown> = { seq: 1 };
    a.samples = [a];
    expect(parseBatch(a).ok).toBe(false);
  });
});

describe('status, commands, interlock, tokens', () => {
  it('status', () => {
    expect(parseStatus({ state: 'ok', buffered: 3 }).ok).toBe(true);
    expect(parseStatus({ state: 'burning' }).ok).toBe(false);
  });
  it('commands and acks', () => {
    expect(parseCommand({ id: 'c1', kind: 'setCurrent', value: 2, timeoutMs: 1000 }).ok).toBe(true);
    expect(parseCommand({ id: 'c1', kind: 'explode', value: 2, timeoutMs: 1000 }).ok).toBe(false);
    expect(parseCommandAck({ id: 'c1', ok: true }).ok).toBe(true);
    expect(parseCommandAck({ id: 'c1' }).ok).toBe(false);
  });
  it('interlock checks kind and limits', () => {
    expect(interlock({ kind: 'setCurrent', value: 5 }, hello)).toBeNull();
    expect(interlock({ kind: 'setCurrent', value: 25 }, hello)).toMatch(/outside the device's limits \[-20, 20\]/);
    expect(interlock({ kind: 'setPower', value: 5 }, hello)).toMatch(/does not accept/);
    expect(interlock({ kind: 'stop', value: 0 }, hello)).toBeNull();
    expect(interlock({ kind: 'setCurrent', value: 1 }, { ...hello, commands: undefined })).toMatch(/does not accept/);
  });
  it('tokens split into device id and secret', () => {
    expect(splitToken('tbd_dev-1_abcdefghijklmnopqrstuvwxyz_-0123')).toEqual({ deviceId: 'dev-1', secret: 'abcdefghijklmnopqrstuvwxyz_-0123' });
    for (const t of ['', 'dev_x', 'tbd_', 'tbd_dev', 'tbd__abcdefghijklmnopqrstu', 'tbd_a b_abcdefghijklmnopqrstuvwxyz', 7, null])
      expect(splitToken(t)).toBeNull();
  });
});
