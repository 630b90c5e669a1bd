import { describe, it, expect } from 'vitest';
import { compressToEncodedURIComponent } from 'lz-string';
import { decodeFragment, encodeFragment, isValidShareId, MAX_FRAGMENT_CHARS } from './shareLinks';

describe('fragment links', () => {
  it('round-trips a small scenario', () => {
    const text = JSON.stringify({ name: 'x', steps: ['Rest for 1 hour'] }, null, 2);
    const frag = encodeFragment(text);
    expect(frag).toMatch(/^s=/);
    const back = decodeFragment('#' + frag);
    expect(back).toEqual({ kind: 'ok', text });
  });

  it('gives no fragment for large scenarios', () => {
    // Random-ish content compresses poorly.
    let s = '';
    for (let i = 0; i < 4000; i++) s += ((i * 2654435761) >>> 0).toString(36);
    const frag = encodeFragment(JSON.stringify({ s }));
    expect(frag).toBeNull();
    expect(MAX_FRAGMENT_CHARS).toBe(2048);
  });

  it('ignores other hashes and rejects damaged ones with a message', () => {
    expect(decodeFragment('')).toEqual({ kind: 'none' });
    expect(decodeFragment('#plots')).toEqual({ kind: 'none' });
    expect(decodeFragment('#s=')).toMatchObject({ kind: 'error' });
    expect(decodeFragment('#s=<script>')).toMatchObject({ kind: 'error', message: expect.stringMatching(/damaged/) });
    expect(decodeFragment('#s=' + 'A'.repeat(300_000))).toMatchObject({ kind: 'error', message: expect.stringMatching(/too long/) });
  });

  it('passes non-JSON text through for the validator to reject', () => {
    const frag = 's=' + compressToEncodedURIComponent('not json');
    expect(decodeFragment(frag)).toEqual({ kind: 'ok', text: 'not json' });
  });
});

describe('share ids', () => {
  it('accepts hex hashes only', () => {
    expect(isValidShareId('a'.repeat(64))).toBe(true);
    expect(isValidShareId('0123456789abcdef')).toBe(false);
    expect(isValidShareId('../etc/passwd')).toBe(false);
    expect(isValidShareId('A'.repeat(64))).toBe(false);
    expect(isValidShareId('abc')).toBe(false);
  });
});
