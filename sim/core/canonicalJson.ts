/**
 * Canonical JSON: object keys sorted by UTF-16 code unit order (Array.prototype.sort default),
 * no whitespace, strings and numbers exactly as JSON.stringify prints them (so -0 -> 0, 1e21 ->
 * 1e+21). Object properties whose value is `undefined` are omitted (as in JSON); `undefined` in an
 * array becomes null. Non-finite numbers, bigints, functions and symbols are refused with an Error
 * naming the path, because they have no JSON form and would silently change a content hash.
 * Objects with a toJSON() method (e.g. Date) are serialized through it.
 *
 * This is close to RFC 8785 (JCS) for the values scenarios contain; it differs only in key sort
 * (JCS also sorts by UTF-16 code units, so identical) and number formatting (JCS = ES number
 * formatting = JSON.stringify), i.e. for JSON data it is the same.
 */

export function canonicalJson(value: unknown): string {
  return write(value, '$');
}

function write(v: unknown, path: string): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(v)) throw new Error(`canonicalJson: non-finite number at ${path}`);
      return JSON.stringify(v);
    case 'object': {
      const obj = v as { toJSON?: () => unknown };
      if (typeof obj.toJSON === 'function') return write(obj.toJSON(), path);
      if (Array.isArray(v)) {
        let s = '[';
        for (let i = 0; i < v.length; i++) {
          if (i) s += ',';
          const e = v[i];
          s += e === undefined ? 'null' : write(e, `${path}[${i}]`);
        }
        return s + ']';
      }
      if (ArrayBuffer.isView(v)) {
        return write(Array.from(v as unknown as ArrayLike<number>), path);
      }
      const rec = v as Record<string, unknown>;
      const keys = Object.keys(rec).sort();
      let s = '{';
      let first = true;
      for (const k of keys) {
        const e = rec[k];
        if (e === undefined) continue;
        if (!first) s += ',';
        first = false;
        s += JSON.stringify(k) + ':' + write(e, `${path}.${k}`);
      }
      return s + '}';
    }
    case 'undefined':
      throw new Error(`canonicalJson: undefined at ${path}`);
    default:
      throw new Error(`canonicalJson: unsupported ${typeof v} at ${path}`);
  }
}
