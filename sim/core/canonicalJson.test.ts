import { describe, it, expect } from 'vitest';
import { canonicalJson } from './canonicalJson';

describe('canonicalJson', () => {
  it('sorts keys recursively and drops whitespace', () => {
    const a = { b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } };
    const b = { a: { c: 'x', d: [3, { y: 2, z: 1 }] }, b: 1 };
    expect(canonicalJson(a)).toBe('{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}');
    expect(canonicalJson(b)).toBe(canonicalJson(a));
  });
  it('prints numbers and strings as JSON.stringify does', () => {
    expect(canonicalJson([1.5, -0, 1e21, 0.1 + 0.2, 'a"\n'])).toBe('[1.5,0,1e+21,0.30000000000000004,"a\\"\\n"]');
  });
  it('omits undefined properties and writes undefined array items as null', () => {
    expect(canonicalJson({ a: undefined, b: [undefined, null, true] })).toBe('{"b":[null,null,true]}');
  });
  it('refuses non-finite numbers with the path', () => {
    expect(() => canonicalJson({ x: [1, NaN] })).toThrow(/\$\.x\[1\]/);
    expect(() => canonicalJson({ x: Infinity })).toThrow(/non-finite/);
  });
  it('orders keys by code unit, not locale', () => {
    expect(canonicalJson({ b: 1, B: 2, a: 3, _: 4 })).toBe('{"B":2,"_":4,"a":3,"b":1}');
  });
});
