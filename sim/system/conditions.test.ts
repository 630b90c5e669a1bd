import { describe, expect, it } from 'vitest';
import { bindCondition, fmtDuration, parseCondition, type BoundCondition } from './conditions';
import type { SignalTable } from './types';

/** A hand-built system: a container with 2 racks x 3 modules, an oven cell, a 4 x 10 cell pack. */
function makeTable(): SignalTable {
  const names: string[] = [];
  const units: string[] = [];
  const vals: number[] = [];
  const add = (n: string, u: string, v: number) => {
    names.push(n);
    units.push(u);
    vals.push(v);
  };
  for (let r = 1; r <= 2; r++)
    for (let m = 1; m <= 3; m++) add(`site1/container1/rack0${r}/module0${m}.temp_C`, 'degC', 20 + r * 3 + m);
  add('site1/container1/air.temp_C', 'degC', 24);
  add('site1/container1/gas.ppm', 'ppm', 3);
  add('oven/cell.temp_C', 'degC', 25);
  add('oven/cell.dTdt_K_per_s', 'K/s', 0.001);
  add('pack1.voltage_V', 'V', 148);
  add('pack1.current_A', 'A', -10);
  add('pack1.power_W', 'W', -1480);
  add('pack1.time_s', 's', 0);
  for (let m = 1; m <= 4; m++)
    for (let c = 1; c <= 10; c++) {
      const cell = `pack1/module0${m}/cell${String(c).padStart(2, '0')}`;
      add(`${cell}.voltage_V`, 'V', 3.7 + 0.001 * (m * 10 + c));
      add(`${cell}.soc`, '1', 0.5 + 0.01 * c);
    }
  add('misc/a.x', 'V', 1);
  add('misc/b.x', 'A', 1);
  const values = Float64Array.from(vals);
  return { names, units, values, index: new Map(names.map((n, i) => [n, i])) };
}

function bind(text: string, t = makeTable()): BoundCondition {
  const r = bindCondition(text, t);
  if (!r.ok) throw new Error(r.message);
  return r.cond;
}
function bindErr(text: string, t = makeTable()): string {
  const r = bindCondition(text, t);
  if (r.ok) throw new Error(`expected an error for '${text}'`);
  return r.message;
}
function parseErr(text: string): string {
  const r = parseCondition(text);
  if (r.ok) throw new Error(`expected a syntax error for '${text}'`);
  return r.message;
}

describe('parseCondition', () => {
  it('parses aggregates, bare references, every operator and the quantity as written', () => {
    const a = parseCondition('max(site1/container1/**.temp_C) > 45 degC');
    expect(a).toEqual({
      ok: true,
      ast: {
        text: 'max(site1/container1/**.temp_C) > 45 degC',
        agg: 'max',
        ref: 'site1/container1/**.temp_C',
        target: 'site1/container1/**',
        signal: 'temp_C',
        op: '>',
        quantity: '45 degC',
      },
    });
    for (const op of ['<', '<=', '>', '>=', '==', '!=']) {
      const r = parseCondition(`pack1.voltage_V${op}3.0V`);
      expect(r.ok && r.ast.op).toBe(op);
      expect(r.ok && r.ast.quantity).toBe('3.0V');
    }
    const b = parseCondition('  MEAN ( pack1/module[1, 3]/cell05.soc )  <  10 %  ');
    expect(b.ok && [b.ast.agg, b.ast.target, b.ast.signal, b.ast.quantity]).toEqual(['mean', 'pack1/module[1, 3]/cell05', 'soc', '10 %']);
    const c = parseCondition('pack1/module02/cell05.soc <= 0.1');
    expect(c.ok && [c.ast.agg, c.ast.ref, c.ast.quantity]).toEqual([null, 'pack1/module02/cell05.soc', '0.1']);
    const d = parseCondition('oven/cell.temp_C >= -10 degC');
    expect(d.ok && d.ast.quantity).toBe('-10 degC');
  });

  it('syntax errors say what was expected', () => {
    expect(parseErr('')).toMatch(/empty condition, expected e\.g\. 'max\(/);
    expect(parseErr('maxx(pack1/**.voltage_V) > 3 V')).toBe(
      "unknown aggregate 'maxx' in 'maxx(pack1/**.voltage_V) > 3 V': expected max, min, mean or sum (did you mean 'max'?)",
    );
    expect(parseErr('avg(pack1/**.voltage_V) > 3 V')).toMatch(/unknown aggregate 'avg'.*expected max, min, mean or sum$/);
    expect(parseErr('max(pack1/**.voltage_V > 3 V')).toMatch(/missing '\)'/);
    expect(parseErr('max() > 3 V')).toMatch(/empty signal reference/);
    expect(parseErr('pack1.voltage_V')).toMatch(/has no comparison: expected e\.g\. 'pack1\.voltage_V > 45 degC'/);
    expect(parseErr('pack1.voltage_V = 3 V')).toMatch(/unknown operator '='.*write '=='/);
    expect(parseErr('pack1.voltage_V => 3 V')).toMatch(/write '>='/);
    expect(parseErr('pack1.voltage_V above 3 V')).toMatch(/expected a comparison \(< <= > >= == !=\) after 'pack1\.voltage_V', got 'above 3 V'/);
    expect(parseErr('pack1.voltage_V >')).toMatch(/missing the value after '>'.*e\.g\. '45 degC'/);
    expect(parseErr('pack1.voltage_V > hot')).toMatch(/expected a number with a unit after '>' \(e\.g\. '45 degC'\), got 'hot'/);
    expect(parseErr('max(a/*.temp_C) > max(b/*.temp_C)')).toMatch(/comparing two signals is not supported/);
    expect(parseErr('pack1.voltage_V < 3 V within 2 h')).toMatch(/unexpected 'within 2 h' after '3 V': 'within' is not part of a condition/);
    expect(parseErr('pack1 > 3 V')).toMatch(/not a signal reference: write <target>\.<signal>/);
    expect(parseErr('site1//rack.temp_C > 3 degC')).toMatch(/empty segment/);
    expect(parseErr('pack1.volt-age > 3 V')).toMatch(/bad signal name 'volt-age'/);
  });
});

describe('bindCondition', () => {
  it('binds one signal and reads the table in place', () => {
    const t = makeTable();
    const c = bind('oven/cell.temp_C > 45 degC', t);
    const i = t.index.get('oven/cell.temp_C')!;
    expect(Array.from(c.signals)).toEqual([i]);
    expect(c.unit).toBe('degC');
    expect(c.threshold).toBe(45);
    expect(c.holds()).toBe(false);
    expect(c.margin()).toBe(-20);
    t.values[i] = 50;
    expect(c.holds()).toBe(true);
    expect(c.margin()).toBe(5);
    expect(c.lastArg).toBe(i);
  });

  it('aggregates max / min / mean / sum and reports which signal gave max / min', () => {
    const t = makeTable();
    const mx = bind('max(site1/container1/rack*/*.temp_C) > 0 degC', t);
    expect(mx.signals.length).toBe(6);
    expect(mx.value()).toBe(29); // rack02/module03: 20 + 6 + 3
    expect(t.names[mx.lastArg]).toBe('site1/container1/rack02/module03.temp_C');
    const mn = bind('min(site1/container1/rack*/*.temp_C) > 0 degC', t);
    expect(mn.value()).toBe(24);
    expect(t.names[mn.lastArg]).toBe('site1/container1/rack01/module01.temp_C');
    // ** also matches the air node (zero or more segments)
    expect(bind('max(site1/container1/**.temp_C) > 0 degC', t).signals.length).toBe(7);
    const mean = bind('mean(pack1/module01/*.soc) > 0', t);
    expect(mean.value()).toBeCloseTo(0.555, 12);
    expect(mean.lastArg).toBe(-1);
    const sum = bind('sum(pack1/module01/*.voltage_V) > 30 V', t);
    let s = 0;
    for (let c = 1; c <= 10; c++) s += 3.7 + 0.001 * (10 + c);
    expect(sum.value()).toBeCloseTo(s, 12);
    expect(sum.holds()).toBe(true);
    // index ranges select cells 1..4 of every module
    expect(bind('min(pack1/*/cell[1..4].voltage_V) < 3 V', t).signals.length).toBe(16);
  });

  it('converts the quantity to the unit of the signal and accepts bare numbers only for unit 1', () => {
    const t = makeTable();
    expect(bind('oven/cell.temp_C > 318.15 K', t).threshold).toBeCloseTo(45, 12);
    expect(bind('oven/cell.temp_C > 113 degF', t).threshold).toBeCloseTo(45, 12);
    expect(bind('pack1.voltage_V < 3000 mV', t).threshold).toBe(3);
    expect(bind('pack1.power_W < -30 kW', t).threshold).toBe(-30000);
    expect(bind('pack1.current_A > 500 mA', t).threshold).toBe(0.5);
    expect(bind('site1/container1/gas.ppm > 50 ppm', t).threshold).toBe(50);
    expect(bind('oven/cell.dTdt_K_per_s > 1 K/s', t).threshold).toBe(1);
    expect(bind('oven/cell.dTdt_K_per_s > 60 K/min', t).threshold).toBe(1);
    expect(bind('pack1.time_s > 2 h', t).threshold).toBe(7200);
    expect(bind('pack1/module02/cell05.soc < 10 %', t).threshold).toBeCloseTo(0.1, 15);
    expect(bind('pack1/module02/cell05.soc < 0.1', t).threshold).toBe(0.1);
  });

  it('unit mismatch names the dimension found and the one expected', () => {
    expect(bindErr('max(site1/container1/**.temp_C) > 45 kW')).toBe(
      "in 'max(site1/container1/**.temp_C) > 45 kW': '45 kW' is a power, expected a temperature (e.g. '45 degC'), as 'site1/container1/**.temp_C' is in degC",
    );
    expect(bindErr('pack1.voltage_V < 3')).toMatch(/missing unit in '3': expected a voltage \(e\.g\. '4\.2 V'\).*pack1\.voltage_V is in V/);
    expect(bindErr('oven/cell.temp_C > 45 C')).toMatch(/write degC for a temperature/);
    expect(bindErr('pack1/module02/cell05.soc < 10 degC')).toMatch(/'10 degC' is a temperature, expected a fraction/);
    expect(bindErr('pack1.voltage_V < 3 foo')).toMatch(/unknown unit 'foo'/);
    expect(bindErr('max(misc/*.x) > 1 V')).toMatch(/mixes units: misc\/a\.x is in V, misc\/b\.x in A/);
    expect(bindErr('sum(site1/container1/**.temp_C) > 100 degC')).toMatch(/adds values in degC, which means nothing: use max, min or mean/);
  });

  it('unknown signals get a "did you mean"', () => {
    expect(bindErr('oven/cell.tmp_C > 45 degC')).toMatch(/^unknown signal 'tmp_C' on 'oven\/cell' \(did you mean 'oven\/cell\.temp_C'\?\); its signals: dTdt_K_per_s, temp_C$/);
    expect(bindErr('oven/cel.temp_C > 45 degC')).toBe("no asset matches 'oven/cel': nothing named 'cel' under 'oven' (did you mean 'oven/cell.temp_C'?); there: cell");
    expect(bindErr('max(site1/containr1/**.temp_C) > 45 degC')).toBe(
      "no asset matches 'site1/containr1/**': nothing named 'containr1' under 'site1' (did you mean 'site1/container1/**.temp_C'?); there: container1",
    );
    expect(bindErr('max(site1/container1/rak*/*.temp_C) > 45 degC')).toBe(
      "no asset matches 'site1/container1/rak*/*': nothing named 'rak*' under 'site1/container1'; there: air, gas, rack01, rack02",
    );
    expect(bindErr('max(site1/container1/**.tmp_C) > 45 degC')).toMatch(/did you mean 'site1\/container1\/\*\*\.temp_C'/);
    expect(bindErr('nowhere/x.temp_C > 45 degC')).toBe("no asset matches 'nowhere/x': nothing named 'nowhere' at the top level; there: misc, oven, pack1, site1");
    expect(bindErr('max(site1/container1/rack01.temp_C) > 45 degC')).toBe(
      "'site1/container1/rack01' matches assets that have no signals (signals sit on their children): did you mean 'site1/container1/rack01/**.temp_C'?",
    );
  });

  it('a reference without an aggregate must match exactly one signal', () => {
    expect(bindErr('pack1/*/*.voltage_V < 3 V')).toBe(
      "'pack1/*/*.voltage_V' matches 40 signals: use max(...) or min(...), e.g. 'max(pack1/*/*.voltage_V) < 3 V'",
    );
    expect(bind('max(pack1/*/*.voltage_V) < 3 V').signals.length).toBe(40);
  });

  it('binds a parsed AST as well as text', () => {
    const p = parseCondition('pack1.current_A < 0 A');
    expect(p.ok).toBe(true);
    if (p.ok) expect(bindCondition(p.ast, makeTable()).ok).toBe(true);
  });

  it('margin >= 0 exactly when holds(), for every operator, across and at the threshold', () => {
    const t = makeTable();
    const i = t.index.get('pack1.voltage_V')!;
    const q = 3.3;
    const vs = [-Infinity, 0, 3.2, 3.3 - 1e-15, 3.3, 3.3 + 4e-16, 3.4, 1e300, Infinity];
    for (const op of ['<', '<=', '>', '>=', '==', '!=']) {
      const c = bind(`pack1.voltage_V ${op} ${q} V`, t);
      for (const v of vs) {
        t.values[i] = v;
        const expected = { '<': v < q, '<=': v <= q, '>': v > q, '>=': v >= q, '==': v === q, '!=': v !== q }[op];
        expect(c.holds(), `${v} ${op} ${q}`).toBe(expected);
        expect(c.margin() >= 0, `margin of ${v} ${op} ${q}`).toBe(expected);
      }
      t.values[i] = NaN;
      expect(c.holds()).toBe(false);
    }
  });

  it('margin is the signed distance in the signal unit and continuous at the threshold', () => {
    const t = makeTable();
    const i = t.index.get('oven/cell.temp_C')!;
    const gt = bind('oven/cell.temp_C > 45 degC', t);
    const le = bind('oven/cell.temp_C <= 45 degC', t);
    const eq = bind('oven/cell.temp_C == 45 degC', t);
    const ne = bind('oven/cell.temp_C != 45 degC', t);
    t.values[i] = 47.5;
    expect([gt.margin(), le.margin(), eq.margin(), ne.margin()]).toEqual([2.5, -2.5, -2.5, 2.5]);
    t.values[i] = 45;
    expect(gt.margin()).toBe(-Number.MIN_VALUE);
    expect(le.margin()).toBe(0);
    expect(eq.margin()).toBe(-0);
    expect(ne.margin()).toBe(-Number.MIN_VALUE);
    // a small change of the value moves the margin by the same amount (bisection relies on it)
    for (const c of [gt, le, eq, ne]) {
      t.values[i] = 45;
      const m0 = c.margin();
      t.values[i] = 45 + 1e-9;
      expect(Math.abs(c.margin() - m0)).toBeLessThanOrEqual(1e-9 + 1e-15);
    }
  });

  it('a NaN among aggregated signals makes the value NaN (never holds)', () => {
    const t = makeTable();
    const c = bind('max(site1/container1/rack*/*.temp_C) < 100 degC', t);
    expect(c.holds()).toBe(true);
    t.values[t.index.get('site1/container1/rack01/module02.temp_C')!] = NaN;
    expect(c.value()).toBeNaN();
    expect(c.holds()).toBe(false);
    expect(t.names[c.lastArg]).toBe('site1/container1/rack01/module02.temp_C');
  });
});

describe('formatting', () => {
  it('durations in s, min or h', () => {
    expect([fmtDuration(45), fmtDuration(750), fmtDuration(19080), fmtDuration(7200)]).toEqual(['45 s', '12.5 min', '5.3 h', '2 h']);
  });
});

describe('reductions over contiguous and scattered signals', () => {
  /** 37 cells; temperatures either in one block or interleaved with voltages (scattered indices). */
  function cells(interleaved: boolean): SignalTable {
    const names: string[] = [];
    const units: string[] = [];
    const n = 37;
    const cell = (c: number) => `pack1/module01/cell${String(c).padStart(2, '0')}`;
    if (interleaved)
      for (let c = 1; c <= n; c++) names.push(`${cell(c)}.temp_C`, `${cell(c)}.voltage_V`), units.push('degC', 'V');
    else {
      for (let c = 1; c <= n; c++) names.push(`${cell(c)}.temp_C`), units.push('degC');
      for (let c = 1; c <= n; c++) names.push(`${cell(c)}.voltage_V`), units.push('V');
    }
    return { names, units, values: new Float64Array(names.length), index: new Map(names.map((x, i) => [x, i])) };
  }

  it('max / min / mean / sum and the argmax agree with a plain reference, NaN and infinities included', () => {
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (const interleaved of [false, true]) {
      const t = cells(interleaved);
      const conds = {
        max: bind('max(pack1/*/*.temp_C) > 0 degC', t),
        min: bind('min(pack1/*/*.temp_C) > 0 degC', t),
        mean: bind('mean(pack1/*/*.voltage_V) > 0 V', t),
        sum: bind('sum(pack1/*/*.voltage_V) > 0 V', t),
      };
      const ti = Array.from(conds.max.signals);
      const vi = Array.from(conds.sum.signals);
      expect(ti.length).toBe(37);
      for (let trial = 0; trial < 200; trial++) {
        for (let i = 0; i < t.values.length; i++) t.values[i] = Math.round(rnd() * 20) - 10; // ties are frequent
        if (trial % 7 === 0) t.values[ti[Math.floor(rnd() * 37)]] = NaN;
        if (trial % 11 === 0) t.values[ti[Math.floor(rnd() * 37)]] = -Infinity;
        if (trial % 13 === 0) t.values[ti[Math.floor(rnd() * 37)]] = Infinity;
        const tv = ti.map((i) => t.values[i]);
        const hasNaN = tv.some((x) => Number.isNaN(x));
        const mx = hasNaN ? NaN : Math.max(...tv);
        const mn = hasNaN ? NaN : Math.min(...tv);
        expect(conds.max.value()).toBe(mx);
        expect(conds.max.lastArg).toBe(ti[tv.findIndex((x) => (hasNaN ? Number.isNaN(x) : x === mx))]);
        expect(conds.min.value()).toBe(mn);
        expect(conds.min.lastArg).toBe(ti[tv.findIndex((x) => (hasNaN ? Number.isNaN(x) : x === mn))]);
        const s = vi.reduce((a, i) => a + t.values[i], 0);
        expect(conds.sum.value()).toBeCloseTo(s, 9);
        expect(conds.mean.value()).toBeCloseTo(s / 37, 9);
      }
    }
  });
});
