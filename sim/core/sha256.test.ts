import { describe, it, expect } from 'vitest';
import { sha256Hex, utf8Encode, sha256BytesHex } from './sha256';

describe('sha256 (FIPS 180-2 / 180-4 test vectors)', () => {
  it('hashes "abc"', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
  it('hashes the empty string', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
  it('hashes the 448-bit two-block message', () => {
    expect(sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });
  it('hashes one million "a"', () => {
    expect(sha256Hex('a'.repeat(1_000_000))).toBe('cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
  });
  it('handles padding boundaries (55, 56, 64 bytes)', () => {
    expect(sha256Hex('a'.repeat(55))).toBe('9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318');
    expect(sha256Hex('a'.repeat(56))).toBe('b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a');
    expect(sha256Hex('a'.repeat(64))).toBe('ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb');
  });
  it('hashes UTF-8 bytes of non-ASCII text (incl. astral plane)', () => {
    expect(sha256Hex('héllo wörld ✓ 🔋')).toBe('c4847a7920604d3b2ad4181ad60a97d638ca48c5794d49fe7e516450b87cc1ce');
  });
  it('encodes UTF-8 like TextEncoder, lone surrogates as U+FFFD', () => {
    for (const s of ['é', '✓', '🔋', 'a\ud800b', '\udc00']) {
      expect(Array.from(utf8Encode(s))).toEqual(Array.from(new TextEncoder().encode(s)));
    }
    expect(sha256BytesHex(new TextEncoder().encode('abc'))).toBe(sha256Hex('abc'));
  });
});
