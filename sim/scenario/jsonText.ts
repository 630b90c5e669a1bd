/**
 * A strict JSON (RFC 8259) parser that reports syntax errors with line and column, the same text
 * in every JS engine (JSON.parse messages differ between V8 versions and browsers), rejects
 * duplicate keys (which would make a canonical form ambiguous), and records where each value and
 * key sits so issues found later by the schema can be placed at their exact path in the editor.
 *
 * Lines and columns are 1-based; columns count UTF-16 code units (what Monaco uses).
 */

export type JsonPath = (string | number)[];

export interface TextRange {
  /** 0-based offsets into the text, end exclusive. */
  start: number;
  end: number;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export interface JsonSyntaxError {
  message: string;
  offset: number;
  line: number;
  column: number;
}

export interface JsonLocations {
  /** Range of the value at `path` (or undefined if the path does not exist in the text). */
  value(path: JsonPath): TextRange | undefined;
  /** Range of the property key that ends `path` (objects only). */
  key(path: JsonPath): TextRange | undefined;
  /** Best range for an issue at `path`: the value, else the nearest existing ancestor. */
  nearest(path: JsonPath, preferKey?: boolean): TextRange;
}

export type JsonParseResult =
  | { ok: true; value: unknown; locations: JsonLocations }
  | { ok: false; error: JsonSyntaxError };

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

function lineCol(starts: number[], offset: number): { line: number; column: number } {
  let lo = 0, hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid; else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - starts[lo] + 1 };
}

class SyntaxFail extends Error {
  constructor(readonly msg: string, readonly offset: number) { super(msg); }
}

const keyOf = (path: JsonPath) => JSON.stringify(path);

function describeChar(text: string, i: number): string {
  if (i >= text.length) return 'end of text';
  const c = text[i];
  if (c === '\n') return 'a line break';
  if (c === '\'') return `"'" (JSON strings use double quotes)`;
  return `'${c}'`;
}

export function parseJsonWithLocations(text: string): JsonParseResult {
  const valueRanges = new Map<string, [number, number]>();
  const keyRanges = new Map<string, [number, number]>();
  let i = 0;
  if (text.charCodeAt(0) === 0xfeff) i = 1; // BOM
  const n = text.length;

  const ws = () => {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) { i++; continue; }
      // JSON with comments (JSONC, as VS Code settings): // to the end of the line, /* ... */.
      // Comments are not part of the value: the canonical JSON and the hash ignore them.
      if (c === 47 && text[i + 1] === '/') {
        while (i < n && text.charCodeAt(i) !== 10) i++;
        continue;
      }
      if (c === 47 && text[i + 1] === '*') {
        const end = text.indexOf('*/', i + 2);
        if (end < 0) throw new SyntaxFail('unterminated comment (missing */)', i);
        i = end + 2;
        continue;
      }
      break;
    }
  };

  const str = (): string => {
    const start = i;
    i++; // opening quote
    let out = '';
    let chunk = i;
    for (;;) {
      if (i >= n) throw new SyntaxFail('unterminated string (missing closing ")', start);
      const c = text.charCodeAt(i);
      if (c === 34) { out += text.slice(chunk, i); i++; return out; }
      if (c < 0x20) throw new SyntaxFail(c === 10 ? 'unterminated string (line break inside a string; write \\n)' : 'control character inside a string must be escaped', i);
      if (c === 92) {
        out += text.slice(chunk, i);
        const e = text[i + 1];
        switch (e) {
          case '"': out += '"'; break;
          case '\\': out += '\\'; break;
          case '/': out += '/'; break;
          case 'b': out += '\b'; break;
          case 'f': out += '\f'; break;
          case 'n': out += '\n'; break;
          case 'r': out += '\r'; break;
          case 't': out += '\t'; break;
          case 'u': {
            const h = text.slice(i + 2, i + 6);
            if (!/^[0-9a-fA-F]{4}$/.test(h)) throw new SyntaxFail('invalid \\u escape (expected 4 hex digits)', i);
            out += String.fromCharCode(parseInt(h, 16));
            i += 4;
            break;
          }
          default:
            throw new SyntaxFail(`invalid escape '\\${e ?? ''}' in string`, i);
        }
        i += 2;
        chunk = i;
        continue;
      }
      i++;
    }
  };

  const num = (): number => {
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    m.lastIndex = 0;
    const rest = text.slice(i, i + 400);
    const r = m.exec(rest);
    if (!r) throw new SyntaxFail(`invalid number starting with ${describeChar(text, i)}`, i);
    const after = text[i + r[0].length];
    if (after !== undefined && /[0-9A-Za-z.]/.test(after)) {
      throw new SyntaxFail(/^-?0\d/.test(rest) ? 'numbers must not have leading zeros' : `invalid number '${rest.slice(0, r[0].length + 1)}'`, i);
    }
    i += r[0].length;
    const v = Number(r[0]);
    if (!Number.isFinite(v)) throw new SyntaxFail(`number '${r[0]}' is out of range`, i - r[0].length);
    return v;
  };

  const value = (path: JsonPath, depth: number): unknown => {
    if (depth > 200) throw new SyntaxFail('nesting is too deep (max 200 levels)', i);
    ws();
    const start = i;
    const c = text[i];
    let v: unknown;
    if (c === '{') {
      i++;
      const obj: Record<string, unknown> = {};
      ws();
      if (text[i] === '}') { i++; }
      else {
        for (;;) {
          ws();
          if (text[i] !== '"') {
            if (text[i] === '}') throw new SyntaxFail('trailing comma before }', i);
            throw new SyntaxFail(`expected a property name in double quotes, got ${describeChar(text, i)}`, i);
          }
          const ks = i;
          const k = str();
          const kp = [...path, k];
          if (Object.prototype.hasOwnProperty.call(obj, k)) throw new SyntaxFail(`duplicate key "${k}"`, ks);
          keyRanges.set(keyOf(kp), [ks, i]);
          ws();
          if (text[i] !== ':') throw new SyntaxFail(`expected ':' after property name "${k}", got ${describeChar(text, i)}`, i);
          i++;
          const pv = value(kp, depth + 1);
          Object.defineProperty(obj, k, { value: pv, enumerable: true, writable: true, configurable: true });
          ws();
          if (text[i] === ',') { i++; continue; }
          if (text[i] === '}') { i++; break; }
          throw new SyntaxFail(`expected ',' or '}' after the value of "${k}", got ${describeChar(text, i)}`, i);
        }
      }
      v = obj;
    } else if (c === '[') {
      i++;
      const arr: unknown[] = [];
      ws();
      if (text[i] === ']') { i++; }
      else {
        for (;;) {
          ws();
          if (text[i] === ']') throw new SyntaxFail('trailing comma before ]', i);
          arr.push(value([...path, arr.length], depth + 1));
          ws();
          if (text[i] === ',') { i++; continue; }
          if (text[i] === ']') { i++; break; }
          throw new SyntaxFail(`expected ',' or ']' after array item ${arr.length - 1}, got ${describeChar(text, i)}`, i);
        }
      }
      v = arr;
    } else if (c === '"') {
      v = str();
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      v = num();
    } else if (text.startsWith('true', i)) { i += 4; v = true; }
    else if (text.startsWith('false', i)) { i += 5; v = false; }
    else if (text.startsWith('null', i)) { i += 4; v = null; }
    else if (i >= n) throw new SyntaxFail('unexpected end of text, expected a value', i);
    else throw new SyntaxFail(`unexpected ${describeChar(text, i)}, expected a value (object, array, string, number, true, false or null)`, i);
    valueRanges.set(keyOf(path), [start, i]);
    return v;
  };

  let starts: number[] | undefined;
  const getStarts = () => (starts ??= lineStarts(text));
  try {
    const v = value([], 0);
    ws();
    if (i < n) throw new SyntaxFail(`unexpected ${describeChar(text, i)} after the end of the JSON value`, i);
    const toRange = (r: [number, number]): TextRange => {
      const a = lineCol(getStarts(), r[0]);
      const b = lineCol(getStarts(), r[1]);
      return { start: r[0], end: r[1], line: a.line, column: a.column, endLine: b.line, endColumn: b.column };
    };
    const locations: JsonLocations = {
      value: (p) => { const r = valueRanges.get(keyOf(p)); return r ? toRange(r) : undefined; },
      key: (p) => { const r = keyRanges.get(keyOf(p)); return r ? toRange(r) : undefined; },
      nearest: (p, preferKey) => {
        if (preferKey) { const k = keyRanges.get(keyOf(p)); if (k) return toRange(k); }
        for (let len = p.length; len >= 0; len--) {
          const r = valueRanges.get(keyOf(p.slice(0, len)));
          if (r) {
            // For an object/array ancestor, mark only its first character, not the whole block.
            if (len < p.length && (text[r[0]] === '{' || text[r[0]] === '[')) {
              const kr = len > 0 ? keyRanges.get(keyOf(p.slice(0, len))) : undefined;
              return toRange(kr ?? [r[0], r[0] + 1]);
            }
            return toRange(r);
          }
        }
        return toRange([0, Math.min(1, n)]);
      },
    };
    return { ok: true, value: v, locations };
  } catch (e) {
    if (e instanceof SyntaxFail) {
      const off = Math.min(e.offset, n);
      const lc = lineCol(getStarts(), off);
      return { ok: false, error: { message: e.msg, offset: off, line: lc.line, column: lc.column } };
    }
    throw e;
  }
}
