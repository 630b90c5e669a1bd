import { describe, it, expect } from 'vitest';
import { parseQuantity } from './units';
import { parseSelector, matchPath, splitSignalRef, indexedName } from './targets';
import { applyParameters, parseParamArgs } from './parameters';

describe('units', () => {
  it('converts to engine units', () => {
    expect(parseQuantity('45 degC', 'temperature')).toEqual({ ok: true, value: 45, dim: 'temperature' });
    expect(parseQuantity('300 K', 'temperature')).toMatchObject({ ok: true, value: 300 - 273.15 });
    expect(parseQuantity('2 K', 'temperatureDelta')).toMatchObject({ ok: true, value: 2 });
    expect(parseQuantity('30 kW', 'power')).toMatchObject({ value: 30e3 });
    expect(parseQuantity('10 min', 'time')).toMatchObject({ value: 600 });
    expect(parseQuantity('3 mm', 'length')).toMatchObject({ value: 0.003 });
    expect(parseQuantity('0.5C', 'crate')).toMatchObject({ value: 0.5 });
    expect(parseQuantity('C/20', 'crate')).toMatchObject({ value: 0.05 });
    expect(parseQuantity('0.02 K/min', 'temperatureRate').ok && (parseQuantity('0.02 K/min', 'temperatureRate') as { value: number }).value).toBeCloseTo(0.02 / 60, 12);
    expect(parseQuantity('50 %', 'fraction')).toMatchObject({ value: 0.5 });
  });
  it('rejects the wrong dimension, a missing unit and unknown units with what was expected', () => {
    expect(parseQuantity('45 kW', 'temperature')).toEqual({ ok: false, message: expect.stringMatching(/'45 kW' is a power, expected a temperature \(e.g. '45 degC'\)/) });
    expect(parseQuantity(45, 'temperature')).toEqual({ ok: false, message: expect.stringMatching(/write the unit/) });
    expect(parseQuantity('45', 'time')).toEqual({ ok: false, message: expect.stringMatching(/missing unit/) });
    expect(parseQuantity('45 furlongs', 'length')).toEqual({ ok: false, message: expect.stringMatching(/unknown unit 'furlongs'.*mm/) });
    expect(parseQuantity('45 C', 'temperature')).toEqual({ ok: false, message: expect.stringMatching(/write degC/) });
  });
});

describe('targets', () => {
  const sel = (s: string) => {
    const r = parseSelector(s);
    if (typeof r === 'string') throw new Error(r);
    return r;
  };
  it('globs, any-depth and index ranges', () => {
    const p = 'site1/container1/rack03/module07/cell12'.split('/');
    expect(matchPath(sel('site1/container1/rack*/module07/cell[10..12]'), p)).toBe(true);
    expect(matchPath(sel('site1/container1/rack*/module07/cell[1..4]'), p)).toBe(false);
    expect(matchPath(sel('site1/**/cell*'), p)).toBe(true);
    expect(matchPath(sel('**/module[1,7]/*'), p)).toBe(true);
    expect(matchPath(sel('site1/container1'), p)).toBe(false);
  });
  it('errors and helpers', () => {
    expect(parseSelector('a//b')).toMatch(/empty segment/);
    expect(parseSelector('cell[4..1]')).toMatch(/4 > 1/);
    expect(splitSignalRef('site1/rack[1..2].temp_C')).toEqual({ target: 'site1/rack[1..2]', signal: 'temp_C' });
    expect(indexedName('cell', 7, 20)).toBe('cell07');
    expect(indexedName('cell', 7, 200)).toBe('cell007');
  });
});

describe('parameters', () => {
  const doc = { version: 2, parameters: { t: { default: '35 degC' }, n: { default: 3 } }, a: '$t', b: 'x $n y', c: ['$n'], description: 'costs $5' };
  it('substitutes whole values keeping the type, and inside text', () => {
    const r = applyParameters(doc);
    if (!r.ok) throw new Error('failed');
    expect(r.doc).toMatchObject({ a: '35 degC', b: 'x 3 y', c: [3], description: 'costs $5' });
    expect(r.values).toEqual({ t: '35 degC', n: 3 });
  });
  it('overrides are written into the document that is hashed', () => {
    const r = applyParameters(doc, { t: '40degC' });
    if (!r.ok) throw new Error('failed');
    expect((r.withOverrides as typeof doc).parameters.t.default).toBe('40degC');
    expect((r.doc as typeof doc).a).toBe('40degC');
  });
  it('command-line pairs', () => {
    expect(parseParamArgs(['ambient=35degC', 'n=2'])).toEqual({ ok: true, values: { ambient: '35degC', n: 2 } });
    expect(parseParamArgs(['ambient'])).toMatchObject({ ok: false });
  });
});
