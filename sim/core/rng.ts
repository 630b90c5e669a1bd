/**
 * Seeded pseudo-random numbers for the twin core.
 *
 * Generator: xoshiro128** (Blackman & Vigna, 2018, https://prng.di.unimi.it/), 32-bit arithmetic
 * only (Math.imul), so it gives the same sequence in Node, browsers and workers. The 128-bit state
 * is seeded with splitmix32 from a 32-bit seed. `next()` returns a double in [0, 1) with 53 random
 * bits (two 32-bit outputs). `normal()` uses the Box-Muller transform and caches the second value.
 *
 * Sub-streams: `fork(key)` derives an independent generator from the ORIGINAL seed and a key
 * (string or number), not from the parent's current state. So the stream a component gets
 * (e.g. `rng.fork('pack-spread')`) does not change when another component draws more or fewer
 * numbers: adding a feature does not reshuffle the randomness of the others.
 */

export const DEFAULT_SEED = 1;

/** splitmix32 step: returns [nextState, output]. */
function splitmix32(state: number): [number, number] {
  state = (state + 0x9e3779b9) | 0;
  let z = state;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  z = (z ^ (z >>> 16)) >>> 0;
  return [state, z];
}

/** FNV-1a 32-bit hash of a string's UTF-16 code units (used to turn fork keys into numbers). */
function fnv1a32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Normalise any finite number to a uint32 seed (non-integers and negatives are mixed, not truncated to 0). */
export function toSeed32(seed: number): number {
  if (!Number.isFinite(seed)) throw new Error(`rng seed must be a finite number, got ${seed}`);
  if (Number.isInteger(seed) && seed >= 0 && seed <= 0xffffffff) return seed >>> 0;
  // Mix high and low parts for large integers / fractions so distinct seeds stay distinct.
  const hi = Math.floor(seed / 4294967296);
  const lo = seed - hi * 4294967296;
  return (fnv1a32(`${hi}:${lo}`) ^ (lo >>> 0)) >>> 0;
}

/** Derive a child seed from a seed and a key (deterministic, well mixed). */
export function deriveSeed(seed: number, key: string | number): number {
  const k = typeof key === 'number' ? fnv1a32(`#${key}`) : fnv1a32(key);
  let [s, a] = splitmix32(toSeed32(seed) ^ 0x5bd1e995);
  [s, a] = splitmix32((s ^ k) | 0);
  const [, b] = splitmix32((a ^ Math.imul(k, 0x27d4eb2d)) | 0);
  return b >>> 0;
}

export class Rng {
  /** The uint32 seed this generator was created from. */
  readonly seed: number;
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare = 0;
  private hasSpare = false;

  constructor(seed: number = DEFAULT_SEED) {
    this.seed = toSeed32(seed);
    let st = this.seed;
    let out: number;
    [st, out] = splitmix32(st); this.s0 = out | 0;
    [st, out] = splitmix32(st); this.s1 = out | 0;
    [st, out] = splitmix32(st); this.s2 = out | 0;
    [st, out] = splitmix32(st); this.s3 = out | 0;
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // all-zero state is forbidden
  }

  /** Next raw 32-bit output as an unsigned integer in [0, 2^32). */
  nextUint32(): number {
    const s0 = this.s0, s1 = this.s1, s2 = this.s2, s3 = this.s3;
    const x = Math.imul(s1, 5);
    const result = Math.imul((x << 7) | (x >>> 25), 9);
    const t = s1 << 9;
    this.s2 = s2 ^ s0;
    this.s3 = s3 ^ s1;
    this.s1 = s1 ^ this.s2;
    this.s0 = s0 ^ this.s3;
    this.s2 = this.s2 ^ t;
    this.s3 = (this.s3 << 11) | (this.s3 >>> 21);
    return result >>> 0;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  next(): number {
    const a = this.nextUint32() >>> 5; // 27 bits
    const b = this.nextUint32() >>> 6; // 26 bits
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** Uniform double in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Normal deviate with the given mean and standard deviation (Box-Muller, cached pair). */
  normal(mean = 0, std = 1): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return mean + std * this.spare;
    }
    let u = 0;
    while (u === 0) u = this.next(); // avoid log(0)
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    const th = 2 * Math.PI * v;
    this.spare = r * Math.sin(th);
    this.hasSpare = true;
    return mean + std * r * Math.cos(th);
  }

  /** Independent sub-stream named by `key`, derived from this generator's seed (not its state). */
  fork(key: string | number): Rng {
    return new Rng(deriveSeed(this.seed, key));
  }
}

export function createRng(seed: number = DEFAULT_SEED): Rng {
  return new Rng(seed);
}
