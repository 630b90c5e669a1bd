/**
 * Scenario validation: every problem as a value { path, message } a user can act on, and for
 * text input also its place (line/column) so the editor can mark it exactly.
 */
import type { z } from 'zod';
import { ScenarioSchema, MAX_EXPANDED_STEPS, type Scenario, type ExperimentItem } from './schema';
import { parseJsonWithLocations, type JsonPath } from './jsonText';
import { closest, parseStep } from './steps';
import { getParamSet } from '../battery/paramSets';
import { SystemScenarioSchema, type SystemScenario } from './system';
import { applyParameters, type ParamValue } from './parameters';
import { checkSystemScenario } from '../system/check';

export interface ScenarioIssue {
  path: (string | number)[];
  message: string;
  /** 1-based position of the issue in the scenario text (parseScenarioText only). */
  line?: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
}

/** A scenario of either version: 1 (cell / pack experiment) or 2 (assets, faults, criteria). */
export type AnyScenario = Scenario | SystemScenario;

export function isSystemScenario(s: AnyScenario): s is SystemScenario {
  return (s as { version?: unknown }).version === 2;
}

/**
 * For version 2 `scenario` is the document as written with any parameter overrides stored in
 * its `parameters` (what is hashed and shared); the engine substitutes the parameters again.
 */
export type ValidateResult = { ok: true; scenario: AnyScenario } | { ok: false; issues: ScenarioIssue[] };

export interface ValidateOptions {
  /** parameter overrides (version 2 only), e.g. { ambient: '40 degC' } */
  params?: Record<string, ParamValue>;
}

/** Scenario text larger than this (UTF-8 bytes) is refused. */
export const MAX_SCENARIO_BYTES = 1_000_000;

/** UTF-8 byte length of a string without encoding it. */
export function utf8ByteLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** "step 3" for ['experiment', 2]; "step 2.1" for ['experiment', 1, 'steps', 0]; undefined otherwise. */
export function stepLabel(path: readonly (string | number)[]): string | undefined {
  if (path[0] !== 'experiment' || typeof path[1] !== 'number') return undefined;
  const nums: number[] = [path[1] + 1];
  let k = 2;
  while (path[k] === 'steps' && typeof path[k + 1] === 'number') {
    nums.push((path[k + 1] as number) + 1);
    k += 2;
  }
  if (k !== path.length) return undefined;
  return `step ${nums.join('.')}`;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function getAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

type ZIssue = z.core.$ZodIssue;

/** Turn zod issues into ScenarioIssues with messages written for scenario authors. */
function convertIssues(issues: readonly ZIssue[], input: unknown, base: PropertyKey[] = []): ScenarioIssue[] {
  const out: ScenarioIssue[] = [];
  for (const iss of issues) {
    const fullPath = [...base, ...iss.path];
    const path = fullPath.filter((k): k is string | number => typeof k !== 'symbol');
    switch (iss.code) {
      case 'unrecognized_keys': {
        const parent = getAt(input, fullPath);
        // "did you mean": nearest key the schema knows, unless the object already has it.
        for (const k of iss.keys) {
          const hint = closest(k, knownKeysAt(fullPath));
          out.push({
            path: [...path, k],
            message: `unknown key '${k}'${hint && parent && typeof parent === 'object' && !(hint in parent) ? ` (did you mean '${hint}'?)` : ''}`,
          });
        }
        break;
      }
      case 'invalid_union': {
        // Experiment items: a string or a { repeat, steps } block. Report the branch that fits.
        const v = getAt(input, fullPath);
        const errs = iss.errors;
        if (typeof v === 'string' && errs[0]) out.push(...convertIssues(errs[0], input, fullPath));
        else if (v && typeof v === 'object' && !Array.isArray(v) && errs[1]) out.push(...convertIssues(errs[1], input, fullPath));
        else
          out.push({
            path,
            message: `expected a step string (e.g. "Rest for 10 minutes") or a { "repeat": N, "steps": [...] } block, got ${typeName(v)}`,
          });
        break;
      }
      case 'invalid_type': {
        const v = getAt(input, fullPath);
        if (v === undefined) out.push({ path, message: `missing required key '${String(path[path.length - 1] ?? '')}' (${iss.expected})` });
        else if (iss.message && !iss.message.startsWith('Invalid input')) out.push({ path, message: iss.message });
        else out.push({ path, message: `expected ${iss.expected}, got ${typeName(v)}` });
        break;
      }
      default: {
        const label = stepLabel(path);
        let message = iss.message;
        if (iss.code === 'too_small' || iss.code === 'too_big') message = message.replace(/^Too (small|big): /, '');
        out.push({ path, message: label && iss.code === 'custom' ? `${label}: ${message}` : message });
      }
    }
  }
  return out;
}

// Keys each object of the v1 schema knows (for "did you mean" hints on unknown keys).
const KEYS_BY_CONTEXT: Record<string, string[]> = {
  root: ['$schema', 'version', 'name', 'description', 'seed', 'cell', 'pack', 'rcPairs', 'initial', 'ambient', 'sample', 'limits', 'experiment'],
  cell: ['paramSet', 'params'],
  pack: ['series', 'parallel', 'spread', 'balancing'],
  spread: ['capacityRelStd', 'r0RelStd', 'socAbsStd'],
  balancing: ['thresholdV', 'bleedOhm', 'when'],
  initial: ['soc', 'tempC'],
  ambient: ['tempC'],
  sample: ['dtS'],
  limits: ['maxDurationS', 'maxStepDurationS'],
  block: ['repeat', 'steps'],
};

function knownKeysAt(path: readonly PropertyKey[]): string[] {
  if (path.length === 0) return KEYS_BY_CONTEXT.root;
  if (path[0] === 'experiment') return KEYS_BY_CONTEXT.block;
  if (path.length === 2 && path[0] === 'pack' && (path[1] === 'spread' || path[1] === 'balancing')) return KEYS_BY_CONTEXT[path[1]];
  if (path.length === 1 && typeof path[0] === 'string') return KEYS_BY_CONTEXT[path[0]] ?? [];
  return [];
}

/** Number of experiment steps after expanding repeat blocks (stops counting past `cap`). */
export function countExpandedSteps(items: readonly ExperimentItem[], cap = Infinity): number {
  let n = 0;
  for (const it of items) {
    if (typeof it === 'string') n += 1;
    else n += it.repeat * countExpandedSteps(it.steps, cap);
    if (n > cap) return n;
  }
  return n;
}

/** Checks that need the whole (schema-valid) scenario. */
function semanticIssues(s: Scenario): ScenarioIssue[] {
  const issues: ScenarioIssue[] = [];
  const n = countExpandedSteps(s.experiment, MAX_EXPANDED_STEPS);
  if (n > MAX_EXPANDED_STEPS)
    issues.push({ path: ['experiment'], message: `the experiment expands to more than ${MAX_EXPANDED_STEPS} steps; reduce the repeat counts` });
  let params;
  try {
    params = s.cell.params ?? getParamSet(s.cell.paramSet!);
  } catch (e) {
    issues.push({ path: ['cell', 'paramSet'], message: e instanceof Error ? e.message : String(e) });
    return issues;
  }
  if (s.rcPairs === 2 && !(params.r2Ohm && params.c2F))
    issues.push({ path: ['rcPairs'], message: `rcPairs 2 needs a second RC pair (r2Ohm, c2F), which '${params.name}' does not have; use 1` });
  // Hold voltages far outside the pack's voltage window are almost certainly typos.
  const series = s.pack?.series ?? 1;
  const walk = (items: readonly ExperimentItem[], prefix: (string | number)[]) => {
    items.forEach((it, i) => {
      const path = [...prefix, i];
      if (typeof it !== 'string') return walk(it.steps, [...path, 'steps']);
      const r = parseStep(it);
      if (!r.ok) return;
      const volts = [
        ...(r.step.drive.type === 'voltage' ? [r.step.drive.voltageV] : []),
        ...r.step.until.flatMap((c) => (c.type === 'voltage' ? [c.voltageV] : [])),
      ];
      for (const v of volts) {
        const lo = 0.5 * params.vMinV * series;
        const hi = 1.5 * params.vMaxV * series;
        if (v < lo || v > hi)
          issues.push({
            path,
            message: `${stepLabel(path)}: ${Number(v.toPrecision(6))} V is far outside the ${series > 1 ? `pack (${series} in series)` : 'cell'} voltage window ${Number((params.vMinV * series).toPrecision(6))}..${Number((params.vMaxV * series).toPrecision(6))} V`,
          });
      }
    });
  };
  walk(s.experiment, ['experiment']);
  return issues;
}

/** Validate a parsed JSON value as a scenario. */
export function validateScenario(input: unknown, opts: ValidateOptions = {}): ValidateResult {
  const overrides = opts.params ?? {};
  if (input !== null && typeof input === 'object' && (input as { version?: unknown }).version === 2) return validateSystem(input, overrides);
  if (Object.keys(overrides).length)
    return { ok: false, issues: [{ path: ['version'], message: 'parameters (--param) need a version-2 scenario with a "parameters" section' }] };
  const r = ScenarioSchema.safeParse(input);
  if (!r.success) return { ok: false, issues: dedupe(convertIssues(r.error.issues, input)) };
  const sem = semanticIssues(r.data);
  if (sem.length) return { ok: false, issues: sem };
  return { ok: true, scenario: r.data };
}

function validateSystem(input: object, overrides: Record<string, ParamValue>): ValidateResult {
  const p = applyParameters(input, overrides);
  if (!p.ok) return { ok: false, issues: p.issues };
  const r = SystemScenarioSchema.safeParse(p.doc);
  if (!r.success) return { ok: false, issues: dedupe(convertIssues(r.error.issues, p.doc)) };
  const sem = checkSystemScenario(r.data);
  if (sem.length) return { ok: false, issues: sem };
  return { ok: true, scenario: p.withOverrides as SystemScenario };
}

function dedupe(issues: ScenarioIssue[]): ScenarioIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const k = JSON.stringify([i.path, i.message]);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * Validate scenario text (JSON). Syntax errors come back with path [] and their line/column;
 * schema issues come back with their path and the line/column of the value (or key) they
 * concern. Text over MAX_SCENARIO_BYTES is refused without parsing.
 */
export function parseScenarioText(text: string, opts: ValidateOptions = {}): ValidateResult {
  if (typeof text !== 'string') return { ok: false, issues: [{ path: [], message: 'scenario text must be a string' }] };
  if (text.length > MAX_SCENARIO_BYTES || utf8ByteLength(text) > MAX_SCENARIO_BYTES) {
    return {
      ok: false,
      issues: [{ path: [], message: `scenario is too large (${utf8ByteLength(text)} bytes); the limit is 1 MB (${MAX_SCENARIO_BYTES} bytes)`, line: 1, column: 1 }],
    };
  }
  if (!text.trim()) return { ok: false, issues: [{ path: [], message: 'scenario is empty; expected a JSON object', line: 1, column: 1 }] };
  const p = parseJsonWithLocations(text);
  if (!p.ok) {
    const e = p.error;
    return {
      ok: false,
      issues: [{ path: [], message: `JSON syntax error: ${e.message}`, line: e.line, column: e.column, endLine: e.line, endColumn: e.column + 1 }],
    };
  }
  const r = validateScenario(p.value, opts);
  if (r.ok) return r;
  return {
    ok: false,
    issues: r.issues.map((i) => {
      const unknownKey = i.message.startsWith('unknown key');
      const range = p.locations.nearest(i.path as JsonPath, unknownKey);
      return { ...i, line: range.line, column: range.column, endLine: range.endLine, endColumn: range.endColumn };
    }),
  };
}

/** One line per issue, "path: message" (path as experiment[2].steps[0]; "(root)" for []). */
export function formatIssuePath(path: readonly (string | number)[]): string {
  if (path.length === 0) return '(root)';
  let s = '';
  for (const k of path) {
    if (typeof k === 'number') s += `[${k}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k)) s += s ? `.${k}` : k;
    else s += `[${JSON.stringify(k)}]`;
  }
  return s;
}
