import { describe, expect, it } from 'vitest';
import { TokenBucket } from './rateLimit';

describe('TokenBucket', () => {
  it('allows the burst, then refuses with a retry time, then refills', () => {
    const b = new TokenBucket(10, 20, 0);
    expect(b.take(20, 0).ok).toBe(true);
    const r = b.take(5, 0);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.retryAfterMs).toBe(500);
    expect(b.take(5, 500).ok).toBe(true);
    expect(b.take(1, 500).ok).toBe(false);
  });
});
