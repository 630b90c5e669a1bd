// The system engine: determinism, triggers located by bisection independent of dt, parameters,
// faults, and the errors a scenario author gets before a run.
import { describe, it, expect } from 'vitest';
import { validateScenario, isSystemScenario } from '../scenario/validate';
import type { SystemScenario } from '../scenario/system';
import { runSystemToEnd } from './run';

function must(doc: unknown, params: Record<string, string | number> = {}): SystemScenario {
  const v = validateScenario(doc, { params });
  if (!v.ok) throw new Error(v.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n'));
  if (!isSystemScenario(v.scenario)) throw new Error('not v2');
  return v.scenario;
}

function issues(doc: unknown, params: Record<string, string | number> = {}) {
  const v = validateScenario(doc, { params });
  return v.ok ? [] : v.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}

const pack = (extra: Record<string, unknown> = {}) => ({
  version: 2,
  name: 'pack',
  description: 'test pack',
  parameters: { rate: { default: '1C' } },
  assets: {
    pack1: { type: 'pack', cell: { paramSet: 'panasonic-ncr18650pf', runawaySet: 'CAI19_18650' }, series: 4, parallel: 2, modules: 2, layout: { cols: 4, gap: '2 mm' } },
  },
  init: [{ target: 'pack1/**', soc: 1, temperature: '25 degC' }],
  loads: [{ target: 'pack1', steps: ['Discharge at $rate for 30 min'] }],
  stop: { time: '40 min' },
  ...extra,
});

describe('system engine', () => {
  it('is deterministic: same scenario + seed gives bit-identical results', () => {
    const s = must(pack({ faults: [{ id: 'noise', type: 'sensor.noise', target: 'pack1/module01/tsensor', std: '0.5 K', trigger: { at: '1 min' } }] }));
    const a = runSystemToEnd(s, { seed: 7 });
    const b = runSystemToEnd(s, { seed: 7 });
    expect(a.scenarioHash).toBe(b.scenarioHash);
    expect(a.channels.length).toBe(b.channels.length);
    for (let k = 0; k < a.channels.length; k++) expect(Buffer.from(a.channels[k].data.buffer).equals(Buffer.from(b.channels[k].data.buffer)), a.channels[k].name).toBe(true);
    expect(a.events).toEqual(b.events);
    const c = runSystemToEnd(s, { seed: 8 });
    const sensor = (r: typeof a) => r.channels.find((ch) => ch.name === 'pack1/module01/tsensor.temp_C')!.data;
    expect(Array.from(sensor(c))).not.toEqual(Array.from(sensor(a)));
  });

  it('locates a "when" trigger by bisection: the fire time does not depend on dt', () => {
    const doc = (dt: string) =>
      pack({
        faults: [{ id: 'open', type: 'contactor.open', target: 'pack1/contactor', trigger: { when: 'pack1.voltage_V < 14.4 V' } }],
        sample: { dt },
      });
    const t1 = runSystemToEnd(must(doc('1 s'))).faults[0].t_s;
    const t4 = runSystemToEnd(must(doc('0.25 s'))).faults[0].t_s;
    expect(t1).toBeGreaterThan(0);
    // bisection is to dt / 16384; what remains is the model's own (small) dependence on dt
    expect(Math.abs(t1 - t4)).toBeLessThan(0.1);
    expect(t1 % 1).not.toBe(0); // inside a step, not on the grid
  });

  it('debounce: a condition must hold "for" its time; OR-of-AND groups', () => {
    const r = runSystemToEnd(
      must(
        pack({
          faults: [
            { id: 'a', type: 'contactor.open', target: 'pack1/contactor', trigger: { when: [['pack1.voltage_V < 15.2 V', 'pack1.current_A > 1 A'], 'pack1.soc < 0.01'], for: '30 s' } },
          ],
        }),
      ),
    );
    const first = r.channels[0].data;
    const v = r.channels.find((c) => c.name === 'pack1.voltage_V')!.data;
    let cross = NaN;
    for (let i = 0; i < v.length; i++) if (v[i] < 15.2) { cross = first[i]; break; }
    expect(r.faults[0].t_s).toBeGreaterThanOrEqual(cross + 29);
    expect(r.faults[0].t_s).toBeLessThanOrEqual(cross + 31);
  });

  it('after-fault triggers chain with their delay; contactor.open stops the current', () => {
    const r = runSystemToEnd(
      must(
        pack({
          faults: [
            { id: 'first', type: 'sensor.offset', target: 'pack1/module01/tsensor', offset: '3 K', trigger: { at: '5 min' } },
            { id: 'second', type: 'contactor.open', target: 'pack1/contactor', trigger: { after: { fault: 'first', delay: '2 min' } } },
          ],
        }),
      ),
    );
    const i = r.channels.find((c) => c.name === 'pack1.current_A')!.data;
    const t = r.channels[0].data;
    for (let k = 0; k < t.length; k++) if (t[k] > 421) expect(i[k]).toBe(0);
    expect(r.faults.map((f) => [f.id, f.t_s])).toEqual([
      ['first', 300],
      ['second', 420],
    ]);
  });

  it('parameters: defaults, overrides and the hash of what ran', () => {
    const base = runSystemToEnd(must(pack()));
    const half = runSystemToEnd(must(pack(), { rate: '0.5C' }), { params: { rate: '0.5C' } });
    expect(base.parameters).toEqual({ rate: '1C' });
    expect(half.parameters).toEqual({ rate: '0.5C' });
    expect(half.scenarioHash).not.toBe(base.scenarioHash);
    expect(half.signalStats['pack1.current_A'].max).toBeCloseTo(base.signalStats['pack1.current_A'].max / 2, 6);
  });
});

const container = (extra: Record<string, unknown> = {}, box: Record<string, unknown> = {}) => ({
  version: 2,
  name: 'container',
  description: 'small container',
  assets: {
    c1: { type: 'container', preset: '40ft', cell: { paramSet: 'samsung-94ah', runawaySet: 'CAI19' }, racks: 1, modulesPerRack: 2, cellsPerModule: 4, hvac: { mode: 'off' }, ...box },
  },
  init: [{ target: 'c1/**', soc: 0.5, temperature: '25 degC' }],
  ambient: { temperature: '25 degC' },
  stop: { time: '8 h' },
  sample: { dt: '10 s', record: '60 s' },
  ...extra,
});

describe('hot-spot cells in a container (a cell singled out by a heat fault)', () => {
  const heated = (box: Record<string, unknown> = {}) =>
    runSystemToEnd(must(container({ faults: [{ id: 'h', type: 'cell.forcedHeating', target: 'c1/rack01/module01/cell02', power: '15 W', trigger: { at: '0 s' } }] }, box)));
  const last = (r: ReturnType<typeof runSystemToEnd>, name: string) => {
    const d = r.channels.find((c) => c.name === name)!.data;
    return d[d.length - 1];
  };
  it('rises above its module by P / G (first-order node, time constant C / G), and the module sensor reads it', () => {
    const r = heated();
    // G = 2 x 0.8 W/(m K) x 0.0216 m2 / 0.045 m = 0.768 W/K, C = 2.1 kJ/K: tau 2.7 ks, 8 h = 10.5 tau
    const dT = last(r, 'c1/rack01/module01/cell02.temp_C') - last(r, 'c1/rack01/module01.temp_C');
    expect(dT).toBeGreaterThan((15 / 0.768) * 0.97);
    expect(dT).toBeLessThan((15 / 0.768) * 1.03);
    expect(last(r, 'c1/rack01/module01/tsensor.temp_C')).toBeCloseTo(last(r, 'c1/rack01/module01/cell02.temp_C'), 9);
    // its heat reaches the rest: the heated module ends warmer than the other one
    expect(last(r, 'c1/rack01/module01.temp_C')).toBeGreaterThan(last(r, 'c1/rack01/module02.temp_C') + 0.5);
    // cellContact sets G
    const r3 = heated({ cellContact: '3 W/K' });
    const dT3 = last(r3, 'c1/rack01/module01/cell02.temp_C') - last(r3, 'c1/rack01/module01.temp_C');
    expect(dT3).toBeCloseTo(15 / 3, 1);
  });
  it('a trigger on a hot-spot cell is located by bisection (re-taken steps restore its state)', () => {
    const at = (dt: string) =>
      runSystemToEnd(
        must(
          container({
            stop: { time: '2 h' },
            sample: { dt, record: '60 s' },
            faults: [
              { id: 'h', type: 'cell.forcedHeating', target: 'c1/rack01/module01/cell02', power: '15 W', trigger: { at: '0 s' } },
              { id: 'cut', type: 'contactor.open', target: 'c1/contactor', trigger: { when: 'c1/rack01/module01/cell02.temp_C > 32 degC' } },
            ],
          }),
        ),
      ).faults.find((f) => f.id === 'cut')!.t_s!;
    expect(Math.abs(at('10 s') - at('1 s'))).toBeLessThan(0.5);
  });
  it('an internal short runs the cell away alone; the runaway list names the cell, not its module', () => {
    const r = runSystemToEnd(must(container({ faults: [{ id: 's', type: 'cell.internalShort', target: 'c1/rack01/module02/cell03', resistance: '0.05 ohm', trigger: { at: '10 min' } }], criteria: [{ id: 'p', expect: 'no propagation' }] })));
    expect(r.runaway.map((e) => e.target)).toEqual(['c1/rack01/module02/cell03']);
    expect(r.criteria[0].result).toBe('pass');
    expect(r.events.some((e) => e.code === 'CELL_RUNAWAY' && e.target === 'c1/rack01/module02/cell03')).toBe(true);
  });
  it('refuses single-cell parameter faults and heat faults on whole modules in a container', () => {
    const a = issues(container({ faults: [{ id: 'f', type: 'cell.capacityFade', target: 'c1/rack01/module01/cell01', factor: 0.8, trigger: { at: '0 s' } }] }));
    expect(a[0].message).toMatch(/cannot differ/);
    const b = issues(container({ faults: [{ id: 'f', type: 'cell.internalShort', target: 'c1/rack01/module01', resistance: '1 ohm', trigger: { at: '0 s' } }] }));
    expect(b.some((i) => i.path === 'faults.0.target' && /acts on single cells/.test(i.message))).toBe(true);
  });
});

describe('errors before the run', () => {
  it('unknown targets name the path and list what exists', () => {
    const e = issues(pack({ faults: [{ id: 'x', type: 'contactor.open', target: 'pack2/contactor', trigger: { at: '1 s' } }] }));
    expect(e[0].path).toBe('faults.0.target');
    expect(e[0].message).toMatch(/no asset matches 'pack2\/contactor'.*pack1/);
  });
  it('unit mismatches say what was expected', () => {
    const e = issues(pack({ init: [{ target: 'pack1/**', soc: 1, temperature: '45 kW' }] }));
    expect(e).toEqual([{ path: 'init.0.temperature', message: expect.stringMatching(/'45 kW' is a power, expected a temperature/) }]);
    expect(issues(pack({ stop: { time: '40' } }))[0].message).toMatch(/missing unit/);
  });
  it('impossible values and unknown fault types', () => {
    expect(issues(pack({ init: [{ target: 'pack1/**', soc: 1.5 }] }))[0].path).toBe('init.0.soc');
    const e = issues(pack({ faults: [{ id: 'x', type: 'hvac.explode', target: 'pack1', trigger: { at: '1 s' } }] }));
    expect(e[0].message).toMatch(/unknown fault type "hvac.explode"/);
    const f = issues(pack({ faults: [{ id: 'x', type: 'hvac.failOff', target: 'pack1', trigger: { at: '1 s' } }] }));
    expect(f.some((i) => /needs a container/.test(i.message))).toBe(true);
  });
  it('trigger cycles are caught', () => {
    const e = issues(
      pack({
        faults: [
          { id: 'a', type: 'contactor.open', target: 'pack1/contactor', trigger: { after: { fault: 'b' } } },
          { id: 'b', type: 'gasDetector.failure', target: 'pack1', trigger: { after: { fault: 'a' } } },
        ],
      }),
    );
    expect(e.some((i) => /trigger cycle: a -> b -> a/.test(i.message))).toBe(true);
  });
  it('conditions and criteria on unknown signals or with wrong units', () => {
    const e = issues(pack({ faults: [{ id: 'a', type: 'contactor.open', target: 'pack1/contactor', trigger: { when: 'pack1.voltage_V < 3 degC' } }] }));
    expect(e[0].path).toBe('faults.0.trigger.when');
    const c = issues(pack({ criteria: [{ id: 'c', expect: 'max(pack1/**.tmp_C) < 60 degC' }] }));
    expect(c[0].path).toBe('criteria.0.expect');
  });
  it('parameters: unknown references and unknown overrides', () => {
    expect(issues(pack({ stop: { time: '$duration' } }))[0].message).toMatch(/unknown parameter '\$duration'/);
    expect(issues(pack(), { nope: 1 })[0].message).toMatch(/unknown parameter 'nope'/);
  });
});
