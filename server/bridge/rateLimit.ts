// Token bucket: `ratePerS` tokens per second, at most `burst` stored.
export class TokenBucket {
  private tokens: number;
  private last: number;
  constructor(
    readonly ratePerS: number,
    readonly burst: number,
    now = Date.now(),
  ) {
    this.tokens = burst;
    this.last = now;
  }
  /** Takes n tokens if available; otherwise returns the ms until they would be. */
  take(n: number, now = Date.now()): { ok: true } | { ok: false; retryAfterMs: number } {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.ratePerS);
    this.last = now;
    if (n <= this.tokens) {
      this.tokens -= n;
      return { ok: true };
    }
    const need = Math.min(n, this.burst) - this.tokens;
    return { ok: false, retryAfterMs: Math.max(1, Math.ceil((need / this.ratePerS) * 1000)) };
  }
}
