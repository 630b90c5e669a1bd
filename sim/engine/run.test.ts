import { describe, it, expect } from 'vitest';
import { startRun, runToEnd, ENGINE_VERSION, type RunResult } from './run';
import { runToCsv } from './csv';
import { validateScenario } from '../scenario/validate';
import { scenarioHash } from '../scenario/hash';
import type { Scenario } from '../scenario/schema';
import { getParamSet } from '../battery/paramSets';

const CELL = 'panasonic-ncr18650pf';
const P = getParamSet(CELL);

function scenario(extra: Record<string, unknown>): Scenario {
  const v = validateScenario({ name: 't', cell: { paramSet: CELL }, initial: { soc: 1, tempC: 25 }, ambient: { tempC: 25 }, ...extra });
  if (!v.ok) throw new Error(JSON.stringify(v.issues));
  return v.scenario as Scenario;
}
const ch = (r: RunResult, name: string) => {
  const c = r.channels.find((c) => c.name === name);
  if (!c) throw new Error(`no channel ${name}`);
  return c.data;
};
const last = (a: Float64Array) => a[a.length - 1];

describe('engine: closed forms', () => {
  it('CC discharge moves I*t amp-hours and the SOC by I*t/Q', () => {
    const r = runToEnd(scenario({ initial: { soc: 0.9 }, experiment: ['Discharge at 2 A for 10 minutes'] }));
    expect(r.durationS).toBe(600);
    expect(r.steps).toBe(600);
    expect(r.metrics.discharged_Ah).toBeCloseTo((2 * 600) / 3600, 12);
    expect(r.metrics.charged_Ah).toBe(0);
    expect(last(ch(r, 'soc'))).toBeCloseTo(0.9 - (2 * 600) / 3600 / P.capacityAh, 12);
    const I = ch(r, 'current_A');
    expect(I[0]).toBe(0); // t = 0 sample: at rest
    for (let i = 1; i < I.length; i++) expect(I[i]).toBe(2);
    // Wh by the trapezoid rule on the recorded voltage
    const V = ch(r, 'voltage_V');
    let wh = 0;
    for (let i = 1; i < V.length; i++) wh += (2 * 0.5 * (V[i - 1] + V[i])) / 3600;
    expect(r.metrics.discharged_Wh).toBeCloseTo(wh, 10);
  });

  it('C-rates use the cell capacity (times parallel cells for packs)', () => {
    const r = runToEnd(scenario({ initial: { soc: 0.5 }, experiment: ['Charge at C/2 for 6 minutes'], pack: { series: 1, parallel: 3 } }));
    expect(r.stepLog[0].end).toBe('duration');
    expect(last(ch(r, 'current_A'))).toBeCloseTo(-0.5 * 3 * P.capacityAh, 12);
    expect(r.metrics.charged_Ah).toBeCloseTo(0.5 * 3 * P.capacityAh * 0.1, 10);
  });

  it('rest gives zero current and keeps the SOC', () => {
    const r = runToEnd(scenario({ initial: { soc: 0.8 }, experiment: ['Discharge at 1C for 5 minutes', 'Rest for 5 minutes'] }));
    const I = ch(r, 'current_A'), s = ch(r, 'soc'), idx = ch(r, 'step_index');
    const restStart = idx.indexOf(1);
    expect(restStart).toBeGreaterThan(0);
    for (let i = restStart; i < I.length; i++) {
      expect(I[i]).toBe(0);
      expect(s[i]).toBe(s[restStart - 1]);
    }
    // the voltage relaxes upwards during the rest (RC branch discharging)
    const V = ch(r, 'voltage_V');
    expect(last(V)).toBeGreaterThan(V[restStart]);
  });

  it('"until 2.5 V" ends within 1e-6 V of 2.5 V, nearly independent of dt', () => {
    const ends: number[] = [];
    for (const dtS of [1, 10, 30]) {
      const r = runToEnd(scenario({ initial: { soc: 0.3 }, sample: { dtS }, experiment: ['Discharge at 1C until 2.5 V'] }));
      expect(Math.abs(last(ch(r, 'voltage_V')) - 2.5)).toBeLessThan(1e-6);
      expect(r.stepLog[0].end).toBe('voltage');
      // every earlier sample is above the threshold
      const V = ch(r, 'voltage_V');
      for (let i = 0; i < V.length - 1; i++) expect(V[i]).toBeGreaterThan(2.5);
      ends.push(r.durationS);
    }
    // 1 s vs 30 s steps: the located end differs by far less than one 30 s step
    expect(Math.abs(ends[2] - ends[0])).toBeLessThan(5);
    expect(Math.abs(ends[1] - ends[0])).toBeLessThan(2);
  });

  it('CV hold: voltage held, ends when |I| falls to the threshold', () => {
    const r = runToEnd(scenario({ initial: { soc: 0.5 }, experiment: ['Charge at 1C until 4.1 V', 'Hold at 4.1 V until C/20'] }));
    expect(r.stepLog.map((e) => e.end)).toEqual(['voltage', 'current']);
    const I = ch(r, 'current_A'), V = ch(r, 'voltage_V'), idx = ch(r, 'step_index');
    const thr = P.capacityAh / 20;
    const start = idx.indexOf(1);
    for (let i = start; i < I.length; i++) {
      expect(Math.abs(V[i] - 4.1)).toBeLessThan(1e-5);
      expect(I[i]).toBeLessThan(0);
      if (i < I.length - 1) expect(-I[i]).toBeGreaterThan(thr);
    }
    expect(Math.abs(-last(I) - thr)).toBeLessThan(1e-5 * thr);
    // the current tapers monotonically
    for (let i = start + 1; i < I.length; i++) expect(-I[i]).toBeLessThanOrEqual(-I[i - 1] + 1e-12);
  });

  it('CP: current x voltage equals the power at every sample of the step', () => {
    const r = runToEnd(scenario({ initial: { soc: 0.9 }, experiment: ['Discharge at 5 W for 20 minutes', 'Charge at 3 W for 5 minutes'] }));
    const I = ch(r, 'current_A'), V = ch(r, 'voltage_V'), idx = ch(r, 'step_index');
    for (let i = 1; i < I.length; i++) {
      const p = idx[i] === 0 ? 5 : -3;
      expect(Math.abs(I[i] * V[i] - p)).toBeLessThan(1e-5 * Math.abs(p));
    }
    // discharged energy = 5 W x 20 min (trapezoid on V at constant P differs only slightly)
    expect(r.metrics.discharged_Wh).toBeCloseTo((5 * 20) / 60, 2);
  });

  it('"for" durations end exactly even when dt does not divide them', () => {
    const r = runToEnd(scenario({ sample: { dtS: 7 }, experiment: ['Rest for 100 s', 'Discharge at 1 A for 50 s'] }));
    expect(r.stepLog.map((e) => [e.startS, e.endS])).toEqual([[0, 100], [100, 150]]);
    expect(last(ch(r, 'time_s'))).toBe(150);
    expect(r.metrics.discharged_Ah).toBeCloseTo(50 / 3600, 12);
  });

  it('a step\'s own "(N period)" overrides sample.dtS', () => {
    const r = runToEnd(scenario({ experiment: ['Rest for 10 minutes (1 minute period)', 'Rest for 10 s'] }));
    expect(r.steps).toBe(10 + 10);
  });

  it('series cells add up: a 3s1p pack without spread has 3x the cell voltage', () => {
    const one = runToEnd(scenario({ initial: { soc: 0.7 }, experiment: ['Discharge at 1C for 10 minutes', 'Rest for 5 minutes'] }));
    const three = runToEnd(scenario({ initial: { soc: 0.7 }, pack: { series: 3, parallel: 1 }, experiment: ['Discharge at 1C for 10 minutes', 'Rest for 5 minutes'] }));
    const v1 = ch(one, 'voltage_V'), v3 = ch(three, 'voltage_V');
    expect(v3.length).toBe(v1.length);
    for (let i = 0; i < v1.length; i += 37) expect(v3[i]).toBeCloseTo(3 * v1[i], 9);
    expect(three.channels.map((c) => c.name)).toEqual([
      'time_s', 'current_A', 'voltage_V', 'soc', 'temp_C', 'cell_v_min_V', 'cell_v_max_V', 'cell_temp_max_C', 'step_index',
    ]);
    expect(one.channels.map((c) => c.name)).toEqual(['time_s', 'current_A', 'voltage_V', 'soc', 'temp_C', 'step_index']);
  });
});

describe('engine: cut-offs and guards', () => {
  it('a discharge without "until" stops at the cell minimum voltage, with a warning', () => {
    const r = runToEnd(scenario({ initial: { soc: 0.2 }, experiment: ['Discharge at 1C for 5 hours', 'Rest for 1 minute'] }));
    expect(r.stepLog[0].end).toBe('safety-vmin');
    const V = ch(r, 'voltage_V');
    const endIdx = ch(r, 'step_index').indexOf(1) - 1;
    expect(Math.abs(V[endIdx] - P.vMinV)).toBeLessThan(1e-5);
    expect(r.warnings.join('\n')).toMatch(/step 1 .* cell minimum voltage 2.5 V \(safety cut-off\)/);
    expect(r.stepLog[1].end).toBe('duration'); // the experiment goes on
  });

  it('a condition that already holds ends the step at once, with a warning', () => {
    const r = runToEnd(scenario({ initial: { soc: 0.9 }, experiment: ['Discharge at 1C until 4.3 V', 'Rest for 10 s'] }));
    expect(r.stepLog[0]).toMatchObject({ startS: 0, endS: 0, end: 'immediate' });
    expect(r.warnings.join('\n')).toMatch(/ended at once/);
    expect(r.durationS).toBe(10);
  });

  it('limits.maxStepDurationS stops a step that never reaches its condition', () => {
    const r = runToEnd(scenario({ limits: { maxStepDurationS: 100 }, experiment: ['Discharge at 0.01 A until 2.5 V'] }));
    expect(r.durationS).toBe(100);
    expect(r.stepLog[0].end).toBe('step-guard');
    expect(r.warnings.join('\n')).toMatch(/maxStepDurationS/);
  });

  it('limits.maxDurationS stops the run', () => {
    const r = runToEnd(scenario({ limits: { maxDurationS: 50 }, experiment: ['Rest for 1 h', 'Rest for 1 h'] }));
    expect(r.durationS).toBe(50);
    expect(r.completed).toBe(false);
    expect(r.warnings.join('\n')).toMatch(/maxDurationS/);
  });
});

describe('engine: determinism, chunks, identity', () => {
  const pack = { series: 3, parallel: 2, spread: { capacityRelStd: 0.02, r0RelStd: 0.1 } };
  const exp = ['Discharge at 1C until 9.5 V', 'Rest for 10 minutes', 'Charge at 0.5C until 12.3 V'];

  it('same scenario + seed gives bit-identical channels and CSV', () => {
    const s = scenario({ pack, experiment: exp, seed: 5 });
    const a = runToEnd(s), b = runToEnd(s);
    expect(a.channels.length).toBe(b.channels.length);
    a.channels.forEach((c, i) => expect(Buffer.from(c.data.buffer).equals(Buffer.from(b.channels[i].data.buffer))).toBe(true));
    expect(a.metrics).toEqual(b.metrics);
    expect(runToCsv(a)).toBe(runToCsv(b));
  });

  it('the seed changes the cell spread; opts.seed overrides scenario.seed', () => {
    const s = scenario({ pack, experiment: exp, seed: 5 });
    const a = runToEnd(s), c = runToEnd(s, { seed: 6 }), d = runToEnd(scenario({ pack, experiment: exp, seed: 6 }));
    expect(c.seed).toBe(6);
    expect(c.metrics.discharged_Ah).not.toBe(a.metrics.discharged_Ah);
    expect(c.metrics).toEqual(d.metrics);
  });

  it('advance() in small chunks gives the same result as runToEnd, with monotone progress', () => {
    const s = scenario({ pack, experiment: exp });
    const whole = runToEnd(s);
    const session = startRun(s, {});
    let prev = 0;
    let p;
    let calls = 0;
    do {
      p = session.advance(97);
      expect(p.progress).toBeGreaterThanOrEqual(prev);
      expect(p.progress).toBeLessThanOrEqual(1);
      prev = p.progress;
      calls++;
    } while (!p.done);
    expect(p.progress).toBe(1);
    expect(calls).toBeGreaterThan(10);
    const chunked = session.result();
    expect(chunked.metrics).toEqual(whole.metrics);
    expect(runToCsv(chunked)).toBe(runToCsv(whole));
  });

  it('a partial result() before the end is usable and says so', () => {
    const session = startRun(scenario({ experiment: ['Rest for 1 h'] }), {});
    session.advance(100);
    const r = session.result();
    expect(r.durationS).toBe(100);
    expect(ch(r, 'time_s').length).toBe(101);
    expect(r.warnings.join()).toMatch(/incomplete/);
  });

  it('inline cell parameters run like the named parameter set', () => {
    const exp = ['Discharge at 1C for 10 minutes', 'Rest for 2 minutes'];
    const named = runToEnd(scenario({ experiment: exp }));
    const v = validateScenario({ name: 't', cell: { params: JSON.parse(JSON.stringify(P)) }, initial: { soc: 1, tempC: 25 }, ambient: { tempC: 25 }, experiment: exp });
    if (!v.ok) throw new Error(JSON.stringify(v.issues));
    const inline = runToEnd(v.scenario);
    expect(inline.metrics).toEqual(named.metrics);
    expect(inline.scenarioHash).not.toBe(named.scenarioHash);
  });

  it('carries engine version, scenario hash and seed', () => {
    const s = scenario({ experiment: ['Rest for 10 s'] });
    const r = runToEnd(s);
    expect(r.engineVersion).toBe(ENGINE_VERSION);
    expect(r.scenarioHash).toBe(scenarioHash(s));
    expect(r.seed).toBe(1);
    expect(r.channels[0].name).toBe('time_s');
  });
});
