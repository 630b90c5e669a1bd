import { describe, it, expect } from 'vitest';
import { parseJsonWithLocations } from './jsonText';
import { createRng } from '../core/rng';

function randomValue(r: ReturnType<typeof createRng>, depth: number): unknown {
  const k = r.int(depth > 3 ? 4 : 6);
  switch (k) {
    case 0: return r.normal() * 10 ** r.int(8);
    case 1: return ['a', 'é\n"\\', '\u2028', '🔋', ''][r.int(5)];
    case 2: return [true, false, null][r.int(3)];
    case 3: return r.int(1000) - 500;
    case 4: return Array.from({ length: r.int(4) }, () => randomValue(r, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = 0; i < r.int(4); i++) o[`k${r.int(10)}`] = randomValue(r, depth + 1);
      return o;
    }
  }
}

describe('parseJsonWithLocations', () => {
  it('agrees with JSON.parse on random documents, compact and pretty', () => {
    const r = createRng(3);
    for (let i = 0; i < 300; i++) {
      const v = randomValue(r, 0);
      for (const text of [JSON.stringify(v), JSON.stringify(v, null, 2)]) {
        const p = parseJsonWithLocations(text);
        expect(p.ok).toBe(true);
        if (p.ok) expect(p.value).toEqual(JSON.parse(text));
      }
    }
  });
  it('locates values and keys (1-based line/column)', () => {
    const text = '{\n  "a": [1, {"b": "x"}]\n}';
    const p = parseJsonWithLocations(text);
    if (!p.ok) throw new Error('parse failed');
    expect(p.locations.value(['a', 1, 'b'])).toMatchObject({ line: 2, column: 18, endLine: 2, endColumn: 21 });
    expect(p.locations.key(['a'])).toMatchObject({ line: 2, column: 3 });
    // a missing path falls back to the nearest existing ancestor
    expect(p.locations.nearest(['a', 1, 'zzz'])).toMatchObject({ line: 2, column: 12 });
  });
  it('reports syntax errors with positions', () => {
    const cases: [string, RegExp, number, number][] = [
      ['{"a": 1,}', /trailing comma/, 1, 9],
      ['{"a": 01}', /leading zeros/, 1, 7],
      ["{'a': 1}", /double quotes/, 1, 2],
      ['{"a": 1} x', /after the end/, 1, 10],
      ['{\n "a": tru\n}', /expected a value/, 2, 7],
      ['{"a": "x\ny"}', /line break inside a string/, 1, 9],
      ['{"a": 1 /* open', /unterminated comment/, 1, 9],
      ['[1, 2', /expected ',' or ']'/, 1, 6],
      ['', /unexpected end/, 1, 1],
    ];
    for (const [text, msg, line, column] of cases) {
      const p = parseJsonWithLocations(text);
      expect(p.ok, text).toBe(false);
      if (!p.ok) {
        expect(p.error.message, text).toMatch(msg);
        expect([p.error.line, p.error.column], text).toEqual([line, column]);
      }
    }
  });
  it('accepts comments (JSONC); they are not part of the value', () => {
    const p = parseJsonWithLocations('// scenario\n{ /* k */ "a": 1, // one\n "b": [2 /* two */] }');
    expect(p.ok && p.value).toEqual({ a: 1, b: [2] });
    if (p.ok) expect(p.locations.nearest(['b', 0])).toMatchObject({ line: 3, column: 8 });
  });
  it('keeps __proto__ as an ordinary key', () => {
    const p = parseJsonWithLocations('{"__proto__": {"x": 1}}');
    expect(p.ok && Object.keys(p.value as object)).toEqual(['__proto__']);
  });
});
