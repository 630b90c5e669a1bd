import { describe, expect, it } from 'vitest';
import { jsonDepth, parseScenarioId } from './scenarios';

describe('jsonDepth', () => {
  it('counts object/array nesting without recursion', () => {
    expect(jsonDepth(1)).toBe(0);
    expect(jsonDepth({})).toBe(1);
    expect(jsonDepth({ a: [1, { b: [] }] })).toBe(4);
    const deep = JSON.parse('['.repeat(200_000) + ']'.repeat(200_000));
    expect(jsonDepth(deep, 64)).toBe(65);
  });
});

describe('parseScenarioId', () => {
  it('accepts 64 hex digits (any case) and lowercases them', () => {
    expect(parseScenarioId('AB'.repeat(32))).toBe('ab'.repeat(32));
  });
  it('refuses anything else with a 400', () => {
    for (const bad of ['', 'x', '0'.repeat(63), `${'0'.repeat(64)}%20`, '%ZZ']) {
      expect(() => parseScenarioId(bad)).toThrow(expect.objectContaining({ status: 400 }));
    }
  });
});
