/**
 * Criteria of a scenario (scenario language v2, issue 4 item 5): assertions on signals, on the
 * alarm / event timeline and on thermal runaway, each decided online into pass / fail /
 * inconclusive with the time it was decided. Grammar (keywords case-insensitive), documented with
 * examples in docs/scenario-language-v2.md "Conditions and criteria":
 *
 *   [always] COND                                  COND: see ./conditions.ts
 *   eventually COND [within D [after A]]
 *   final COND
 *   (alarm|event) CODE [on SEL] within D [after A]
 *   no [alarm|event] CODE [on SEL]
 *   (runaway|propagated) cells OP N
 *   no runaway | no propagation
 *
 *   CODE: exact code (OT_WARN), glob (OT_*), or severity word warning | alarm | trip (that
 *         severity or higher).  SEL: target selector matched against event.target.
 *   A:    start | fault <id> | (event|alarm) CODE [on SEL] | runaway     D: a duration ("9 h").
 *
 * Engine contract: within one engine step the engine reports what happened in that step
 * (`event`, `fault`, `runaway`, with times inside the step) and then calls `step(tS)` with the
 * step's end time and the signal table already updated; `finish` once at the end. `step` does no
 * string work and no allocation: it evaluates the bound conditions of the `always` / `eventually`
 * criteria and compares times.
 */
import { z } from 'zod';
import { parseQuantity } from '../scenario/units';
import { matchPath, parseSelector, type Selector } from '../scenario/targets';
import { closest } from '../scenario/steps';
import {
  bindCondition,
  fmtDuration,
  fmtValue,
  parseCondition,
  type BoundCondition,
  type CmpOp,
  type ConditionAst,
} from './conditions';
import type { CriterionOutcome, CriterionResult, Severity, SignalTable, SystemEvent } from './types';

// ---------------------------------------------------------------------------------------------
// Syntax

export type SeverityWord = 'warning' | 'alarm' | 'trip';
export type CodePattern =
  | { kind: 'severity'; severity: SeverityWord }
  | { kind: 'code'; code: string }
  | { kind: 'glob'; glob: string };
export interface EventPattern {
  code: CodePattern;
  /** target selector matched against event.target, as written */
  on: string | null;
}
export type AnchorAst =
  | { kind: 'start' }
  | { kind: 'fault'; id: string }
  | { kind: 'event'; event: EventPattern }
  | { kind: 'runaway' };

export type CriterionAst =
  | { form: 'always'; cond: ConditionAst }
  | { form: 'eventually'; cond: ConditionAst; within: string | null; withinS: number | null; after: AnchorAst }
  | { form: 'final'; cond: ConditionAst }
  | { form: 'eventWithin'; event: EventPattern; within: string; withinS: number; after: AnchorAst }
  | { form: 'noEvent'; event: EventPattern }
  | { form: 'runawayCount'; which: 'runaway' | 'propagated'; op: CmpOp; n: number };

export type ParseCriterionResult = { ok: true; ast: CriterionAst } | { ok: false; message: string };

export const CRITERION_EXAMPLES = [
  'max(site1/container1/**.temp_C) < 60 degC',
  'eventually min(pack1/**.voltage_V) < 3.0 V within 2 h',
  'final pack1.soc >= 0.2',
  'alarm OT_WARN within 9 h after fault hvac-trip',
  'no trip',
  'propagated cells <= 1',
  'no runaway',
] as const;

const KEYWORDS = ['always', 'eventually', 'final', 'alarm', 'event', 'no', 'runaway', 'propagated'];
const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, alarm: 2, trip: 3 };
const SEVERITY_WORDS: Record<string, SeverityWord> = {
  warning: 'warning',
  warnings: 'warning',
  alarm: 'alarm',
  alarms: 'alarm',
  trip: 'trip',
  trips: 'trip',
};

type Err = { ok: false; message: string };
const fail = (message: string): Err => ({ ok: false, message });

function parseCode(word: string | undefined, where: string): CodePattern | string {
  const example = `e.g. '${where} OT_WARN', '${where} OT_*' or '${where} alarm'`;
  if (!word) return `'${where}' needs an event code, a glob or a severity (warning, alarm, trip): ${example}`;
  const sev = SEVERITY_WORDS[word.toLowerCase()];
  if (sev) return { kind: 'severity', severity: sev };
  if (/^[A-Za-z0-9_]+$/.test(word)) return { kind: 'code', code: word.toUpperCase() };
  if (/^[A-Za-z0-9_*?]+$/.test(word)) return { kind: 'glob', glob: word.toUpperCase() };
  return `bad event code '${word}': expected a code like OT_WARN, a glob like OT_*, or a severity (warning, alarm, trip)`;
}

/**
 * Split words into a head and keyword clauses (`on`, `within`, `after`); `after` takes the rest
 * (its anchor may have its own `on`). A keyword may appear once.
 */
function clauses(
  words: string[],
  allowed: readonly string[],
): { head: string[]; on?: string[]; within?: string[]; after?: string[] } | string {
  const out: { head: string[]; on?: string[]; within?: string[]; after?: string[] } = { head: [] };
  let cur: string[] = out.head;
  for (let i = 0; i < words.length; i++) {
    const w = words[i].toLowerCase();
    if (w === 'on' || w === 'within' || w === 'after') {
      if (!allowed.includes(w)) return w;
      if (out[w]) return `'${w}' appears twice`;
      cur = out[w] = [];
      if (w === 'after') {
        cur.push(...words.slice(i + 1));
        break;
      }
      continue;
    }
    cur.push(words[i]);
  }
  return out;
}

function parseEventPattern(words: string[], where: string): EventPattern | string {
  const cl = clauses(words, ['on']);
  if (typeof cl === 'string') return `unexpected '${cl}' in '${where} ${words.join(' ')}'`;
  if (cl.head.length > 1) return `unexpected '${cl.head.slice(1).join(' ')}' after '${where} ${cl.head[0]}': expected 'on <target>'`;
  const code = parseCode(cl.head[0], where);
  if (typeof code === 'string') return code;
  let on: string | null = null;
  if (cl.on) {
    if (!cl.on.length) return `'on' needs a target selector, e.g. '${where} ${cl.head[0]} on site1/container1/rack*'`;
    on = cl.on.join(' ');
    const sel = parseSelector(on);
    if (typeof sel === 'string') return sel;
  }
  return { code, on };
}

const ANCHOR_HELP = "expected 'start', 'fault <id>', 'event <CODE> [on <target>]' or 'runaway'";

function parseAnchor(words: string[]): AnchorAst | string {
  if (!words.length) return `'after' needs an anchor: ${ANCHOR_HELP}`;
  const first = words[0].toLowerCase();
  const rest = words.slice(1);
  switch (first) {
    case 'start':
      if (rest.length) return `unexpected '${rest.join(' ')}' after 'start'`;
      return { kind: 'start' };
    case 'runaway':
      if (rest.length) return `unexpected '${rest.join(' ')}' after 'runaway' (the first cell that enters thermal runaway)`;
      return { kind: 'runaway' };
    case 'fault':
      if (rest.length !== 1) return `'fault' needs one fault id, e.g. 'after fault hvac-trip'`;
      if (!/^[A-Za-z0-9_.\-]+$/.test(rest[0])) return `bad fault id '${rest[0]}': ids use letters, digits, '_', '-' and '.'`;
      return { kind: 'fault', id: rest[0] };
    case 'event':
    case 'alarm': {
      const ev = parseEventPattern(rest, first);
      if (typeof ev === 'string') return ev;
      return { kind: 'event', event: ev };
    }
    default: {
      if (SEVERITY_WORDS[first]) return `unknown anchor '${words[0]}': write 'after event ${words[0]}'`;
      const hint = closest(first, ['start', 'fault', 'event', 'alarm', 'runaway']);
      return `unknown anchor '${words[0]}': ${ANCHOR_HELP}${hint ? ` (did you mean '${hint}'?)` : ''}`;
    }
  }
}

function parseWithin(words: string[] | undefined, form: string): { text: string; s: number } | string {
  if (!words || !words.length) return `'within' needs a duration, e.g. '${form} within 2 h'`;
  const text = words.join(' ');
  const q = parseQuantity(text, 'time');
  if (!q.ok) return `window 'within ${text}': ${q.message}`;
  if (!(q.value > 0)) return `window 'within ${text}' must be longer than 0 s`;
  return { text, s: q.value };
}

function parseCond(text: string, keyword: string): { ok: true; ast: ConditionAst } | Err {
  if (!text.trim()) return fail(`'${keyword}' needs a condition, e.g. '${keyword} max(site1/**.temp_C) < 60 degC'`);
  return parseCondition(text);
}

/** Parse a criterion's `expect` text (syntax only; signals, units and fault ids are bound later). */
export function parseCriterion(text: string): ParseCriterionResult {
  if (typeof text !== 'string') return fail(`a criterion must be a string like '${CRITERION_EXAMPLES[0]}'`);
  const s = text.trim();
  if (!s) return fail(`empty criterion, expected e.g. '${CRITERION_EXAMPLES[0]}' or '${CRITERION_EXAMPLES[3]}'`);
  if (s.length > 500) return fail('criterion is too long (max 500 characters)');
  const words = s.split(/\s+/);
  const first = words[0].toLowerCase();
  const restWords = words.slice(1);
  const rest = restWords.join(' ');

  switch (first) {
    case 'always':
    case 'final': {
      const c = parseCond(rest, first);
      if (!c.ok) return c;
      return { ok: true, ast: { form: first, cond: c.ast } };
    }
    case 'eventually': {
      const cl = clauses(restWords, ['within', 'after']);
      if (typeof cl === 'string') return fail(`unexpected '${cl}' in '${s}'`);
      const c = parseCond(cl.head.join(' '), 'eventually');
      if (!c.ok) return c;
      if (cl.after && !cl.within)
        return fail(`'after' needs a window before it: write 'eventually ${cl.head.join(' ')} within <duration> after ${cl.after.join(' ')}'`);
      let within: { text: string; s: number } | null = null;
      if (cl.within) {
        const w = parseWithin(cl.within, 'eventually ...');
        if (typeof w === 'string') return fail(w);
        within = w;
      }
      let after: AnchorAst = { kind: 'start' };
      if (cl.after) {
        const a = parseAnchor(cl.after);
        if (typeof a === 'string') return fail(a);
        after = a;
      }
      return { ok: true, ast: { form: 'eventually', cond: c.ast, within: within?.text ?? null, withinS: within?.s ?? null, after } };
    }
    case 'alarm':
    case 'event': {
      const cl = clauses(restWords, ['on', 'within', 'after']);
      if (typeof cl === 'string') return fail(`unexpected '${cl}' in '${s}'`);
      const headAndOn = [...cl.head, ...(cl.on ? ['on', ...cl.on] : [])];
      const ev = parseEventPattern(headAndOn, first);
      if (typeof ev === 'string') return fail(ev);
      if (!cl.within)
        return fail(
          `'${first} ${cl.head[0]}' needs a window: write e.g. '${first} ${cl.head[0]} within 9 h after fault hvac-trip' (or 'no ${first} ${cl.head[0]}' for "never")`,
        );
      const w = parseWithin(cl.within, `${first} ${cl.head[0]}`);
      if (typeof w === 'string') return fail(w);
      let after: AnchorAst = { kind: 'start' };
      if (cl.after) {
        const a = parseAnchor(cl.after);
        if (typeof a === 'string') return fail(a);
        after = a;
      }
      return { ok: true, ast: { form: 'eventWithin', event: ev, within: w.text, withinS: w.s, after } };
    }
    case 'no': {
      if (!restWords.length) return fail(`'no' needs what must not happen: e.g. 'no trip', 'no alarm GAS_ALARM', 'no runaway'`);
      const w0 = restWords[0].toLowerCase();
      if (w0 === 'runaway' || w0 === 'propagation') {
        if (restWords.length > 1) return fail(`unexpected '${restWords.slice(1).join(' ')}' after 'no ${w0}'`);
        return { ok: true, ast: { form: 'runawayCount', which: w0 === 'runaway' ? 'runaway' : 'propagated', op: '==', n: 0 } };
      }
      // 'no alarm X' / 'no event X': keyword then code; 'no alarm' alone: the severity word.
      let pw = restWords;
      let where = 'no';
      if ((w0 === 'alarm' || w0 === 'event') && restWords.length > 1 && restWords[1].toLowerCase() !== 'on') {
        pw = restWords.slice(1);
        where = `no ${w0}`;
      } else if (w0 === 'event') {
        return fail(`'no event' needs a code: e.g. 'no event GAS_ALARM', 'no event OT_*' or 'no trip'`);
      }
      const cl = clauses(pw, ['on']);
      if (typeof cl === 'string')
        return fail(`'${where} ...' means never during the run, so '${cl}' does not apply; for a window write '${CRITERION_EXAMPLES[3]}'`);
      const ev = parseEventPattern(pw, where);
      if (typeof ev === 'string') return fail(ev);
      return { ok: true, ast: { form: 'noEvent', event: ev } };
    }
    case 'runaway':
    case 'propagated': {
      const m = /^cells?\s*(<=|>=|==|!=|<|>)\s*(\S+)$/i.exec(rest);
      if (!m) return fail(`expected '${first} cells <op> <count>', e.g. '${first} cells <= 1' (op: < <= > >= == !=), got '${s}'`);
      if (!/^\d+$/.test(m[2])) return fail(`the count in '${s}' must be a whole number >= 0, got '${m[2]}'`);
      const op = m[1] as CmpOp;
      const n = Number(m[2]);
      if (op === '<' && n === 0) return fail(`'${s}' can never hold (a count is never below 0)`);
      if (op === '>=' && n === 0) return fail(`'${s}' always holds (a count is never below 0)`);
      return { ok: true, ast: { form: 'runawayCount', which: first, op, n } };
    }
    default: {
      const c = parseCondition(s);
      if (c.ok) return { ok: true, ast: { form: 'always', cond: c.ast } };
      // a bare leading word that is not a signal reference: most likely a misspelt keyword
      if (/^[A-Za-z]+$/.test(words[0]) && !/^[A-Za-z]+\s*\(/.test(s)) {
        const hint = closest(first, KEYWORDS);
        return fail(
          `unknown criterion '${words[0]}${words.length > 1 ? ' ...' : ''}'${hint ? ` (did you mean '${hint}'?)` : ''}: expected a condition like '${CRITERION_EXAMPLES[0]}' or a form starting with always, eventually, final, alarm, event, no, runaway or propagated (e.g. '${CRITERION_EXAMPLES[3]}')`,
        );
      }
      return c;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Online evaluation

export interface CriterionSpec {
  id: string;
  expect: string;
  description?: string;
}

export interface CriteriaContext {
  signals: SignalTable;
  /** ids of the scenario's faults (anchors 'after fault <id>' must name one) */
  faultIds: readonly string[];
  /** event codes the system can raise; when given, exact codes and globs are checked against it */
  eventCodes?: readonly string[];
  /** time of 'start' (default 0 s) */
  startS?: number;
}

export type RunEndStatus = 'completed' | 'stopped' | 'error';

export interface CriteriaEvaluator {
  /** after each engine step, with signals.values current */
  step(tS: number): void;
  /** every event as it is raised */
  event(e: SystemEvent): void;
  /** a fault fired */
  fault(id: string, tS: number): void;
  /** a cell entered thermal runaway; initiator = it was the cell the scenario triggered */
  runaway(target: string, tS: number, initiator: boolean): void;
  /** results in the order of the specs */
  finish(tEndS: number, status: RunEndStatus): CriterionResult[];
}

export type CreateCriteriaResult =
  | { ok: true; evaluator: CriteriaEvaluator }
  | { ok: false; issues: { index: number; message: string }[] };

const specsSchema = z.array(
  z.object({ id: z.string().min(1, 'criterion id must not be empty'), expect: z.string(), description: z.string().optional() }),
);

/** Time tolerance of window edges: steps accumulate dt, so 7200 may arrive as 7199.999999999. */
const eps = (t: number) => 1e-9 * Math.max(1, Math.abs(t));

interface EventMatcher {
  (e: SystemEvent): boolean;
}

function describePattern(p: EventPattern): string {
  const c = p.code;
  const what = c.kind === 'severity' ? (c.severity === 'trip' ? 'trip' : `${c.severity} or higher`) : c.kind === 'code' ? c.code : c.glob;
  return p.on ? `${what} on ${p.on}` : what;
}

function describeAnchor(a: AnchorAst): string {
  switch (a.kind) {
    case 'start':
      return 'the start';
    case 'fault':
      return `fault ${a.id}`;
    case 'runaway':
      return 'the first runaway';
    default:
      return `event ${describePattern(a.event)}`;
  }
}

function globRe(g: string): RegExp {
  return new RegExp(`^${g.replace(/[.+^${}()|\\[\]]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
}

function bindPattern(p: EventPattern, codes: readonly string[] | undefined): EventMatcher | string {
  let codeOk: (e: SystemEvent) => boolean;
  const c = p.code;
  if (c.kind === 'severity') {
    const min = SEVERITY_RANK[c.severity];
    codeOk = (e) => (SEVERITY_RANK[e.severity] ?? -1) >= min;
  } else if (c.kind === 'code') {
    if (codes && !codes.some((k) => k.toUpperCase() === c.code)) {
      const hint = closest(c.code, codes);
      return `unknown event code '${c.code}'${hint ? ` (did you mean '${hint}'?)` : ''}; codes: ${[...codes].sort().join(', ')}`;
    }
    const code = c.code;
    codeOk = (e) => e.code === code || e.code.toUpperCase() === code;
  } else {
    const re = globRe(c.glob);
    if (codes && !codes.some((k) => re.test(k))) return `'${c.glob}' matches no event code; codes: ${[...codes].sort().join(', ')}`;
    codeOk = (e) => re.test(e.code);
  }
  if (!p.on) return codeOk;
  const sel = parseSelector(p.on);
  if (typeof sel === 'string') return sel;
  const s: Selector = sel;
  return (e) => codeOk(e) && matchPath(s, e.target.split('/'));
}

/** Time of an anchor: NaN until it happens, then the earliest time it happened. */
class Anchor {
  tA = NaN;
  private readonly match: EventMatcher | null;
  constructor(
    readonly ast: AnchorAst,
    match: EventMatcher | null,
    startS: number,
  ) {
    this.match = match;
    if (ast.kind === 'start') this.tA = startS;
  }
  private set(t: number): boolean {
    if (this.tA === this.tA && this.tA <= t) return false;
    this.tA = t;
    return true;
  }
  event(e: SystemEvent): boolean {
    return this.match !== null && this.match(e) && this.set(e.t_s);
  }
  fault(id: string, t: number): boolean {
    return this.ast.kind === 'fault' && this.ast.id === id && this.set(t);
  }
  runaway(t: number): boolean {
    return this.ast.kind === 'runaway' && this.set(t);
  }
  get needsEvents(): boolean {
    return this.match !== null;
  }
  neverMessage(): string {
    switch (this.ast.kind) {
      case 'fault':
        return `fault ${this.ast.id} never fired`;
      case 'runaway':
        return 'no cell entered thermal runaway';
      default:
        return `${describeAnchor(this.ast)} never happened`;
    }
  }
}

abstract class Crit {
  result: CriterionOutcome | null = null;
  tS: number | null = null;
  detail = '';
  constructor(
    readonly id: string,
    readonly text: string,
  ) {}
  protected decide(result: CriterionOutcome, tS: number | null, detail: string): void {
    this.result = result;
    this.tS = tS;
    this.detail = detail;
  }
  get decided(): boolean {
    return this.result !== null;
  }
  /** the run ended with an error before this was decided */
  abort(tEndS: number): void {
    this.decide('inconclusive', null, `undecided when the run stopped with an error at ${fmtDuration(tEndS)}${this.errorContext()}`);
  }
  needsStep = false;
  needsEvents = false;
  needsFaults = false;
  needsRunaway = false;
  onStep(_tS: number): void {}
  onEvent(_e: SystemEvent): void {}
  onFault(_id: string, _tS: number): void {}
  onRunaway(_target: string, _tS: number, _initiator: boolean): void {}
  /** called for undecided criteria when the run ends normally */
  abstract onEnd(tEndS: number): void;
  /** a clause for the inconclusive detail of a run that ended with an error */
  errorContext(): string {
    return '';
  }
}

/** Sentence pieces for a bound condition. */
class CondText {
  constructor(readonly c: BoundCondition) {}
  get rhs(): string {
    return `${this.c.ast.op} ${this.c.ast.quantity}`;
  }
  /** "max 61.2 degC on site1/.../module07" or "pack1.voltage_V 2.95 V" */
  value(v: number, arg: number): string {
    const a = this.c.ast;
    const val = fmtValue(v, this.c.unit);
    if (!a.agg || this.c.signals.length === 1) {
      const name = arg >= 0 ? this.c.table.names[arg] : a.ref;
      return `${name} ${val}`;
    }
    if ((a.agg === 'max' || a.agg === 'min') && arg >= 0) {
      const name = this.c.table.names[arg];
      const dot = name.lastIndexOf('.');
      return `${a.agg} ${val} on ${dot > 0 ? name.slice(0, dot) : name}`;
    }
    return `${a.agg} ${val}`;
  }
  at(v: number, arg: number, t: number): string {
    const s = this.value(v, arg);
    // put the time before "on <target>" to read "max 61.2 degC at 5.3 h on x"
    const on = s.indexOf(' on ');
    return on >= 0 ? `${s.slice(0, on)} at ${fmtDuration(t)}${s.slice(on)}` : `${s} at ${fmtDuration(t)}`;
  }
  /** the value nearest to violating the condition (for 'always') */
  worstWord(): string {
    const op = this.c.ast.op;
    return op === '<' || op === '<=' ? 'highest' : op === '>' || op === '>=' ? 'lowest' : 'closest';
  }
  /** the value nearest to satisfying the condition (for 'eventually') */
  nearWord(): string {
    const op = this.c.ast.op;
    return op === '<' || op === '<=' ? 'lowest' : op === '>' || op === '>=' ? 'highest' : 'closest';
  }
}

class AlwaysCrit extends Crit {
  private worst = Infinity;
  private worstV = NaN;
  private worstArg = -1;
  private worstT = NaN;
  private steps = 0;
  private readonly ct: CondText;
  constructor(id: string, text: string, readonly cond: BoundCondition) {
    super(id, text);
    this.ct = new CondText(cond);
    this.needsStep = true;
  }
  override onStep(tS: number): void {
    if (this.result !== null) return;
    this.steps++;
    const c = this.cond;
    const m = c.margin();
    if (m >= 0) {
      if (m < this.worst) {
        this.worst = m;
        this.worstV = c.lastValue;
        this.worstArg = c.lastArg;
        this.worstT = tS;
      }
      return;
    }
    this.decide('fail', tS, `${this.ct.at(c.lastValue, c.lastArg, tS)}, expected ${this.ct.rhs}`);
  }
  onEnd(tEndS: number): void {
    if (this.steps === 0) this.onStep(tEndS);
    if (this.result !== null) return;
    this.decide('pass', tEndS, `held to the end (${fmtDuration(tEndS)}); ${this.ct.worstWord()}: ${this.ct.at(this.worstV, this.worstArg, this.worstT)}`);
  }
  override errorContext(): string {
    return this.steps ? `; it held until then, ${this.ct.worstWord()}: ${this.ct.at(this.worstV, this.worstArg, this.worstT)}` : '';
  }
}

class FinalCrit extends Crit {
  private readonly ct: CondText;
  constructor(id: string, text: string, readonly cond: BoundCondition) {
    super(id, text);
    this.ct = new CondText(cond);
  }
  onEnd(tEndS: number): void {
    const c = this.cond;
    const ok = c.holds();
    this.decide(ok ? 'pass' : 'fail', tEndS, `final ${this.ct.value(c.lastValue, c.lastArg)}, expected ${this.ct.rhs}`);
  }
}

/** Window (tA, tA + D] after an anchor; D = Infinity for an unbounded 'eventually'. */
abstract class WindowCrit extends Crit {
  constructor(
    id: string,
    text: string,
    readonly anchor: Anchor,
    readonly withinS: number,
  ) {
    super(id, text);
    this.needsStep = true;
    this.needsEvents = anchor.needsEvents;
    this.needsFaults = anchor.ast.kind === 'fault';
    this.needsRunaway = anchor.ast.kind === 'runaway';
  }
  get windowEnd(): number {
    return this.anchor.tA + this.withinS;
  }
  protected anchorText(): string {
    return this.anchor.ast.kind === 'start' ? '' : ` after ${describeAnchor(this.anchor.ast)} (at ${fmtDuration(this.anchor.tA)})`;
  }
  protected abstract rescan(): void;
  protected abstract missText(): string;
  override onEvent(e: SystemEvent): void {
    if (this.result === null && this.anchor.event(e)) this.rescan();
  }
  override onFault(id: string, tS: number): void {
    if (this.result === null && this.anchor.fault(id, tS)) this.rescan();
  }
  override onRunaway(_t: string, tS: number): void {
    if (this.result === null && this.anchor.runaway(tS)) this.rescan();
  }
  /** fail when a step reaches the end of the window */
  protected closeIfDue(tS: number): void {
    const end = this.windowEnd;
    if (this.result === null && end !== Infinity && tS >= end - eps(end)) this.decide('fail', end, this.missText());
  }
  onEnd(tEndS: number): void {
    const tA = this.anchor.tA;
    if (tA !== tA) {
      this.decide('inconclusive', null, `${this.anchor.neverMessage()}, so the window never opened`);
      return;
    }
    const end = this.windowEnd;
    if (end === Infinity) {
      this.decide('fail', tEndS, this.missText());
      return;
    }
    if (tEndS >= end - eps(end)) {
      this.decide('fail', end, this.missText());
      return;
    }
    this.decide('inconclusive', null, `the run ended at ${fmtDuration(tEndS)}, before the window closed at ${fmtDuration(end)}`);
  }
}

class EventuallyCrit extends WindowCrit {
  private best = -Infinity;
  private bestV = NaN;
  private bestArg = -1;
  private bestT = NaN;
  private readonly ct: CondText;
  constructor(id: string, text: string, readonly cond: BoundCondition, anchor: Anchor, withinS: number) {
    super(id, text, anchor, withinS);
    this.ct = new CondText(cond);
  }
  protected rescan(): void {}
  override onStep(tS: number): void {
    if (this.result !== null) return;
    const tA = this.anchor.tA;
    if (!(tS > tA)) return; // anchor unknown (NaN) or not yet after it
    const end = tA + this.withinS;
    if (tS <= end + eps(end)) {
      const c = this.cond;
      const m = c.margin();
      if (m >= 0) {
        this.decide('pass', tS, `${this.ct.at(c.lastValue, c.lastArg, tS)} (${this.ct.rhs})${this.anchorText()}`);
        return;
      }
      if (m > this.best) {
        this.best = m;
        this.bestV = c.lastValue;
        this.bestArg = c.lastArg;
        this.bestT = tS;
      }
    }
    this.closeIfDue(tS);
  }
  protected missText(): string {
    const win = this.withinS === Infinity ? 'during the run' : `within ${fmtDuration(this.withinS)}${this.anchorText()}`;
    const near = this.bestT === this.bestT ? `; ${this.ct.nearWord()}: ${this.ct.at(this.bestV, this.bestArg, this.bestT)}` : '';
    return `never ${this.ct.rhs} ${win}${near}`;
  }
}

interface Hit {
  t: number;
  code: string;
  severity: Severity;
  target: string;
}

class EventWithinCrit extends WindowCrit {
  private readonly hits: Hit[] = [];
  constructor(
    id: string,
    text: string,
    readonly pattern: EventPattern,
    readonly match: EventMatcher,
    anchor: Anchor,
    withinS: number,
  ) {
    super(id, text, anchor, withinS);
    this.needsEvents = true;
  }
  override onEvent(e: SystemEvent): void {
    if (this.result !== null) return;
    const moved = this.anchor.event(e);
    if (this.match(e)) this.hits.push({ t: e.t_s, code: e.code, severity: e.severity, target: e.target });
    if (moved || this.anchor.tA === this.anchor.tA) this.rescan();
  }
  /** earliest hit inside (tA, tA + D] */
  protected rescan(): void {
    const tA = this.anchor.tA;
    if (tA !== tA || this.result !== null) return;
    const end = this.windowEnd;
    let best: Hit | null = null;
    for (const h of this.hits) if (h.t > tA && h.t <= end + eps(end) && (!best || h.t < best.t)) best = h;
    if (best)
      this.decide(
        'pass',
        best.t,
        `${best.code} (${best.severity}) on ${best.target} at ${fmtDuration(best.t)}${this.anchor.ast.kind === 'start' ? '' : `, ${fmtDuration(best.t - tA)} after ${describeAnchor(this.anchor.ast)}`}`,
      );
  }
  override onStep(tS: number): void {
    if (this.result === null && this.anchor.tA === this.anchor.tA) this.closeIfDue(tS);
  }
  protected missText(): string {
    const before = this.hits.filter((h) => h.t <= this.anchor.tA);
    const note = before.length ? `; it happened at ${fmtDuration(before[0].t)}, not after the anchor` : '';
    return `no ${describePattern(this.pattern)} within ${fmtDuration(this.withinS)}${this.anchorText()}${note}`;
  }
}

class NoEventCrit extends Crit {
  constructor(
    id: string,
    text: string,
    readonly pattern: EventPattern,
    readonly match: EventMatcher,
  ) {
    super(id, text);
    this.needsEvents = true;
  }
  override onEvent(e: SystemEvent): void {
    if (this.result === null && this.match(e))
      this.decide('fail', e.t_s, `${e.code} (${e.severity}) on ${e.target} at ${fmtDuration(e.t_s)}${e.message ? `: ${e.message}` : ''}`);
  }
  onEnd(tEndS: number): void {
    this.decide('pass', tEndS, `no ${describePattern(this.pattern)} in ${fmtDuration(tEndS)}`);
  }
}

class RunawayCountCrit extends Crit {
  private readonly cells = new Map<string, number>();
  constructor(
    id: string,
    text: string,
    readonly which: 'runaway' | 'propagated',
    readonly op: CmpOp,
    readonly n: number,
  ) {
    super(id, text);
    this.needsRunaway = true;
  }
  private list(): string {
    const e = [...this.cells].sort((a, b) => a[1] - b[1]);
    const shown = e.slice(0, 5).map(([t, s]) => `${t} at ${fmtDuration(s)}`);
    return `${shown.join(', ')}${e.length > 5 ? `, +${e.length - 5} more` : ''}`;
  }
  private sentence(): string {
    const c = this.cells.size;
    const what = this.which === 'propagated' ? 'propagated' : 'in runaway';
    const rhs = this.n === 0 && this.op === '==' ? 'expected none' : `expected ${this.op} ${this.n}`;
    return c === 0 ? `no cell ${what}, ${rhs}` : `${c} cell${c === 1 ? '' : 's'} ${what} (${this.list()}), ${rhs}`;
  }
  override onRunaway(target: string, tS: number, initiator: boolean): void {
    if (this.result !== null || (initiator && this.which === 'propagated') || this.cells.has(target)) return;
    this.cells.set(target, tS);
    const c = this.cells.size;
    const n = this.n;
    switch (this.op) {
      case '<=':
      case '==':
        if (c > n) this.decide('fail', tS, this.sentence());
        break;
      case '<':
        if (c >= n) this.decide('fail', tS, this.sentence());
        break;
      case '>=':
        if (c >= n) this.decide('pass', tS, this.sentence());
        break;
      default: // '>' and '!=' (a count above n never comes back to n)
        if (c > n) this.decide('pass', tS, this.sentence());
    }
  }
  onEnd(tEndS: number): void {
    const c = this.cells.size;
    const n = this.n;
    const ok =
      this.op === '<=' ? c <= n : this.op === '<' ? c < n : this.op === '==' ? c === n : this.op === '!=' ? c !== n : this.op === '>' ? c > n : c >= n;
    this.decide(ok ? 'pass' : 'fail', tEndS, this.sentence());
  }
  override errorContext(): string {
    return `; so far ${this.sentence().replace(/, expected.*$/, '')}`;
  }
}

/**
 * Bind criteria to a running system. Errors (syntax, unknown signal, unit mismatch, unknown fault
 * id or event code, duplicate id) are returned all at once, by index of the spec.
 */
export function createCriteriaEvaluator(specs: readonly CriterionSpec[], ctx: CriteriaContext): CreateCriteriaResult {
  const shape = specsSchema.safeParse(specs);
  if (!shape.success)
    return {
      ok: false,
      issues: shape.error.issues.map((i) => ({
        index: typeof i.path[0] === 'number' ? i.path[0] : -1,
        message: `${i.path.slice(1).join('.') || 'criteria'}: ${i.message}`,
      })),
    };
  const issues: { index: number; message: string }[] = [];
  const crits: Crit[] = [];
  const seen = new Set<string>();
  const startS = ctx.startS ?? 0;

  const anchorOf = (a: AnchorAst): Anchor | string => {
    if (a.kind === 'fault' && !ctx.faultIds.includes(a.id)) {
      const hint = closest(a.id, ctx.faultIds);
      return `unknown fault '${a.id}'${hint ? ` (did you mean '${hint}'?)` : ''}; ${ctx.faultIds.length ? `faults: ${ctx.faultIds.join(', ')}` : 'the scenario has no faults'}`;
    }
    if (a.kind === 'event') {
      const m = bindPattern(a.event, ctx.eventCodes);
      if (typeof m === 'string') return m;
      return new Anchor(a, m, startS);
    }
    return new Anchor(a, null, startS);
  };

  specs.forEach((spec, index) => {
    const bad = (message: string) => issues.push({ index, message });
    if (seen.has(spec.id)) return bad(`duplicate criterion id '${spec.id}'`);
    seen.add(spec.id);
    const p = parseCriterion(spec.expect);
    if (!p.ok) return bad(p.message);
    const ast = p.ast;
    const text = spec.expect;
    switch (ast.form) {
      case 'always':
      case 'final':
      case 'eventually': {
        const b = bindCondition(ast.cond, ctx.signals);
        if (!b.ok) return bad(b.message);
        if (ast.form === 'always') return void crits.push(new AlwaysCrit(spec.id, text, b.cond));
        if (ast.form === 'final') return void crits.push(new FinalCrit(spec.id, text, b.cond));
        const a = anchorOf(ast.after);
        if (typeof a === 'string') return bad(a);
        return void crits.push(new EventuallyCrit(spec.id, text, b.cond, a, ast.withinS ?? Infinity));
      }
      case 'eventWithin': {
        const m = bindPattern(ast.event, ctx.eventCodes);
        if (typeof m === 'string') return bad(m);
        const a = anchorOf(ast.after);
        if (typeof a === 'string') return bad(a);
        return void crits.push(new EventWithinCrit(spec.id, text, ast.event, m, a, ast.withinS));
      }
      case 'noEvent': {
        const m = bindPattern(ast.event, ctx.eventCodes);
        if (typeof m === 'string') return bad(m);
        return void crits.push(new NoEventCrit(spec.id, text, ast.event, m));
      }
      case 'runawayCount':
        return void crits.push(new RunawayCountCrit(spec.id, text, ast.which, ast.op, ast.n));
    }
  });
  if (issues.length) return { ok: false, issues };

  const stepList = crits.filter((c) => c.needsStep);
  const eventList = crits.filter((c) => c.needsEvents);
  const faultList = crits.filter((c) => c.needsFaults);
  const runawayList = crits.filter((c) => c.needsRunaway);
  let finished = false;

  const evaluator: CriteriaEvaluator = {
    step(tS) {
      for (let k = 0; k < stepList.length; k++) stepList[k].onStep(tS);
    },
    event(e) {
      for (const c of eventList) c.onEvent(e);
    },
    fault(id, tS) {
      for (const c of faultList) c.onFault(id, tS);
    },
    runaway(target, tS, initiator) {
      for (const c of runawayList) c.onRunaway(target, tS, initiator);
    },
    finish(tEndS, status) {
      if (!finished) {
        finished = true;
        for (const c of crits) {
          if (c.decided) continue;
          if (status === 'error') c.abort(tEndS);
          else c.onEnd(tEndS);
        }
      }
      return crits.map((c) => ({ id: c.id, text: c.text, result: c.result ?? 'inconclusive', t_s: c.tS, detail: c.detail }));
    },
  };
  return { ok: true, evaluator };
}
