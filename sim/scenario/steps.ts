/**
 * Experiment step strings in PyBaMM's style (pybamm.Experiment), parsed into values.
 *
 *   step      := action [ "at" quantity ] clause* [ "(" duration "period" ")" ]
 *   action    := Discharge | Charge | Hold | Rest          (case-insensitive)
 *   clause    := [ "or" ] "for" duration | [ "or" ] "until" condition { "or" condition }
 *   condition := voltage | current | c-rate | duration
 *   quantity  := number unit | "C/" number               ("1C", "0.5 C", "C/20", "2 A", "5 W")
 *
 * Units: current A, mA; C-rate C (and C/N); power W, kW, mW, MW; voltage V, mV;
 * time s, sec(s), second(s), min(s), minute(s), h, hr(s), hour(s).
 *
 * Meaning (signs are applied by the engine; current is + on discharge inside sim/):
 *   Discharge/Charge at <A|C|W>  constant current / C-rate / power; "until <V>" ends a discharge
 *                                when the voltage falls to it and a charge when it rises to it.
 *   Hold at <V>                   constant voltage; "until <A|C>" ends when |current| falls to it.
 *   Rest                          zero current, needs "for <duration>".
 * Every step but Rest needs "for" and/or "until"; the first condition met ends the step.
 * A trailing "(1 minute period)" sets the sample period of that step (default: sample.dtS).
 */

export type StepKind = 'discharge' | 'charge' | 'hold' | 'rest';

export type StepDrive =
  | { type: 'current'; currentA: number }
  | { type: 'crate'; cRate: number }
  | { type: 'power'; powerW: number }
  | { type: 'voltage'; voltageV: number }
  | { type: 'rest' };

export type StepCondition =
  | { type: 'voltage'; voltageV: number }
  | { type: 'current'; currentA: number }
  | { type: 'crate'; cRate: number };

export interface ParsedStep {
  /** The step text as written. */
  text: string;
  kind: StepKind;
  /** Magnitudes are positive; the engine applies the sign from `kind`. */
  drive: StepDrive;
  /** "for" duration, seconds. */
  durationS?: number;
  /** "until" conditions (OR). */
  until: StepCondition[];
  /** "(N unit period)" sample period for this step, seconds. */
  periodS?: number;
}

export type StepParseResult = { ok: true; step: ParsedStep } | { ok: false; message: string };

/** Canonical examples (also used for JSON Schema `examples` and docs). */
export const STEP_EXAMPLES = [
  'Discharge at 1C until 2.5 V',
  'Rest for 30 minutes',
  'Charge at 0.5 C until 4.2 V',
  'Hold at 4.2 V until C/20',
  'Discharge at 2 A for 10 minutes',
  'Discharge at 5 W for 1 h',
  'Charge at 1C for 2 hours or until 4.2 V',
] as const;

type Dim = 'current' | 'crate' | 'power' | 'voltage' | 'time';
interface UnitDef { dim: Dim; scale: number }

// Case-insensitive units (lower-cased keys).
const UNITS_CI: Record<string, UnitDef> = {
  a: { dim: 'current', scale: 1 },
  amp: { dim: 'current', scale: 1 },
  amps: { dim: 'current', scale: 1 },
  ma: { dim: 'current', scale: 1e-3 },
  c: { dim: 'crate', scale: 1 },
  w: { dim: 'power', scale: 1 },
  kw: { dim: 'power', scale: 1e3 },
  v: { dim: 'voltage', scale: 1 },
  mv: { dim: 'voltage', scale: 1e-3 },
  s: { dim: 'time', scale: 1 },
  sec: { dim: 'time', scale: 1 },
  secs: { dim: 'time', scale: 1 },
  second: { dim: 'time', scale: 1 },
  seconds: { dim: 'time', scale: 1 },
  min: { dim: 'time', scale: 60 },
  mins: { dim: 'time', scale: 60 },
  minute: { dim: 'time', scale: 60 },
  minutes: { dim: 'time', scale: 60 },
  h: { dim: 'time', scale: 3600 },
  hr: { dim: 'time', scale: 3600 },
  hrs: { dim: 'time', scale: 3600 },
  hour: { dim: 'time', scale: 3600 },
  hours: { dim: 'time', scale: 3600 },
};
// Case-sensitive units where the case carries meaning.
const UNITS_CS: Record<string, UnitDef> = {
  mW: { dim: 'power', scale: 1e-3 },
  MW: { dim: 'power', scale: 1e6 },
};

const EXPECTED: Record<Dim, string> = {
  current: 'A, mA',
  crate: 'C',
  power: 'W, kW',
  voltage: 'V, mV',
  time: 's, min, h',
};

function lookupUnit(u: string): UnitDef | 'ambiguous' | undefined {
  if (UNITS_CS[u]) return UNITS_CS[u];
  if (u.toLowerCase() === 'mw') return 'ambiguous';
  return UNITS_CI[u.toLowerCase()];
}

type Tok =
  | { t: 'num'; v: number; s: string }
  | { t: 'word'; s: string }
  | { t: 'slash' }
  | { t: 'lparen' }
  | { t: 'rparen' }
  | { t: 'pct' };

function lex(text: string): Tok[] | string {
  const out: Tok[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const ch = text[i];
    if (/\s/.test(ch)) { i++; continue; }
    const num = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/.exec(text.slice(i));
    if (num && !(num[0].match(/[eE]/) && /[a-zA-Z]/.test(text[i + num[0].length] ?? ''))) {
      out.push({ t: 'num', v: Number(num[0]), s: num[0] });
      i += num[0].length;
      continue;
    }
    if (num) {
      // e.g. "1e3h" is ambiguous with exponent parsing; take the digits before 'e' only.
      const plain = /^(?:\d+(?:\.\d*)?|\.\d+)/.exec(text.slice(i))!;
      out.push({ t: 'num', v: Number(plain[0]), s: plain[0] });
      i += plain[0].length;
      continue;
    }
    const w = /^[A-Za-zµ_]+/.exec(text.slice(i));
    if (w) { out.push({ t: 'word', s: w[0] }); i += w[0].length; continue; }
    if (ch === '/') { out.push({ t: 'slash' }); i++; continue; }
    if (ch === '(') { out.push({ t: 'lparen' }); i++; continue; }
    if (ch === ')') { out.push({ t: 'rparen' }); i++; continue; }
    if (ch === '%') { out.push({ t: 'pct' }); i++; continue; }
    if (ch === '-') return `negative or signed numbers are not allowed ('${text.slice(i, i + 6).trim()}'): give a magnitude and choose Charge or Discharge`;
    return `unexpected character '${ch}' at position ${i + 1}`;
  }
  return out;
}

function tokStr(t: Tok | undefined): string {
  if (!t) return 'end of step';
  switch (t.t) {
    case 'num': return `'${t.s}'`;
    case 'word': return `'${t.s}'`;
    case 'slash': return `'/'`;
    case 'lparen': return `'('`;
    case 'rparen': return `')'`;
    case 'pct': return `'%'`;
  }
}

const ACTIONS: Record<string, StepKind> = { discharge: 'discharge', charge: 'charge', hold: 'hold', rest: 'rest' };

/** Levenshtein distance (small strings). */
export function editDistance(a: string, b: string): number {
  const m = a.length, n = b.length;
  const d = Array.from({ length: m + 1 }, (_, i) => [i, ...new Array<number>(n).fill(0)]);
  for (let j = 1; j <= n; j++) d[0][j] = j;
  for (let i = 1; i <= m; i++)
    for (let j = 1; j <= n; j++)
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[m][n];
}

/** The closest candidate within a small edit distance (case-insensitive), for "did you mean" hints. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  // Allow 1 edit for short words, 2 for longer ones (so 'foo' does not suggest 'soc').
  let bestD = word.length <= 4 ? 2 : 3;
  for (const c of candidates) {
    const dd = editDistance(word.toLowerCase(), c.toLowerCase());
    if (dd < bestD) { bestD = dd; best = c; }
  }
  return best;
}

interface Quantity { dim: Dim; value: number; text: string }

class Parser {
  i = 0;
  constructor(readonly toks: Tok[]) {}
  peek(): Tok | undefined { return this.toks[this.i]; }
  peekWord(): string | undefined {
    const t = this.toks[this.i];
    return t && t.t === 'word' ? t.s.toLowerCase() : undefined;
  }

  /** quantity := number unit | "C/" number. `allowed` lists the dimensions valid here. */
  quantity(allowed: Dim[], what: string): Quantity | string {
    const expected = allowed.map((d) => EXPECTED[d]).join(', ');
    const t = this.peek();
    if (!t) return `missing ${what} at end of step, expected a number with a unit (${expected})`;
    if (t.t === 'word' && t.s.toLowerCase() === 'c' && this.toks[this.i + 1]?.t === 'slash') {
      const nTok = this.toks[this.i + 2];
      if (!nTok || nTok.t !== 'num') return `expected a number after 'C/' (e.g. C/20), got ${tokStr(nTok)}`;
      if (!(nTok.v > 0)) return `C/${nTok.s}: the divisor must be > 0`;
      if (!allowed.includes('crate')) return `unexpected C-rate 'C/${nTok.s}' for ${what}, expected ${expected}`;
      this.i += 3;
      return { dim: 'crate', value: 1 / nTok.v, text: `C/${nTok.s}` };
    }
    if (t.t !== 'num') {
      if (t.t === 'word') return `expected a number for ${what}, got ${tokStr(t)} (e.g. '1C', '2 A', '4.2 V', '30 minutes')`;
      return `expected a number for ${what}, got ${tokStr(t)}`;
    }
    const u = this.toks[this.i + 1];
    if (!u || u.t !== 'word' || ['for', 'until', 'or', 'at'].includes(u.s.toLowerCase())) {
      if (u && u.t === 'pct') return `'%' is not a unit here, expected ${expected}`;
      return `missing unit after '${t.s}', expected ${expected}`;
    }
    const def = lookupUnit(u.s);
    if (def === 'ambiguous') return `ambiguous unit '${u.s}': write mW (milliwatt) or MW (megawatt)`;
    if (!def) {
      const all = allowed.flatMap((d) => EXPECTED[d].split(', '));
      const hint = closest(u.s, all);
      return `unknown unit '${u.s}', expected ${expected}${hint && hint !== u.s ? ` (did you mean '${hint}'?)` : ''}`;
    }
    if (!allowed.includes(def.dim)) {
      return `unit '${u.s}' (${def.dim === 'crate' ? 'C-rate' : def.dim}) is not valid for ${what}, expected ${expected}`;
    }
    if (!Number.isFinite(t.v)) return `'${t.s}' is not a finite number`;
    this.i += 2;
    // "1 C/2" style is not supported: catch it explicitly.
    if (def.dim === 'crate' && this.peek()?.t === 'slash') return `write a C-rate as '0.5C' or 'C/2', not '${t.s} ${u.s}/...'`;
    return { dim: def.dim, value: t.v * def.scale, text: `${t.s} ${u.s}` };
  }
}

function fmtNum(v: number): string {
  return String(Number(v.toPrecision(6)));
}

/** Parse one step string. Errors are values with a message a user can act on (no step number). */
export function parseStep(text: string): StepParseResult {
  if (typeof text !== 'string') return { ok: false, message: 'a step must be a string like "Discharge at 1C until 2.5 V"' };
  const trimmed = text.trim();
  if (!trimmed) return { ok: false, message: `empty step, expected e.g. "${STEP_EXAMPLES[0]}"` };
  if (trimmed.length > 500) return { ok: false, message: 'step text is too long (max 500 characters)' };
  const toks = lex(trimmed);
  if (typeof toks === 'string') return { ok: false, message: toks };
  const p = new Parser(toks);
  const err = (message: string): StepParseResult => ({ ok: false, message });

  const first = toks[0];
  if (first.t !== 'word') return err(`a step starts with Discharge, Charge, Hold or Rest, got ${tokStr(first)}`);
  const kind = ACTIONS[first.s.toLowerCase()];
  if (!kind) {
    const hint = closest(first.s, ['Discharge', 'Charge', 'Hold', 'Rest']);
    return err(`unknown action '${first.s}', expected Discharge, Charge, Hold or Rest${hint ? ` (did you mean '${hint}'?)` : ''}`);
  }
  p.i = 1;

  let drive: StepDrive;
  if (kind === 'rest') {
    if (p.peekWord() === 'at') return err(`Rest takes no 'at' value; write e.g. "Rest for 30 minutes"`);
    drive = { type: 'rest' };
  } else {
    if (p.peekWord() !== 'at') {
      const ex = kind === 'hold' ? 'Hold at 4.2 V until C/20' : `${first.s} at 1C until ${kind === 'charge' ? '4.2' : '2.5'} V`;
      return err(`expected 'at' after '${first.s}', got ${tokStr(p.peek())} (e.g. "${ex}")`);
    }
    p.i++;
    if (kind === 'hold') {
      const q = p.quantity(['voltage', 'current', 'crate', 'power'], 'the hold value');
      if (typeof q === 'string') return err(q);
      if (q.dim !== 'voltage')
        return err(`Hold holds a voltage, got '${q.text}'; write e.g. "Hold at 4.2 V until C/20" (use Charge/Discharge for a constant current or power)`);
      if (!(q.value > 0)) return err(`hold voltage must be > 0, got '${q.text}'`);
      drive = { type: 'voltage', voltageV: q.value };
    } else {
      const q = p.quantity(['current', 'crate', 'power', 'voltage'], `the ${kind} rate`);
      if (typeof q === 'string') return err(q);
      if (q.dim === 'voltage') return err(`'${first.s} at ${q.text}' is a constant voltage: write "Hold at ${q.text} until C/20"`);
      if (!(q.value > 0)) return err(`${kind} rate must be > 0, got '${q.text}' (use Rest for zero current)`);
      drive = q.dim === 'current' ? { type: 'current', currentA: q.value }
        : q.dim === 'crate' ? { type: 'crate', cRate: q.value }
        : { type: 'power', powerW: q.value };
    }
  }

  let durationS: number | undefined;
  const until: StepCondition[] = [];
  let periodS: number | undefined;
  const setDuration = (q: Quantity): string | undefined => {
    if (durationS !== undefined) return `duration given twice ('${q.text}')`;
    if (!(q.value > 0)) return `duration must be > 0, got '${q.text}'`;
    durationS = q.value;
    return undefined;
  };

  let clauses = 0;
  while (p.i < toks.length) {
    let w = p.peekWord();
    if (w === 'or' && clauses > 0) { p.i++; w = p.peekWord(); }
    const t = p.peek();
    if (t?.t === 'lparen') {
      p.i++;
      const q = p.quantity(['time'], 'the sample period');
      if (typeof q === 'string') return err(q);
      if (p.peekWord() !== 'period') return err(`expected 'period' after '(${q.text}', e.g. "(1 minute period)"`);
      p.i++;
      if (p.peek()?.t !== 'rparen') return err(`expected ')' after 'period', got ${tokStr(p.peek())}`);
      p.i++;
      if (!(q.value > 0)) return err(`sample period must be > 0`);
      periodS = q.value;
      if (p.i < toks.length) return err(`unexpected ${tokStr(p.peek())} after the period; the "(... period)" goes last`);
      break;
    }
    if (w === 'for') {
      p.i++;
      const q = p.quantity(['time'], "'for'");
      if (typeof q === 'string') return err(q);
      const e = setDuration(q);
      if (e) return err(e);
    } else if (w === 'until') {
      p.i++;
      for (;;) {
        const q = p.quantity(['voltage', 'current', 'crate', 'time'], "'until'");
        if (typeof q === 'string') return err(q);
        if (q.dim === 'time') {
          const e = setDuration(q);
          if (e) return err(e);
        } else if (q.dim === 'voltage') {
          if (!(q.value > 0)) return err(`'until' voltage must be > 0, got '${q.text}'`);
          until.push({ type: 'voltage', voltageV: q.value });
        } else if (q.dim === 'current') {
          if (!(q.value > 0)) return err(`'until' current must be > 0, got '${q.text}'`);
          until.push({ type: 'current', currentA: q.value });
        } else {
          if (!(q.value > 0)) return err(`'until' C-rate must be > 0, got '${q.text}'`);
          until.push({ type: 'crate', cRate: q.value });
        }
        // "until A or B": another condition follows unless the next word starts a clause.
        if (p.peekWord() === 'or' && !['for', 'until'].includes(
          (p.toks[p.i + 1]?.t === 'word' ? (p.toks[p.i + 1] as { s: string }).s.toLowerCase() : ''))) {
          p.i++;
          continue;
        }
        break;
      }
    } else {
      const tt = p.peek();
      const word = tt && tt.t === 'word' ? tt.s : undefined;
      const hint = word ? closest(word, ['for', 'until']) : undefined;
      return err(`unexpected ${tokStr(tt)}, expected 'for <duration>' or 'until <condition>'${hint ? ` (did you mean '${hint}'?)` : ''}`);
    }
    clauses++;
  }

  // Semantic checks per kind.
  if (kind === 'rest') {
    if (until.length) return err(`Rest ends only after a duration: write "Rest for 30 minutes"`);
    if (durationS === undefined) return err(`Rest needs a duration: write "Rest for 30 minutes"`);
  } else {
    if (durationS === undefined && until.length === 0) {
      const ex = kind === 'hold' ? `"${trimmed} until C/20"` : `"${trimmed} until ${kind === 'charge' ? '4.2' : '2.5'} V" or "${trimmed} for 1 hour"`;
      return err(`step never ends: add 'for <duration>' or 'until <condition>', e.g. ${ex}`);
    }
    for (const c of until) {
      if (kind === 'hold' && c.type === 'voltage')
        return err(`a Hold step keeps the voltage constant, so 'until ${fmtNum(c.voltageV)} V' never triggers; end it with a current ('until C/20', 'until 50 mA') or a duration`);
      if (kind !== 'hold' && c.type !== 'voltage') {
        const what = c.type === 'crate' ? `C/${fmtNum(1 / c.cRate)}` : `${fmtNum(c.currentA)} A`;
        return err(`'until ${what}' (a current) can only end a Hold step; a ${kind} step ends at a voltage ('until 2.5 V') or a duration`);
      }
    }
  }
  const step: ParsedStep = { text, kind, drive, until };
  if (durationS !== undefined) step.durationS = durationS;
  if (periodS !== undefined) step.periodS = periodS;
  return { ok: true, step };
}
