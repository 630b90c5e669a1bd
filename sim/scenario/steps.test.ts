import { describe, it, expect } from 'vitest';
import { parseStep, STEP_EXAMPLES, type ParsedStep } from './steps';

function ok(text: string): ParsedStep {
  const r = parseStep(text);
  if (!r.ok) throw new Error(`expected "${text}" to parse: ${r.message}`);
  return r.step;
}
function bad(text: string): string {
  const r = parseStep(text);
  if (r.ok) throw new Error(`expected "${text}" to fail`);
  return r.message;
}

describe('parseStep: the PyBaMM-style grammar', () => {
  it('parses every documented example', () => {
    for (const s of STEP_EXAMPLES) expect(parseStep(s).ok).toBe(true);
  });
  it('parses C-rate discharge until a voltage', () => {
    const s = ok('Discharge at 1C until 2.5 V');
    expect(s.kind).toBe('discharge');
    expect(s.drive).toEqual({ type: 'crate', cRate: 1 });
    expect(s.until).toEqual([{ type: 'voltage', voltageV: 2.5 }]);
    expect(s.durationS).toBeUndefined();
  });
  it('parses rests with minutes, hours and seconds', () => {
    expect(ok('Rest for 30 minutes').durationS).toBe(1800);
    expect(ok('rest for 2 h').durationS).toBe(7200);
    expect(ok('Rest for 45s').durationS).toBe(45);
    expect(ok('Rest for 1.5 hours').durationS).toBe(5400);
    expect(ok('Rest for 1 min').durationS).toBe(60);
  });
  it('parses "C/20" as a current threshold of a hold', () => {
    const s = ok('Hold at 4.2 V until C/20');
    expect(s.drive).toEqual({ type: 'voltage', voltageV: 4.2 });
    expect(s.until).toEqual([{ type: 'crate', cRate: 0.05 }]);
  });
  it('parses amps, milliamps, watts and kilowatts', () => {
    expect(ok('Discharge at 2 A for 10 minutes').drive).toEqual({ type: 'current', currentA: 2 });
    expect(ok('Hold at 4.1 V until 50 mA').until).toEqual([{ type: 'current', currentA: 0.05 }]);
    expect(ok('Discharge at 5 W for 1 h').drive).toEqual({ type: 'power', powerW: 5 });
    expect(ok('Charge at 2 kW for 1 h').drive).toEqual({ type: 'power', powerW: 2000 });
    expect(ok('Charge at 0.5 C until 4.2 V').drive).toEqual({ type: 'crate', cRate: 0.5 });
  });
  it('parses "for ... or until ..." and "until ... or ..."', () => {
    const a = ok('Charge at 1C for 2 hours or until 4.2 V');
    expect(a.durationS).toBe(7200);
    expect(a.until).toEqual([{ type: 'voltage', voltageV: 4.2 }]);
    const b = ok('Discharge at 1C until 2.5 V or 2 hours');
    expect(b.durationS).toBe(7200);
    expect(b.until).toEqual([{ type: 'voltage', voltageV: 2.5 }]);
  });
  it('parses a trailing sample period', () => {
    expect(ok('Rest for 1 hour (1 minute period)').periodS).toBe(60);
  });
});

describe('parseStep: errors a user can act on', () => {
  it('names an unknown time unit and what was expected', () => {
    expect(bad('Rest for 10 mn')).toMatch(/^unknown unit 'mn', expected s, min, h/);
  });
  it('names an unknown action', () => {
    expect(bad('Dischrage at 1C until 2.5 V')).toMatch(/unknown action 'Dischrage'.*did you mean 'Discharge'/);
  });
  it('refuses steps that never end', () => {
    expect(bad('Discharge at 1C')).toMatch(/never ends/);
    expect(bad('Rest')).toMatch(/Rest needs a duration/);
  });
  it('refuses a current condition on a constant-current step and a voltage condition on a hold', () => {
    expect(bad('Discharge at 1C until C/20')).toMatch(/only end a Hold step/);
    expect(bad('Hold at 4.2 V until 4.1 V')).toMatch(/never triggers/);
  });
  it('refuses missing units, zero and negative values', () => {
    expect(bad('Discharge at 1 until 2.5 V')).toMatch(/missing unit after '1', expected A, mA, C, W, kW/);
    expect(bad('Discharge at 0 A for 1 h')).toMatch(/must be > 0/);
    expect(bad('Discharge at -1 A for 1 h')).toMatch(/negative/);
    expect(bad('Rest for 0 s')).toMatch(/duration must be > 0/);
  });
  it('points to Hold for a constant voltage written as Charge', () => {
    expect(bad('Charge at 4.2 V until C/20')).toMatch(/Hold at 4.2 V/);
  });
  it('refuses a duration given twice and a wrong unit kind', () => {
    expect(bad('Rest for 1 h for 2 h')).toMatch(/duration given twice/);
    expect(bad('Rest for 3 V')).toMatch(/unit 'V' \(voltage\) is not valid for 'for', expected s, min, h/);
  });
  it('refuses empty and garbage text', () => {
    expect(bad('   ')).toMatch(/empty step/);
    expect(bad('Rest for 10 minutes; rm -rf')).toMatch(/unexpected character ';'/);
  });
});
