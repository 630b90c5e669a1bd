import { describe, expect, it } from 'vitest';
import type { Sample } from '../../sim/protocol/bridge';
import { decodeSamples, encodeSamples } from './samples';

/** the definition: JSON of the columns */
function reference(samples: Sample[]): string {
  const nc = samples.length ? samples[0].v.length : 0;
  return JSON.stringify({
    t: samples.map((s) => s.t),
    r: samples.map((s) => s.r),
    v: Array.from({ length: nc }, (_, c) => samples.map((s) => s.v[c] ?? null)),
  });
}

describe('columnar sample encoding', () => {
  it('writes exactly the JSON of the columns and reads back the same samples', () => {
    let seed = 7;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const odd = [0, -0, 1e-7, -1.2345678901234567e-6, 1.7976931348623157e308, 5e-324, 123456789012345680000, 1e21, 0.1 + 0.2, null];
    for (let k = 0; k < 300; k++) {
      const n = 1 + Math.floor(rnd() * 12);
      const nc = Math.floor(rnd() * 5);
      const samples: Sample[] = Array.from({ length: n }, () => ({
        t: rnd() < 0.2 ? (odd[Math.floor(rnd() * 9)] as number) : rnd() * 1e4,
        r: 1.7e12 + rnd() * 1e6,
        v: Array.from({ length: nc }, () => (rnd() < 0.3 ? odd[Math.floor(rnd() * odd.length)] : (rnd() - 0.5) * 10 ** Math.floor(rnd() * 20 - 10))),
      }));
      const text = encodeSamples(samples);
      expect(text).toBe(reference(samples));
      expect(decodeSamples(text)).toEqual(samples.map((s) => ({ ...s, t: Object.is(s.t, -0) ? 0 : s.t, v: s.v.map((x) => (Object.is(x, -0) ? 0 : x)) })));
    }
    expect(encodeSamples([])).toBe('{"t":[],"r":[],"v":[]}');
    // not finite (never valid on the wire): null, as JSON.stringify
    expect(encodeSamples([{ t: NaN, r: Infinity, v: [-Infinity] }])).toBe(reference([{ t: NaN, r: Infinity, v: [-Infinity] }]));
  });
});
