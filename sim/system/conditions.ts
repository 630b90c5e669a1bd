/**
 * Conditions on signals, the small expression language of trigger conditions and criteria
 * (scenario language v2, issue 4 items 4-5; docs/scenario-language-v2.md "Conditions and criteria"):
 *
 *   cond   := value op quantity            e.g.  max(site1/container1/**.temp_C) > 45 degC
 *   value  := agg "(" sigref ")" | sigref         pack1.voltage_V <= 3.0 V
 *   agg    := max | min | mean | sum               pack1/module02/cell05.soc < 10 %
 *   op     := < | <= | > | >= | == | !=
 *   sigref := <selector>.<signal>   (selector syntax of ../scenario/targets.ts)
 *
 * `parseCondition` checks the syntax only; `bindCondition` resolves the signal reference against a
 * SignalTable, checks the quantity against the unit of the signals and returns an online evaluator
 * (`holds`, `margin`) that reads `table.values` with no allocation and no string work.
 */
import { DIM_INFO, dimsOfUnit, parseQuantity, type Dim } from '../scenario/units';
import { matchPath, parseSelector, splitSignalRef, type Selector } from '../scenario/targets';
import { closest } from '../scenario/steps';
import type { SignalTable } from './types';

export type Agg = 'max' | 'min' | 'mean' | 'sum';
export type CmpOp = '<' | '<=' | '>' | '>=' | '==' | '!=';

export interface ConditionAst {
  /** the condition as written (trimmed) */
  text: string;
  agg: Agg | null;
  /** signal reference as written, e.g. site1/container1/**.temp_C */
  ref: string;
  /** selector part of ref */
  target: string;
  /** signal part of ref (after the last dot) */
  signal: string;
  op: CmpOp;
  /** right-hand side as written, e.g. "45 degC"; converted at bind time (its dimension depends on the signal) */
  quantity: string;
}

export type ParseConditionResult = { ok: true; ast: ConditionAst } | { ok: false; message: string };

export const AGGS: readonly Agg[] = ['max', 'min', 'mean', 'sum'];
export const CONDITION_EXAMPLE = 'max(site1/container1/**.temp_C) > 45 degC';

const OP_CHARS = '<>=!';
const NUM_RE = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?/;

/** Read a signal reference from s at i: up to whitespace or an operator character outside [..]. */
function scanRef(s: string, i: number): number {
  let depth = 0;
  for (; i < s.length; i++) {
    const c = s[i];
    if (c === '[') depth++;
    else if (c === ']') depth = Math.max(0, depth - 1);
    else if (depth === 0 && (OP_CHARS.includes(c) || /\s/.test(c) || c === '(' || c === ')')) break;
  }
  return i;
}

/** Check `selector.signal` syntax; a string is an error message. */
function checkRef(ref: string): { target: string; signal: string } | string {
  const sp = splitSignalRef(ref);
  if (typeof sp === 'string') return sp;
  if (!/^[A-Za-z0-9_]+$/.test(sp.signal))
    return `bad signal name '${sp.signal}' in '${ref}': signal names use letters, digits and '_' (e.g. temp_C, voltage_V, soc)`;
  const sel = parseSelector(sp.target);
  if (typeof sel === 'string') return sel;
  return sp;
}

/** Parse a condition (syntax only). Errors name what was expected, with an example. */
export function parseCondition(text: string): ParseConditionResult {
  const err = (message: string): ParseConditionResult => ({ ok: false, message });
  if (typeof text !== 'string') return err(`a condition must be a string like '${CONDITION_EXAMPLE}'`);
  const s = text.trim();
  if (!s) return err(`empty condition, expected e.g. '${CONDITION_EXAMPLE}'`);
  if (s.length > 500) return err('condition is too long (max 500 characters)');

  let agg: Agg | null = null;
  let ref: string;
  let i: number;
  const call = /^([A-Za-z_][A-Za-z0-9_]*)\s*\(/.exec(s);
  if (call) {
    const name = call[1].toLowerCase();
    if (!(AGGS as readonly string[]).includes(name)) {
      const hint = closest(name, AGGS);
      return err(`unknown aggregate '${call[1]}' in '${s}': expected max, min, mean or sum${hint ? ` (did you mean '${hint}'?)` : ''}`);
    }
    agg = name as Agg;
    const close = s.indexOf(')', call[0].length);
    if (close < 0) return err(`missing ')' after '${s.slice(0, call[0].length)}...' in '${s}'`);
    ref = s.slice(call[0].length, close).trim();
    if (!ref) return err(`empty signal reference in '${s.slice(0, close + 1)}': write e.g. 'max(site1/**.temp_C)'`);
    i = close + 1;
  } else {
    i = scanRef(s, 0);
    ref = s.slice(0, i);
    if (!ref) return err(`expected a signal reference at the start of '${s}', e.g. '${CONDITION_EXAMPLE}'`);
  }
  const sp = checkRef(ref);
  if (typeof sp === 'string') return err(sp);

  while (i < s.length && /\s/.test(s[i])) i++;
  const rest = s.slice(i);
  const om = /^(<=|>=|==|!=|=<|=>|<>|<|>|=)/.exec(rest);
  if (!om) {
    if (!rest) return err(`'${s}' has no comparison: expected e.g. '${agg ? `${agg}(${ref})` : ref} > 45 degC' (operators < <= > >= == !=)`);
    return err(`expected a comparison (< <= > >= == !=) after '${agg ? `${agg}(${ref})` : ref}', got '${rest}'`);
  }
  const fix: Record<string, CmpOp> = { '=': '==', '=<': '<=', '=>': '>=', '<>': '!=' };
  if (om[1] in fix) return err(`unknown operator '${om[1]}' in '${s}': write '${fix[om[1]]}'`);
  const op = om[1] as CmpOp;
  const q = rest.slice(om[1].length).trim();
  if (!q) return err(`missing the value after '${op}' in '${s}': expected a number with a unit, e.g. '45 degC'`);
  const nm = NUM_RE.exec(q);
  if (!nm) {
    const both = /^(max|min|mean|sum)\s*\(|^[A-Za-z0-9_*?/\-[\]]+\.[A-Za-z_]/i.test(q);
    return err(
      both
        ? `the right side of '${op}' must be a quantity like '45 degC', not a signal ('${q}'): comparing two signals is not supported`
        : `expected a number with a unit after '${op}' (e.g. '45 degC'), got '${q}'`,
    );
  }
  // number, an optional unit token, nothing else
  const after = q.slice(nm[0].length).trim();
  const unitTok = after.split(/\s+/)[0] ?? '';
  const extra = after.slice(unitTok.length).trim();
  if (extra) {
    const kw = /^(within|after|for)\b/i.exec(extra);
    if (kw) return err(`unexpected '${extra}' after '${nm[0]}${unitTok ? ` ${unitTok}` : ''}': '${kw[1].toLowerCase()}' is not part of a condition`);
    return err(`unexpected '${extra}' after '${nm[0]}${unitTok ? ` ${unitTok}` : ''}' in '${s}'`);
  }
  return { ok: true, ast: { text: s, agg, ref, target: sp.target, signal: sp.signal, op, quantity: q } };
}

// ---------------------------------------------------------------------------------------------
// Binding

/** Unit of a signal (SignalTable.units) -> dimensions a threshold may have. */
const UNIT_DIMS: Record<string, Dim[]> = {
  degC: ['temperature'],
  V: ['voltage'],
  A: ['current'],
  W: ['power'],
  '1': ['fraction', 'ratio'],
  ppm: ['concentration'],
  'K/s': ['temperatureRate'],
  s: ['time'],
};

/** Dimensions for a signal unit; other units are accepted when they are the SI unit of a dimension (Ah, J...). */
export function dimsForSignalUnit(unit: string): Dim[] | undefined {
  const d = UNIT_DIMS[unit];
  if (d) return d;
  const other = dimsOfUnit(unit).filter((x) => DIM_INFO[x].si === unit);
  return other.length ? other.slice(0, 1) : undefined;
}

/** Units over which a sum means something (series voltages, currents, powers, counts). */
const SUMMABLE = new Set(['V', 'A', 'W', '1', 'J', 'Ah']);

/** The table's assets (distinct paths), each with its signals; built once per table. */
interface Asset {
  path: string;
  segs: string[];
  /** signal name -> table index */
  sigs: Map<string, number>;
}
const assetCache = new WeakMap<SignalTable, { n: number; assets: Asset[] }>();

function assetsOf(table: SignalTable): Asset[] {
  const c = assetCache.get(table);
  if (c && c.n === table.names.length) return c.assets;
  const byPath = new Map<string, Asset>();
  table.names.forEach((name, i) => {
    const dot = name.lastIndexOf('.');
    const path = dot > 0 ? name.slice(0, dot) : name;
    let a = byPath.get(path);
    if (!a) byPath.set(path, (a = { path, segs: path.split('/'), sigs: new Map() }));
    a.sigs.set(dot > 0 ? name.slice(dot + 1) : '', i);
  });
  const assets = [...byPath.values()];
  assetCache.set(table, { n: table.names.length, assets });
  return assets;
}

const isLiteral = (target: string) => !/[*?[]/.test(target);

/** Indices of the table's signals that a `selector.signal` reference matches (table order). */
export function matchSignals(table: SignalTable, sel: Selector, signal: string): number[] {
  if (isLiteral(sel.text)) {
    const i = table.index.get(`${sel.text.trim()}.${signal}`);
    return i === undefined ? [] : [i];
  }
  const out: number[] = [];
  for (const a of assetsOf(table)) {
    const i = a.sigs.get(signal);
    if (i !== undefined && matchPath(sel, a.segs)) out.push(i);
  }
  return out.sort((x, y) => x - y);
}

const shortList = (xs: string[], n = 10) => (xs.length > n ? `${xs.slice(0, n).join(', ')}, ...` : xs.join(', '));

/**
 * Why a reference matches no signal, with a "did you mean": a misspelt signal name on assets that
 * exist, else the first selector segment that matches nothing, with the closest name at that level.
 */
function unknownSignalMessage(table: SignalTable, target: string, sel: Selector, signal: string): string {
  const assets = assetsOf(table);
  if (!assets.length) return `no signal matches '${target}.${signal}': the system has no signals`;
  const onAssets = new Set<string>();
  for (const a of assets) if (matchPath(sel, a.segs)) for (const k of a.sigs.keys()) onAssets.add(k);
  if (onAssets.size > 0) {
    const list = [...onAssets].sort();
    const hint = closest(signal, list);
    return `unknown signal '${signal}' on '${target}'${hint ? ` (did you mean '${target}.${hint}'?)` : ''}; its signals: ${shortList(list, 12)}`;
  }
  // Every path prefix of every asset (site1, site1/container1, ...), as segments.
  const seen = new Set<string>();
  const prefixes: string[][] = [];
  for (const a of assets)
    for (let j = 1; j <= a.segs.length; j++) {
      const key = a.segs.slice(0, j).join('/');
      if (!seen.has(key)) {
        seen.add(key);
        prefixes.push(a.segs.slice(0, j));
      }
    }
  const raw = target.trim().split('/');
  let parent: Selector | null = null;
  for (let L = 1; L <= raw.length; L++) {
    const selL = parseSelector(raw.slice(0, L).join('/'));
    if (typeof selL === 'string') break;
    if (prefixes.some((p) => matchPath(selL, p))) {
      parent = selL;
      continue;
    }
    const children = new Set<string>();
    for (const p of prefixes)
      if (parent ? matchPath(parent, p.slice(0, -1)) : p.length === 1) children.add(p[p.length - 1]);
    const seg = raw[L - 1];
    const hint = /[*?[]/.test(seg) ? undefined : closest(seg, [...children]);
    const fixed = hint ? [...raw.slice(0, L - 1), hint, ...raw.slice(L)].join('/') : '';
    const where = L === 1 ? 'at the top level' : `under '${raw.slice(0, L - 1).join('/')}'`;
    return `no asset matches '${target}': nothing named '${seg}' ${where}${hint ? ` (did you mean '${fixed}.${signal}'?)` : ''}; there: ${shortList([...children].sort())}`;
  }
  return `'${target}' matches assets that have no signals (signals sit on their children): did you mean '${target}/**.${signal}'?`;
}

/** The smallest positive double: the margin of a strict comparison at equality is -TINY. */
const TINY = Number.MIN_VALUE;

const OP_CODE: Record<CmpOp, number> = { '<': 0, '<=': 1, '>': 2, '>=': 3, '==': 4, '!=': 5 };
const AGG_CODE: Record<Agg, number> = { max: 0, min: 1, mean: 2, sum: 3 };

// Reductions over a set of table indices, either as contiguous runs [lo0, hi0, lo1, hi1, ...]
// (the usual case: all cell temperatures sit together in the table) or as a plain index list.
// Four accumulators let the loop run ~2x faster than one; NaN is skipped by the comparisons, so a
// running sum flags it and an exact (rare) scan confirms it.

function hasNaN(v: Float64Array, idx: Int32Array): boolean {
  for (let k = 0; k < idx.length; k++) if (v[idx[k]] !== v[idx[k]]) return true;
  return false;
}

function maxOf(v: Float64Array, idx: Int32Array, runs: Int32Array | null): number {
  let r0 = -Infinity, r1 = -Infinity, r2 = -Infinity, r3 = -Infinity, s = 0;
  if (runs !== null) {
    for (let j = 0; j < runs.length; j += 2) {
      const hi = runs[j + 1];
      let i = runs[j];
      for (; i + 3 < hi; i += 4) {
        const x0 = v[i], x1 = v[i + 1], x2 = v[i + 2], x3 = v[i + 3];
        s += x0 + x1 + x2 + x3;
        if (x0 > r0) r0 = x0;
        if (x1 > r1) r1 = x1;
        if (x2 > r2) r2 = x2;
        if (x3 > r3) r3 = x3;
      }
      for (; i < hi; i++) {
        const x = v[i];
        s += x;
        if (x > r0) r0 = x;
      }
    }
  } else {
    const n = idx.length;
    let k = 0;
    for (; k + 3 < n; k += 4) {
      const x0 = v[idx[k]], x1 = v[idx[k + 1]], x2 = v[idx[k + 2]], x3 = v[idx[k + 3]];
      s += x0 + x1 + x2 + x3;
      if (x0 > r0) r0 = x0;
      if (x1 > r1) r1 = x1;
      if (x2 > r2) r2 = x2;
      if (x3 > r3) r3 = x3;
    }
    for (; k < n; k++) {
      const x = v[idx[k]];
      s += x;
      if (x > r0) r0 = x;
    }
  }
  if (s !== s && hasNaN(v, idx)) return NaN;
  if (r1 > r0) r0 = r1;
  if (r3 > r2) r2 = r3;
  return r2 > r0 ? r2 : r0;
}

function minOf(v: Float64Array, idx: Int32Array, runs: Int32Array | null): number {
  let r0 = Infinity, r1 = Infinity, r2 = Infinity, r3 = Infinity, s = 0;
  if (runs !== null) {
    for (let j = 0; j < runs.length; j += 2) {
      const hi = runs[j + 1];
      let i = runs[j];
      for (; i + 3 < hi; i += 4) {
        const x0 = v[i], x1 = v[i + 1], x2 = v[i + 2], x3 = v[i + 3];
        s += x0 + x1 + x2 + x3;
        if (x0 < r0) r0 = x0;
        if (x1 < r1) r1 = x1;
        if (x2 < r2) r2 = x2;
        if (x3 < r3) r3 = x3;
      }
      for (; i < hi; i++) {
        const x = v[i];
        s += x;
        if (x < r0) r0 = x;
      }
    }
  } else {
    const n = idx.length;
    let k = 0;
    for (; k + 3 < n; k += 4) {
      const x0 = v[idx[k]], x1 = v[idx[k + 1]], x2 = v[idx[k + 2]], x3 = v[idx[k + 3]];
      s += x0 + x1 + x2 + x3;
      if (x0 < r0) r0 = x0;
      if (x1 < r1) r1 = x1;
      if (x2 < r2) r2 = x2;
      if (x3 < r3) r3 = x3;
    }
    for (; k < n; k++) {
      const x = v[idx[k]];
      s += x;
      if (x < r0) r0 = x;
    }
  }
  if (s !== s && hasNaN(v, idx)) return NaN;
  if (r1 < r0) r0 = r1;
  if (r3 < r2) r2 = r3;
  return r2 < r0 ? r2 : r0;
}

function sumOf(v: Float64Array, idx: Int32Array, runs: Int32Array | null): number {
  let s = 0;
  if (runs !== null) {
    for (let j = 0; j < runs.length; j += 2) for (let i = runs[j], hi = runs[j + 1]; i < hi; i++) s += v[i];
  } else for (let k = 0; k < idx.length; k++) s += v[idx[k]];
  return s;
}

/** Contiguous runs of sorted indices, or null when they are too fragmented to pay off. */
function toRuns(idx: Int32Array): Int32Array | null {
  const out: number[] = [];
  for (let k = 0; k < idx.length; ) {
    let e = k + 1;
    while (e < idx.length && idx[e] === idx[e - 1] + 1) e++;
    out.push(idx[k], idx[e - 1] + 1);
    k = e;
  }
  return out.length / 2 <= idx.length / 8 ? Int32Array.from(out) : null;
}

/**
 * A condition bound to a SignalTable. `holds()` and `margin()` read `table.values` now; neither
 * allocates. `margin()` is signed, in the signal's unit (SI; degC for temperatures):
 *
 *   v > q, v >= q:  v - q        v < q, v <= q:  q - v
 *   v == q:        -|v - q|      (>= 0 only at equality; for discrete signals: flags, counts)
 *   v != q:         |v - q|
 *
 * and for the strict operators (<, >, !=) the margin at equality is -Number.MIN_VALUE, so
 * `margin() >= 0` exactly when `holds()`, and the margin is continuous in the signal values up to
 * that one denormal step. The value is NaN (never holds) when any aggregated signal is NaN.
 */
export class BoundCondition {
  /** indices of the signals it reads (table order) */
  readonly signals: Int32Array;
  /** unit of the signals (SignalTable.units), e.g. degC */
  readonly unit: string;
  /** threshold converted to the signal's unit */
  readonly threshold: number;
  /** value of the most recent holds() / margin() / value() call */
  lastValue = NaN;
  private readonly values: Float64Array;
  private readonly runs: Int32Array | null;
  private readonly opCode: number;
  private readonly aggCode: number;

  constructor(
    readonly ast: ConditionAst,
    readonly table: SignalTable,
    signals: Int32Array,
    unit: string,
    threshold: number,
  ) {
    this.signals = signals;
    this.unit = unit;
    this.threshold = threshold;
    this.values = table.values;
    this.runs = toRuns(signals);
    this.opCode = OP_CODE[ast.op];
    // a single signal needs no aggregation (max = min = mean = sum of one)
    this.aggCode = signals.length === 1 ? -1 : AGG_CODE[ast.agg ?? 'max'];
  }

  /** Current value of the left-hand side (the aggregate over the signals). */
  value(): number {
    const v = this.values;
    let r: number;
    switch (this.aggCode) {
      case -1:
        r = v[this.signals[0]];
        break;
      case 0:
        r = maxOf(v, this.signals, this.runs);
        break;
      case 1:
        r = minOf(v, this.signals, this.runs);
        break;
      case 2:
        r = sumOf(v, this.signals, this.runs) / this.signals.length;
        break;
      default:
        r = sumOf(v, this.signals, this.runs);
    }
    this.lastValue = r;
    return r;
  }

  /**
   * Table index of the signal that gave the last value: the only signal, or for max / min the
   * first signal (table order) with that value (a NaN one if the value is NaN); -1 for mean / sum
   * of several. Reads the current values: call it in the same step as the evaluation.
   */
  get lastArg(): number {
    const idx = this.signals;
    if (this.aggCode === -1) return idx[0];
    if (this.aggCode > 1) return -1;
    const v = this.values;
    const r = this.lastValue;
    for (let k = 0; k < idx.length; k++) {
      const x = v[idx[k]];
      if (x === r || (r !== r && x !== x)) return idx[k];
    }
    return -1;
  }

  /** Signed distance to the threshold (see the class comment): >= 0 exactly when holds(). */
  margin(): number {
    const v = this.value();
    const q = this.threshold;
    switch (this.opCode) {
      case 0: {
        const m = q - v;
        return m === 0 ? -TINY : m;
      }
      case 1:
        return q - v;
      case 2: {
        const m = v - q;
        return m === 0 ? -TINY : m;
      }
      case 3:
        return v - q;
      case 4:
        return -Math.abs(v - q);
      default: {
        const m = Math.abs(v - q);
        return m === 0 ? -TINY : m;
      }
    }
  }

  holds(): boolean {
    return this.margin() >= 0;
  }
}

export type BindConditionResult = { ok: true; cond: BoundCondition } | { ok: false; message: string };

/**
 * Resolve a condition against the signals of a system: the reference must match at least one
 * signal (exactly one without an aggregate), all of one unit, and the quantity must have the
 * dimension of that unit.
 */
export function bindCondition(input: string | ConditionAst, table: SignalTable): BindConditionResult {
  let ast: ConditionAst;
  if (typeof input === 'string') {
    const p = parseCondition(input);
    if (!p.ok) return p;
    ast = p.ast;
  } else ast = input;
  const err = (message: string): BindConditionResult => ({ ok: false, message });

  const sel = parseSelector(ast.target);
  if (typeof sel === 'string') return err(sel);
  const idx = matchSignals(table, sel, ast.signal);
  if (idx.length === 0) return err(unknownSignalMessage(table, ast.target, sel, ast.signal));
  if (!ast.agg && idx.length > 1)
    return err(`'${ast.ref}' matches ${idx.length} signals: use max(...) or min(...), e.g. 'max(${ast.ref}) ${ast.op} ${ast.quantity}'`);

  const unit = table.units[idx[0]];
  for (const i of idx)
    if (table.units[i] !== unit)
      return err(`'${ast.ref}' mixes units: ${table.names[idx[0]]} is in ${unit}, ${table.names[i]} in ${table.units[i]}; narrow the selector`);
  const dims = dimsForSignalUnit(unit);
  if (!dims) return err(`signal ${table.names[idx[0]]} has the unit '${unit}', which conditions do not know (expected degC, V, A, W, 1, ppm, K/s or s)`);
  if (ast.agg === 'sum' && !SUMMABLE.has(unit))
    return err(`sum(${ast.ref}) adds values in ${unit}, which means nothing: use max, min or mean`);

  const q = parseQuantity(ast.quantity, dims);
  if (!q.ok) {
    const what = idx.length === 1 ? table.names[idx[0]] : `'${ast.ref}'`;
    return err(`in '${ast.text}': ${q.message}, as ${what} is in ${unit}`);
  }
  return { ok: true, cond: new BoundCondition(ast, table, Int32Array.from(idx), unit, q.value) };
}

// ---------------------------------------------------------------------------------------------
// Formatting for human messages (criteria details)

/** 4 significant digits, no trailing zeros. */
export function fmtNum(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return String(Number(v.toPrecision(4)));
}

/** A duration in s, min or h: "45 s", "12.5 min", "5.3 h". */
export function fmtDuration(s: number): string {
  if (!Number.isFinite(s)) return String(s);
  const a = Math.abs(s);
  if (a < 120) return `${fmtNum(s)} s`;
  if (a < 3600) return `${fmtNum(s / 60)} min`;
  return `${fmtNum(s / 3600)} h`;
}

/** A value with the unit of its signal: "61.2 degC", "0.25" (dimensionless), "30 min". */
export function fmtValue(v: number, unit: string): string {
  if (unit === '1') return fmtNum(v);
  if (unit === 's') return fmtDuration(v);
  return `${fmtNum(v)} ${unit}`;
}
