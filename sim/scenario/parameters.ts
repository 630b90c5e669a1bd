/**
 * `$parameters` of version-2 scenarios. A scenario declares
 *   "parameters": { "ambient": { "default": "35 degC", "description": "..." } }
 * and writes "$ambient" anywhere: a string that is exactly "$name" becomes the value (a number
 * stays a number), and "$name" inside a longer string ("Discharge at $rate for 2 h") is replaced by
 * its text. A run may override values (`twinbench run x.json --param ambient=40degC`); the
 * overrides are written into the document's `parameters.<name>.default`, so the document that is
 * hashed, shared and recorded with the run is exactly what ran.
 * Not substituted: the `parameters` section itself, and `name` / `description` texts.
 */
import type { ScenarioIssue } from './validate';

export type ParamValue = string | number;
type Path = (string | number)[];

const REF = /\$([A-Za-z_][A-Za-z0-9_]*)/g;
const SKIP_KEYS = new Set(['parameters', 'name', 'description', '$schema']);

/** "40degC" -> "40degC"; "3" -> 3; "0.5" -> 0.5. */
export function parseParamValue(text: string): ParamValue {
  const t = text.trim();
  return /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(t) ? Number(t) : t;
}

/** Parse `name=value` pairs from the command line. */
export function parseParamArgs(args: readonly string[]): { ok: true; values: Record<string, ParamValue> } | { ok: false; message: string } {
  const values: Record<string, ParamValue> = {};
  for (const a of args) {
    const eq = a.indexOf('=');
    if (eq <= 0) return { ok: false, message: `--param expects name=value (e.g. --param ambient=35degC), got '${a}'` };
    const name = a.slice(0, eq).trim();
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return { ok: false, message: `--param: bad parameter name '${name}'` };
    const v = a.slice(eq + 1);
    if (!v.trim()) return { ok: false, message: `--param ${name}: empty value` };
    if (v.length > 200) return { ok: false, message: `--param ${name}: value too long` };
    values[name] = parseParamValue(v);
  }
  return { ok: true, values };
}

function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export type ApplyResult =
  | { ok: true; doc: unknown; withOverrides: unknown; values: Record<string, ParamValue> }
  | { ok: false; issues: ScenarioIssue[] };

/**
 * Substitute parameters. `withOverrides` is the document with the overrides written into
 * parameters.<name>.default (what to hash and share); `doc` has every reference replaced (what to
 * validate and run).
 */
export function applyParameters(input: unknown, overrides: Record<string, ParamValue> = {}): ApplyResult {
  const issues: ScenarioIssue[] = [];
  if (!isObj(input)) return { ok: true, doc: input, withOverrides: input, values: {} };
  const declared = isObj(input.parameters) ? input.parameters : {};
  const names = Object.keys(declared);
  for (const k of Object.keys(overrides))
    if (!(k in declared))
      issues.push({ path: ['parameters'], message: `unknown parameter '${k}'${names.length ? ` (this scenario has: ${names.join(', ')})` : ' (this scenario declares no parameters)'}` });
  const values: Record<string, ParamValue> = {};
  for (const k of names) {
    const d = declared[k];
    const v = k in overrides ? overrides[k] : isObj(d) ? d.default : undefined;
    if (typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))) values[k] = v;
    else if (isObj(d) && d.default !== undefined) issues.push({ path: ['parameters', k, 'default'], message: 'a parameter value is a string or a number' });
  }
  if (issues.length) return { ok: false, issues };
  let withOverrides: unknown = input;
  if (Object.keys(overrides).length) {
    const params: Record<string, unknown> = {};
    for (const k of names) params[k] = k in overrides && isObj(declared[k]) ? { ...(declared[k] as object), default: overrides[k] } : declared[k];
    withOverrides = { ...input, parameters: params };
  }
  const sub = (v: unknown, path: Path): unknown => {
    if (typeof v === 'string') {
      if (!v.includes('$')) return v;
      const whole = /^\$([A-Za-z_][A-Za-z0-9_]*)$/.exec(v);
      if (whole) {
        if (!(whole[1] in values)) {
          issues.push({ path, message: unknownRef(whole[1], names) });
          return v;
        }
        return values[whole[1]];
      }
      return v.replace(REF, (m, name: string) => {
        if (!(name in values)) {
          issues.push({ path, message: unknownRef(name, names) });
          return m;
        }
        return String(values[name]);
      });
    }
    if (Array.isArray(v)) return v.map((x, i) => sub(x, [...path, i]));
    if (isObj(v)) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = SKIP_KEYS.has(k) && typeof x !== 'object' ? x : k === 'parameters' && path.length === 0 ? x : sub(x, [...path, k]);
      return out;
    }
    return v;
  };
  const doc = sub(withOverrides, []);
  if (issues.length) return { ok: false, issues };
  return { ok: true, doc, withOverrides, values };
}

function unknownRef(name: string, names: string[]): string {
  return `unknown parameter '$${name}'${names.length ? ` (declared: ${names.map((n) => '$' + n).join(', ')})` : ': declare it under "parameters"'}`;
}
