import { describe, expect, it } from 'vitest';
import { createCriteriaEvaluator, parseCriterion, type CriteriaEvaluator, type CriterionSpec } from './criteria';
import type { CriterionResult, Severity, SignalTable, SystemEvent } from './types';

/** Container with 2 racks x 3 modules, a pack with 2 x 5 cells, an oven cell. */
function makeTable(): SignalTable {
  const names: string[] = [];
  const units: string[] = [];
  const add = (n: string, u: string) => {
    names.push(n);
    units.push(u);
  };
  for (let r = 1; r <= 2; r++) for (let m = 1; m <= 3; m++) add(`site1/container1/rack0${r}/module0${m}.temp_C`, 'degC');
  add('site1/container1/air.temp_C', 'degC');
  add('site1/container1/gas.ppm', 'ppm');
  add('pack1.voltage_V', 'V');
  add('pack1.soc', '1');
  for (let m = 1; m <= 2; m++) for (let c = 1; c <= 5; c++) add(`pack1/module0${m}/cell0${c}.voltage_V`, 'V');
  add('oven/cell.temp_C', 'degC');
  return { names, units, values: new Float64Array(names.length), index: new Map(names.map((n, i) => [n, i])) };
}

const FAULTS = ['hvac-trip', 'isc-cell05'];

function create(specs: CriterionSpec[] | string[], t = makeTable(), faultIds = FAULTS, eventCodes?: string[]): CriteriaEvaluator {
  const s = specs.map((x, i) => (typeof x === 'string' ? { id: `c${i}`, expect: x } : x));
  const r = createCriteriaEvaluator(s, { signals: t, faultIds, eventCodes });
  if (!r.ok) throw new Error(r.issues.map((i) => `${i.index}: ${i.message}`).join('\n'));
  return r.evaluator;
}

function issues(specs: string[], faultIds = FAULTS, eventCodes?: string[]): { index: number; message: string }[] {
  const r = createCriteriaEvaluator(
    specs.map((expect, i) => ({ id: `c${i}`, expect })),
    { signals: makeTable(), faultIds, eventCodes },
  );
  if (r.ok) throw new Error('expected binding errors');
  return r.issues;
}

function parseErr(text: string): string {
  const r = parseCriterion(text);
  if (r.ok) throw new Error(`expected a syntax error for '${text}'`);
  return r.message;
}

const ev = (t_s: number, code: string, severity: Severity, target = 'site1/container1/bms', extra: Partial<SystemEvent> = {}): SystemEvent => ({
  t_s,
  code,
  severity,
  target,
  ...extra,
});

/**
 * Drive an evaluator like the engine: for each step, set the signals for its end time, report what
 * happened inside the step (events, faults, runaway), then call step(tS).
 */
interface Happening {
  t: number;
  event?: SystemEvent;
  fault?: string;
  runaway?: { target: string; initiator: boolean };
}
function drive(
  e: CriteriaEvaluator,
  t: SignalTable,
  opts: { endS: number; dtS: number; set?: (tS: number, v: Float64Array, tb: SignalTable) => void; happen?: Happening[]; status?: 'completed' | 'stopped' | 'error' },
): CriterionResult[] {
  const happen = [...(opts.happen ?? [])];
  let tPrev = 0;
  opts.set?.(0, t.values, t);
  for (let k = 1; k * opts.dtS <= opts.endS + 1e-9; k++) {
    const tS = k * opts.dtS;
    for (const h of happen.filter((h) => h.t > tPrev && h.t <= tS)) {
      if (h.event) e.event(h.event);
      if (h.fault) e.fault(h.fault, h.t);
      if (h.runaway) e.runaway(h.runaway.target, h.t, h.runaway.initiator);
    }
    opts.set?.(tS, t.values, t);
    e.step(tS);
    tPrev = tS;
  }
  return e.finish(tPrev, opts.status ?? 'completed');
}

const idx = (t: SignalTable, n: string) => t.index.get(n)!;

describe('parseCriterion', () => {
  it('parses every form', () => {
    const p = (s: string) => {
      const r = parseCriterion(s);
      if (!r.ok) throw new Error(r.message);
      return r.ast;
    };
    expect(p('max(site1/container1/**.temp_C) < 60 degC')).toMatchObject({ form: 'always', cond: { agg: 'max', op: '<', quantity: '60 degC' } });
    expect(p('ALWAYS pack1.voltage_V > 100 V')).toMatchObject({ form: 'always', cond: { ref: 'pack1.voltage_V' } });
    expect(p('eventually min(pack1/**.voltage_V) < 3.0 V within 2 h')).toMatchObject({
      form: 'eventually',
      cond: { agg: 'min', quantity: '3.0 V' },
      within: '2 h',
      withinS: 7200,
      after: { kind: 'start' },
    });
    expect(p('Eventually pack1.soc < 0.1')).toMatchObject({ form: 'eventually', withinS: null, after: { kind: 'start' } });
    expect(p('eventually oven/cell.temp_C > 150 degC within 30 min after fault hvac-trip')).toMatchObject({
      withinS: 1800,
      after: { kind: 'fault', id: 'hvac-trip' },
    });
    expect(p('final pack1.soc >= 20 %')).toMatchObject({ form: 'final', cond: { op: '>=' } });
    expect(p('alarm OT_WARN within 9 h after fault hvac-trip')).toEqual({
      form: 'eventWithin',
      event: { code: { kind: 'code', code: 'OT_WARN' }, on: null },
      within: '9 h',
      withinS: 32400,
      after: { kind: 'fault', id: 'hvac-trip' },
    });
    expect(p('event vent on pack1/module[1, 2]/* within 10 min after event RUNAWAY on pack1/**')).toEqual({
      form: 'eventWithin',
      event: { code: { kind: 'code', code: 'VENT' }, on: 'pack1/module[1, 2]/*' },
      within: '10 min',
      withinS: 600,
      after: { kind: 'event', event: { code: { kind: 'code', code: 'RUNAWAY' }, on: 'pack1/**' } },
    });
    expect(p('alarm OT_* within 1 h')).toMatchObject({ event: { code: { kind: 'glob', glob: 'OT_*' } }, after: { kind: 'start' } });
    expect(p('alarm trip within 5 min after runaway')).toMatchObject({ event: { code: { kind: 'severity', severity: 'trip' } }, after: { kind: 'runaway' } });
    expect(p('no trip')).toEqual({ form: 'noEvent', event: { code: { kind: 'severity', severity: 'trip' }, on: null } });
    expect(p('no alarm')).toEqual({ form: 'noEvent', event: { code: { kind: 'severity', severity: 'alarm' }, on: null } });
    expect(p('No Alarms on site1/**')).toEqual({ form: 'noEvent', event: { code: { kind: 'severity', severity: 'alarm' }, on: 'site1/**' } });
    expect(p('no alarm GAS_ALARM on site1/container1/gas')).toEqual({
      form: 'noEvent',
      event: { code: { kind: 'code', code: 'GAS_ALARM' }, on: 'site1/container1/gas' },
    });
    expect(p('no event OT_*')).toMatchObject({ form: 'noEvent', event: { code: { kind: 'glob' } } });
    expect(p('propagated cells <= 1')).toEqual({ form: 'runawayCount', which: 'propagated', op: '<=', n: 1 });
    expect(p('runaway cells>=3')).toEqual({ form: 'runawayCount', which: 'runaway', op: '>=', n: 3 });
    expect(p('no runaway')).toEqual({ form: 'runawayCount', which: 'runaway', op: '==', n: 0 });
    expect(p('no propagation')).toEqual({ form: 'runawayCount', which: 'propagated', op: '==', n: 0 });
  });

  it('syntax errors are precise and carry an example', () => {
    expect(parseErr('')).toMatch(/^empty criterion, expected e\.g\./);
    expect(parseErr('evntually pack1.soc < 0.1')).toMatch(/^unknown criterion 'evntually \.\.\.' \(did you mean 'eventually'\?\): expected a condition like/);
    expect(parseErr('hello')).toMatch(/^unknown criterion 'hello': expected a condition like 'max\(site1\/container1\/\*\*\.temp_C\) < 60 degC' or a form starting with always/);
    expect(parseErr('always')).toBe("'always' needs a condition, e.g. 'always max(site1/**.temp_C) < 60 degC'");
    expect(parseErr('max(pack1/**.voltage_V) < 3 V within 2 h')).toMatch(/'within' is not part of a condition/);
    expect(parseErr('eventually pack1.soc < 0.1 after fault hvac-trip')).toMatch(/'after' needs a window before it: write 'eventually pack1\.soc < 0\.1 within <duration> after fault hvac-trip'/);
    expect(parseErr('eventually pack1.soc < 0.1 within')).toMatch(/'within' needs a duration/);
    expect(parseErr('eventually pack1.soc < 0.1 within 2 kW')).toMatch(/window 'within 2 kW': '2 kW' is a power, expected a duration/);
    expect(parseErr('eventually pack1.soc < 0.1 within 0 s')).toMatch(/must be longer than 0 s/);
    expect(parseErr('eventually pack1.soc < 0.1 within 2 h after tomorrow')).toMatch(/unknown anchor 'tomorrow': expected 'start', 'fault <id>'/);
    expect(parseErr('alarm OT_WARN within 2 h after fualt hvac-trip')).toMatch(/unknown anchor 'fualt'.*\(did you mean 'fault'\?\)/);
    expect(parseErr('alarm OT_WARN within 2 h after trip')).toMatch(/write 'after event trip'/);
    expect(parseErr('alarm OT_WARN within 2 h after fault')).toMatch(/'fault' needs one fault id/);
    expect(parseErr('alarm OT_WARN')).toBe(
      `'alarm OT_WARN' needs a window: write e.g. 'alarm OT_WARN within 9 h after fault hvac-trip' (or 'no alarm OT_WARN' for "never")`,
    );
    expect(parseErr('alarm')).toMatch(/'alarm' needs an event code, a glob or a severity/);
    expect(parseErr('alarm OT WARN within 2 h')).toMatch(/unexpected 'WARN' after 'alarm OT'/);
    expect(parseErr('alarm OT-WARN within 2 h')).toMatch(/bad event code 'OT-WARN'/);
    expect(parseErr('alarm OT_WARN on within 2 h')).toMatch(/'on' needs a target selector/);
    expect(parseErr('no event')).toMatch(/'no event' needs a code/);
    expect(parseErr('no')).toMatch(/'no' needs what must not happen/);
    expect(parseErr('no trip within 2 h')).toMatch(/means never during the run, so 'within' does not apply/);
    expect(parseErr('no runaway cells')).toMatch(/unexpected 'cells' after 'no runaway'/);
    expect(parseErr('runaway cells')).toMatch(/expected 'runaway cells <op> <count>', e\.g\. 'runaway cells <= 1'/);
    expect(parseErr('propagated cells <= one')).toMatch(/must be a whole number >= 0, got 'one'/);
    expect(parseErr('propagated cells <= 1.5')).toMatch(/whole number/);
    expect(parseErr('runaway cells < 0')).toMatch(/can never hold/);
    expect(parseErr('runaway cells >= 0')).toMatch(/always holds/);
  });
});

describe('createCriteriaEvaluator: binding errors', () => {
  it('reports every bad criterion by index, with "did you mean" where it can', () => {
    const r = issues([
      'max(site1/container1/**.temp_C) < 60 degC',
      'max(site1/container1/**.tmp_C) < 60 degC',
      'max(site1/container1/**.temp_C) > 45 kW',
      'pack1/*/*.voltage_V < 3 V',
      'alarm OT_WARN within 9 h after fault hvac-trp',
      'eventually pack1.soc < 0.1 within 1 h after fault door-open',
      'nonsense here',
    ]);
    expect(r.map((i) => i.index)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(r[0].message).toMatch(/unknown signal 'tmp_C'.*did you mean 'site1\/container1\/\*\*\.temp_C'/);
    expect(r[1].message).toMatch(/'45 kW' is a power, expected a temperature/);
    expect(r[2].message).toBe("'pack1/*/*.voltage_V' matches 10 signals: use max(...) or min(...), e.g. 'max(pack1/*/*.voltage_V) < 3 V'");
    expect(r[3].message).toBe("unknown fault 'hvac-trp' (did you mean 'hvac-trip'?); faults: hvac-trip, isc-cell05");
    expect(r[4].message).toBe("unknown fault 'door-open'; faults: hvac-trip, isc-cell05");
    expect(r[5].message).toMatch(/^unknown criterion 'nonsense \.\.\.'/);
  });

  it('a scenario without faults says so', () => {
    expect(issues(['alarm OT_WARN within 1 h after fault hvac-trip'], [])[0].message).toBe("unknown fault 'hvac-trip'; the scenario has no faults");
  });

  it('checks event codes and globs against the known codes when given', () => {
    const codes = ['OT_WARN', 'OT_ALARM', 'OT_TRIP', 'GAS_ALARM', 'RUNAWAY', 'VENT', 'FAULT'];
    const r = issues(['alarm OT_WRN within 1 h', 'no event UV_*', 'no alarm GAS_ALARM', 'alarm trip within 1 h after event RUNWAY'], FAULTS, codes);
    expect(r.map((i) => i.index)).toEqual([0, 1, 3]);
    expect(r[0].message).toMatch(/^unknown event code 'OT_WRN' \(did you mean 'OT_WARN'\?\); codes: FAULT, GAS_ALARM/);
    expect(r[1].message).toMatch(/^'UV_\*' matches no event code/);
    expect(r[2].message).toMatch(/unknown event code 'RUNWAY' \(did you mean 'RUNAWAY'\?\)/);
  });

  it('validates the spec list shape and duplicate ids', () => {
    const t = makeTable();
    const bad = createCriteriaEvaluator([{ id: 'a', expect: 'no trip' }, { id: '', expect: 'no trip' }, { id: 'c' } as unknown as CriterionSpec], {
      signals: t,
      faultIds: [],
    });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.issues.map((i) => i.index).sort()).toEqual([1, 2]);
    const dup = createCriteriaEvaluator(
      [
        { id: 'a', expect: 'no trip' },
        { id: 'a', expect: 'no runaway' },
      ],
      { signals: t, faultIds: [] },
    );
    expect(dup.ok).toBe(false);
    if (!dup.ok) expect(dup.issues).toEqual([{ index: 1, message: "duplicate criterion id 'a'" }]);
  });
});

describe('always', () => {
  // module temperatures rise 1 degC/min from 25 degC; rack02/module03 runs 2 degC hotter
  const heat = (tS: number, v: Float64Array, t: SignalTable) => {
    for (let r = 1; r <= 2; r++) for (let m = 1; m <= 3; m++) v[idx(t, `site1/container1/rack0${r}/module0${m}.temp_C`)] = 25 + tS / 60;
    v[idx(t, 'site1/container1/rack02/module03.temp_C')] += 2;
    v[idx(t, 'site1/container1/air.temp_C')] = 25;
  };

  it('fails at the first step it does not hold, naming the value, time and target', () => {
    const t = makeTable();
    const e = create(['max(site1/container1/**.temp_C) < 60 degC', 'always max(site1/container1/**.temp_C) < 60 degC'], t);
    const r = drive(e, t, { endS: 3 * 3600, dtS: 60, set: heat });
    // 25 + t/60 + 2 >= 60 first at t = 33 min
    for (const c of r) {
      expect(c).toMatchObject({ result: 'fail', t_s: 1980 });
      expect(c.detail).toBe('max 60 degC at 33 min on site1/container1/rack02/module03, expected < 60 degC');
    }
    expect(r.map((c) => c.id)).toEqual(['c0', 'c1']);
    expect(r[0].text).toBe('max(site1/container1/**.temp_C) < 60 degC');
  });

  it('passes at the end time with the worst value seen', () => {
    const t = makeTable();
    const e = create(['max(site1/container1/**.temp_C) < 60 degC'], t);
    const [c] = drive(e, t, { endS: 1800, dtS: 60, set: heat });
    expect(c).toMatchObject({ result: 'pass', t_s: 1800 });
    expect(c.detail).toBe('held to the end (30 min); highest: max 57 degC at 30 min on site1/container1/rack02/module03');
  });

  it('a single-signal condition reads as the signal name', () => {
    const t = makeTable();
    const e = create(['pack1.voltage_V >= 40 V'], t);
    const [c] = drive(e, t, { endS: 600, dtS: 60, set: (tS, v) => (v[idx(t, 'pack1.voltage_V')] = 42 - tS / 120) });
    expect(c).toMatchObject({ result: 'fail', t_s: 300 });
    expect(c.detail).toBe('pack1.voltage_V 39.5 V at 5 min, expected >= 40 V');
  });

  it('a NaN signal violates the condition', () => {
    const t = makeTable();
    const e = create(['pack1.voltage_V < 100 V'], t);
    const [c] = drive(e, t, { endS: 300, dtS: 60, set: (tS, v) => (v[idx(t, 'pack1.voltage_V')] = tS >= 180 ? NaN : 50) });
    expect(c).toMatchObject({ result: 'fail', t_s: 180 });
  });
});

describe('eventually', () => {
  // pack voltage falls 0.1 mV/s from 3.90003 V: below 3.0 V first at the step 9060 s
  const fall = (tS: number, v: Float64Array, t: SignalTable) => {
    for (let m = 1; m <= 2; m++) for (let c = 1; c <= 5; c++) v[idx(t, `pack1/module0${m}/cell0${c}.voltage_V`)] = 3.95 - tS * 1e-4;
    v[idx(t, 'pack1/module02/cell05.voltage_V')] = 3.90003 - tS * 1e-4;
    // the pack node matches pack1/** too (** is zero or more segments); its 10 cells in series keep it far above
    v[idx(t, 'pack1.voltage_V')] = 39.5 - tS * 1e-3;
  };

  it('passes at the first step it holds inside the window', () => {
    const t = makeTable();
    const e = create(['eventually min(pack1/**.voltage_V) < 3.0 V within 3 h'], t);
    const [c] = drive(e, t, { endS: 4 * 3600, dtS: 60, set: fall });
    expect(c).toMatchObject({ result: 'pass', t_s: 9060 });
    expect(c.detail).toBe('min 2.994 V at 2.517 h on pack1/module02/cell05 (< 3.0 V)');
  });

  it('fails when the window closes (t_s = end of the window), with the closest value', () => {
    const t = makeTable();
    const e = create(['eventually min(pack1/**.voltage_V) < 3.0 V within 2 h'], t);
    const [c] = drive(e, t, { endS: 4 * 3600, dtS: 60, set: fall });
    expect(c).toMatchObject({ result: 'fail', t_s: 7200 });
    expect(c.detail).toBe('never < 3.0 V within 2 h; lowest: min 3.18 V at 2 h on pack1/module02/cell05');
  });

  it('is inconclusive when the run ends before the window closes', () => {
    const t = makeTable();
    const e = create(['eventually min(pack1/**.voltage_V) < 3.0 V within 3 h'], t);
    const [c] = drive(e, t, { endS: 2 * 3600, dtS: 60, set: fall });
    expect(c).toMatchObject({ result: 'inconclusive', t_s: null });
    expect(c.detail).toBe('the run ended at 2 h, before the window closed at 3 h');
  });

  it('without a window: fails at the end of the run', () => {
    const t = makeTable();
    const e = create(['eventually min(pack1/**.voltage_V) < 3.0 V'], t);
    const [c] = drive(e, t, { endS: 3600, dtS: 60, set: fall });
    expect(c).toMatchObject({ result: 'fail', t_s: 3600 });
    expect(c.detail).toMatch(/^never < 3\.0 V during the run; lowest: min 3\.54 V at 1 h/);
  });

  it('after a fault: the window opens when it fires; holding before does not count', () => {
    const t = makeTable();
    const e = create(['eventually oven/cell.temp_C > 100 degC within 10 min after fault isc-cell05'], t);
    const T = idx(t, 'oven/cell.temp_C');
    // hot from 60 s to 120 s (before the fault), then again from 1200 s
    const [c] = drive(e, t, {
      endS: 3600,
      dtS: 60,
      set: (tS, v) => (v[T] = (tS >= 60 && tS <= 120) || tS >= 1200 ? 120 : 25),
      happen: [{ t: 700, fault: 'isc-cell05' }],
    });
    expect(c).toMatchObject({ result: 'pass', t_s: 1200 });
    expect(c.detail).toBe('oven/cell.temp_C 120 degC at 20 min (> 100 degC) after fault isc-cell05 (at 11.67 min)');
  });

  it('after a fault that fires too late or never', () => {
    const t = makeTable();
    const T = idx(t, 'oven/cell.temp_C');
    const spec = ['eventually oven/cell.temp_C > 100 degC within 10 min after fault isc-cell05'];
    const never = drive(create(spec, t), t, { endS: 3600, dtS: 60, set: (_t, v) => (v[T] = 120) });
    expect(never[0]).toMatchObject({ result: 'inconclusive', t_s: null, detail: 'fault isc-cell05 never fired, so the window never opened' });
    const missed = drive(create(spec, t), t, { endS: 3600, dtS: 60, set: (_t, v) => (v[T] = 25), happen: [{ t: 600, fault: 'isc-cell05' }] });
    expect(missed[0]).toMatchObject({ result: 'fail', t_s: 1200 });
    expect(missed[0].detail).toBe('never > 100 degC within 10 min after fault isc-cell05 (at 10 min); highest: oven/cell.temp_C 25 degC at 11 min');
  });

  it('window edges do not depend on how the step times were accumulated', () => {
    const t = makeTable();
    const e = create(['eventually pack1.soc < 0.1 within 2 h'], t);
    t.values[idx(t, 'pack1.soc')] = 0.5;
    let tS = 0;
    for (let k = 0; k < 72000; k++) {
      tS += 0.1; // 7200 arrives as 7199.99999999...
      e.step(tS);
    }
    const [c] = e.finish(tS, 'completed');
    expect(c.result).toBe('fail');
    expect(c.t_s).toBe(7200);
  });
});

describe('final', () => {
  it('is decided on the values after the last step, at the end time', () => {
    const t = makeTable();
    const soc = (tS: number, v: Float64Array) => (v[idx(t, 'pack1.soc')] = 0.9 - tS / 10000);
    const pass = drive(create(['final pack1.soc >= 20 %'], t), t, { endS: 6000, dtS: 60, set: soc });
    expect(pass[0]).toMatchObject({ result: 'pass', t_s: 6000, detail: 'final pack1.soc 0.3, expected >= 20 %' });
    const fail = drive(create(['final pack1.soc >= 0.4'], t), t, { endS: 6000, dtS: 60, set: soc });
    expect(fail[0]).toMatchObject({ result: 'fail', t_s: 6000, detail: 'final pack1.soc 0.3, expected >= 0.4' });
  });
});

describe('alarm / event within a window', () => {
  const spec = 'alarm OT_WARN within 9 h after fault hvac-trip';
  const H = 3600;

  it('passes at the matching event inside (tA, tA + D]', () => {
    const t = makeTable();
    const [c] = drive(create([spec], t), t, {
      endS: 24 * H,
      dtS: 60,
      happen: [
        { t: 0.5 * H, event: ev(0.5 * H, 'OT_WARN', 'warning') }, // before the fault: does not count
        { t: 1 * H, fault: 'hvac-trip' },
        { t: 2 * H, event: ev(2 * H, 'UV_WARN', 'warning') },
        { t: 5.3 * H, event: ev(5.3 * H, 'OT_WARN', 'warning', 'site1/container1/rack03/module07') },
      ],
    });
    expect(c).toMatchObject({ result: 'pass', t_s: 5.3 * H });
    expect(c.detail).toBe('OT_WARN (warning) on site1/container1/rack03/module07 at 5.3 h, 4.3 h after fault hvac-trip');
  });

  it('fails at tA + D when nothing matches', () => {
    const t = makeTable();
    const [c] = drive(create([spec], t), t, {
      endS: 24 * H,
      dtS: 60,
      happen: [
        { t: 0.5 * H, event: ev(0.5 * H, 'OT_WARN', 'warning') },
        { t: 1 * H, fault: 'hvac-trip' },
        { t: 10.5 * H, event: ev(10.5 * H, 'OT_WARN', 'warning') }, // too late
      ],
    });
    expect(c).toMatchObject({ result: 'fail', t_s: 10 * H });
    expect(c.detail).toBe('no OT_WARN within 9 h after fault hvac-trip (at 1 h); it happened at 30 min, not after the anchor');
  });

  it('is inconclusive when the run ends before the window closes or the anchor never happens', () => {
    const t = makeTable();
    const early = drive(create([spec], t), t, { endS: 6 * H, dtS: 60, happen: [{ t: 1 * H, fault: 'hvac-trip' }] });
    expect(early[0]).toMatchObject({ result: 'inconclusive', t_s: null, detail: 'the run ended at 6 h, before the window closed at 10 h' });
    const never = drive(create([spec], t), t, { endS: 24 * H, dtS: 60, happen: [{ t: 5 * H, event: ev(5 * H, 'OT_WARN', 'warning') }] });
    expect(never[0]).toMatchObject({ result: 'inconclusive', t_s: null, detail: 'fault hvac-trip never fired, so the window never opened' });
  });

  it('the event may be reported before the fault of the same step', () => {
    const t = makeTable();
    const e = create(['alarm OT_WARN within 1 h after fault hvac-trip'], t);
    e.event(ev(130, 'OT_WARN', 'warning'));
    e.fault('hvac-trip', 100);
    e.step(180);
    const [c] = e.finish(180, 'completed');
    expect(c).toMatchObject({ result: 'pass', t_s: 130 });
  });

  it('an event at exactly tA does not count (the window is open at its start)', () => {
    const t = makeTable();
    const e = create(['event FAULT within 1 h after fault hvac-trip'], t);
    e.fault('hvac-trip', 100);
    e.event(ev(100, 'FAULT', 'info', 'site1/container1/hvac', { fault: 'hvac-trip' }));
    e.step(120);
    e.step(3700);
    expect(e.finish(3700, 'completed')[0]).toMatchObject({ result: 'fail', t_s: 3700 });
  });

  it('matches globs, severities and the target selector', () => {
    const t = makeTable();
    const e = create(
      [
        'alarm OT_* on site1/container1/rack02/** within 1 h',
        'alarm trip within 1 h',
        'alarm alarm within 1 h',
        'event vent within 10 min after event runaway on pack1/**',
        'alarm GAS_ALARM within 5 min after runaway',
      ],
      t,
    );
    const r = drive(e, t, {
      endS: 2 * H,
      dtS: 10,
      happen: [
        { t: 100, event: ev(100, 'OT_WARN', 'warning', 'site1/container1/rack01/module02') }, // wrong rack
        { t: 200, event: ev(200, 'OT_ALARM', 'alarm', 'site1/container1/rack02/module02') },
        { t: 1000, runaway: { target: 'pack1/module01/cell03', initiator: true } },
        { t: 1000, event: ev(1000, 'RUNAWAY', 'trip', 'pack1/module01/cell03') },
        { t: 1030, event: ev(1030, 'VENT', 'alarm', 'pack1/module01/cell03') },
        { t: 1400, event: ev(1400, 'GAS_ALARM', 'alarm', 'site1/container1/gas') }, // 400 s after: too late
      ],
    });
    expect(r.map((c) => [c.result, c.t_s])).toEqual([
      ['pass', 200],
      ['pass', 1000],
      ['pass', 200],
      ['pass', 1030],
      ['fail', 1300],
    ]);
    expect(r[4].detail).toBe('no GAS_ALARM within 5 min after the first runaway (at 16.67 min)');
  });
});

describe('no alarm / event', () => {
  it('fails at the first matching event, passes at the end otherwise', () => {
    const t = makeTable();
    const e = create(['no trip', 'no alarm', 'no warning', 'no alarm GAS_ALARM on site1/**', 'no event UV_*'], t);
    const r = drive(e, t, {
      endS: 3600,
      dtS: 60,
      happen: [
        { t: 100, event: ev(100, 'OT_WARN', 'warning') },
        { t: 200, event: ev(200, 'GAS_ALARM', 'alarm', 'pack1/gas') }, // not on site1
        { t: 300, event: ev(300, 'OT_TRIP', 'trip', 'site1/container1/rack01/module01', { message: 'module over 60 degC' }) },
        { t: 400, event: ev(400, 'BMS_RESET', 'info') },
      ],
    });
    expect(r.map((c) => [c.result, c.t_s])).toEqual([
      ['fail', 300],
      ['fail', 200],
      ['fail', 100],
      ['pass', 3600],
      ['pass', 3600],
    ]);
    expect(r[0].detail).toBe('OT_TRIP (trip) on site1/container1/rack01/module01 at 5 min: module over 60 degC');
    expect(r[3].detail).toBe('no GAS_ALARM on site1/** in 1 h');
    expect(r[4].detail).toBe('no UV_* in 1 h');
  });
});

describe('runaway counts', () => {
  const cells = (n: number, t0: number, initiatorFirst = true): Happening[] =>
    Array.from({ length: n }, (_, i) => ({ t: t0 + 120 * i, runaway: { target: `pack1/module01/cell0${i + 1}`, initiator: initiatorFirst && i === 0 } }));

  it('fails the moment the count exceeds a bound; propagated excludes the initiating cell', () => {
    const t = makeTable();
    const e = create(['propagated cells <= 1', 'runaway cells <= 1', 'no runaway', 'no propagation', 'runaway cells < 3'], t);
    const r = drive(e, t, { endS: 3600, dtS: 60, happen: cells(3, 600) });
    // runaway at 600 (initiator), 720, 840
    expect(r.map((c) => [c.result, c.t_s])).toEqual([
      ['fail', 840],
      ['fail', 720],
      ['fail', 600],
      ['fail', 720],
      ['fail', 840],
    ]);
    expect(r[0].detail).toBe('2 cells propagated (pack1/module01/cell02 at 12 min, pack1/module01/cell03 at 14 min), expected <= 1');
    expect(r[2].detail).toBe('1 cell in runaway (pack1/module01/cell01 at 10 min), expected none');
  });

  it('passes at the end when the bound held; >= / > pass the moment they are reached', () => {
    const t = makeTable();
    const e = create(['propagated cells <= 1', 'runaway cells >= 2', 'runaway cells > 5', 'runaway cells == 2', 'runaway cells != 2', 'propagated cells == 0'], t);
    const r = drive(e, t, { endS: 3600, dtS: 60, happen: cells(2, 600) });
    expect(r.map((c) => [c.result, c.t_s])).toEqual([
      ['pass', 3600],
      ['pass', 720],
      ['fail', 3600],
      ['pass', 3600],
      ['fail', 3600],
      ['fail', 720],
    ]);
    expect(r[0].detail).toBe('1 cell propagated (pack1/module01/cell02 at 12 min), expected <= 1');
  });

  it('counts each cell once', () => {
    const t = makeTable();
    const e = create(['runaway cells <= 1'], t);
    e.runaway('pack1/module01/cell01', 10, true);
    e.runaway('pack1/module01/cell01', 20, false);
    e.step(60);
    expect(e.finish(60, 'completed')[0]).toMatchObject({ result: 'pass', t_s: 60 });
  });

  it('"no runaway" passes at the end when no cell ran away', () => {
    const t = makeTable();
    const [c] = drive(create(['no runaway'], t), t, { endS: 600, dtS: 60 });
    expect(c).toMatchObject({ result: 'pass', t_s: 600, detail: 'no cell in runaway, expected none' });
  });
});

describe('end of the run', () => {
  const specs = [
    'max(site1/container1/**.temp_C) < 60 degC',
    'eventually pack1.soc < 0.1',
    'final pack1.soc > 0.5',
    'no trip',
    'propagated cells <= 1',
    'alarm OT_WARN within 1 h',
  ];
  const setT = (t: SignalTable) => (tS: number, v: Float64Array) => {
    v[idx(t, 'site1/container1/air.temp_C')] = 30 + tS / 600;
    v[idx(t, 'pack1.soc')] = 0.8;
  };

  it("'stopped' (a stop condition) is a normal end", () => {
    const t = makeTable();
    const r = drive(create(specs, t), t, { endS: 7200, dtS: 60, set: setT(t), status: 'stopped' });
    expect(r.map((c) => [c.result, c.t_s])).toEqual([
      ['pass', 7200],
      ['fail', 7200],
      ['pass', 7200],
      ['pass', 7200],
      ['pass', 7200],
      ['fail', 3600],
    ]);
  });

  it("'error': every undecided criterion is inconclusive and says why; decided ones stay", () => {
    const t = makeTable();
    const r = drive(create(specs, t), t, { endS: 7200, dtS: 60, set: setT(t), status: 'error' });
    expect(r.map((c) => [c.result, c.t_s])).toEqual([
      ['inconclusive', null],
      ['inconclusive', null],
      ['inconclusive', null],
      ['inconclusive', null],
      ['inconclusive', null],
      ['fail', 3600],
    ]);
    expect(r[0].detail).toBe(
      'undecided when the run stopped with an error at 2 h; it held until then, highest: max 42 degC at 2 h on site1/container1/air',
    );
    expect(r[4].detail).toBe('undecided when the run stopped with an error at 2 h; so far no cell propagated');
  });

  it('finish twice returns the same results', () => {
    const t = makeTable();
    const e = create(specs, t);
    const a = drive(e, t, { endS: 600, dtS: 60, set: setT(t) });
    expect(e.finish(900, 'error')).toEqual(a);
  });
});
