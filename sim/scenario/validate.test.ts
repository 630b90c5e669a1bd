import { describe, it, expect } from 'vitest';
import { validateScenario, parseScenarioText, MAX_SCENARIO_BYTES, stepLabel, formatIssuePath } from './validate';
import { scenarioHash } from './hash';
import { scenarioJsonSchema } from './jsonSchema';
import { listParamSets } from '../battery/paramSets';

const base = {
  name: 'test',
  cell: { paramSet: 'panasonic-ncr18650pf' },
  initial: { soc: 1 },
  experiment: ['Discharge at 1C until 2.5 V'],
};

function issues(input: unknown) {
  const r = validateScenario(input);
  if (r.ok) throw new Error('expected issues');
  return r.issues;
}

describe('validateScenario', () => {
  it('accepts a minimal scenario and returns it as written (no defaults filled in)', () => {
    const r = validateScenario(base);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.scenario).toEqual(base);
  });
  it('reports a step grammar error with the step number and the exact path', () => {
    const is = issues({ ...base, experiment: ['Discharge at 1C until 2.5 V', 'Rest for 1 h', 'Rest for 10 mn'] });
    expect(is).toEqual([{ path: ['experiment', 2], message: "step 3: unknown unit 'mn', expected s, min, h (did you mean 'min'?)" }]);
  });
  it('numbers steps inside repeat blocks as block.step', () => {
    const is = issues({ ...base, experiment: ['Rest for 1 h', { repeat: 2, steps: ['Rest for 1 h', 'Charge at 1C'] }] });
    expect(is[0].path).toEqual(['experiment', 1, 'steps', 1]);
    expect(is[0].message).toMatch(/^step 2\.2: step never ends/);
  });
  it('reports every problem at once, each at its path', () => {
    const is = issues({ ...base, cell: { paramSet: 'nope' }, initial: { soc: 80 }, ambiant: { tempC: 3 }, rcPairs: 3, seed: -1 });
    const byPath = Object.fromEntries(is.map((i) => [formatIssuePath(i.path), i.message]));
    expect(byPath['cell.paramSet']).toMatch(/unknown parameter set "nope", expected one of: .*panasonic-ncr18650pf/);
    expect(byPath['initial.soc']).toMatch(/fraction between 0 and 1/);
    expect(byPath['ambiant']).toBe("unknown key 'ambiant' (did you mean 'ambient'?)");
    expect(byPath['rcPairs']).toBe('rcPairs must be 1 or 2');
    expect(byPath['seed']).toMatch(/>=0/);
  });
  it('reports missing required keys and wrong item types', () => {
    const is = issues({ cell: { paramSet: 'panasonic-ncr18650pf' }, initial: { soc: 1 }, experiment: [42] });
    expect(is).toContainEqual({ path: ['name'], message: "missing required key 'name' (string)" });
    expect(is.find((i) => i.path.join() === 'experiment,0')?.message).toMatch(/expected a step string .* got number/);
  });
  it('requires exactly one of paramSet and params', () => {
    expect(issues({ ...base, cell: {} })[0].message).toMatch(/either "paramSet"/);
  });
  it('refuses rcPairs 2 for a set without a second RC pair', () => {
    const r = validateScenario({ ...base, cell: { paramSet: 'pybamm-ecm-example' }, rcPairs: 2 });
    // pybamm-ecm-example is a 1RC set; if it gains a second pair this check is vacuous.
    if (!r.ok) expect(r.issues[0].path).toEqual(['rcPairs']);
  });
  it('flags voltages far outside the pack window', () => {
    const is = issues({ ...base, pack: { series: 4, parallel: 1 }, experiment: ['Discharge at 1C until 2.5 V'] });
    expect(is[0].message).toMatch(/step 1: 2.5 V is far outside the pack \(4 in series\) voltage window 10\.\.16\.8 V/);
  });
  it('labels step paths', () => {
    expect(stepLabel(['experiment', 0])).toBe('step 1');
    expect(stepLabel(['experiment', 3, 'steps', 1, 'steps', 0])).toBe('step 4.2.1');
    expect(stepLabel(['experiment', 3, 'repeat'])).toBeUndefined();
  });
});

describe('parseScenarioText', () => {
  it('gives JSON syntax errors a line and column', () => {
    const r = parseScenarioText('{\n  "name": "x",\n  "cell": {"paramSet": "p"},,\n}');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.issues).toHaveLength(1);
      expect(r.issues[0]).toMatchObject({ path: [], line: 3, column: 29 });
      expect(r.issues[0].message).toMatch(/JSON syntax error: expected a property name/);
    }
  });
  it('places schema issues at the value (or the key, for unknown keys)', () => {
    const text = '{\n  "name": "x",\n  "cell": {"paramSet": "panasonic-ncr18650pf"},\n  "initial": {"soc": 1},\n  "experiment": ["Rest for 10 mn"],\n  "foo": 1\n}';
    const r = parseScenarioText(text);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.issues[0]).toMatchObject({ path: ['experiment', 0], line: 5, column: 18, endLine: 5, endColumn: 34 });
      expect(r.issues[1]).toMatchObject({ path: ['foo'], message: "unknown key 'foo'", line: 6, column: 3 });
    }
  });
  it('refuses duplicate keys', () => {
    const r = parseScenarioText('{"name": "a", "name": "b"}');
    expect(!r.ok && r.issues[0].message).toMatch(/duplicate key "name"/);
  });
  it('refuses text over 1 MB with a message, without parsing it', () => {
    const big = JSON.stringify({ ...base, description: 'x'.repeat(MAX_SCENARIO_BYTES) });
    const r = parseScenarioText(big);
    expect(!r.ok && r.issues[0].message).toMatch(/too large .* limit is 1 MB/);
  });
  it('counts UTF-8 bytes for the limit', () => {
    const text = JSON.stringify({ ...base, description: 'é'.repeat(MAX_SCENARIO_BYTES / 2) });
    expect(text.length).toBeLessThan(MAX_SCENARIO_BYTES);
    const r = parseScenarioText(text);
    expect(!r.ok && r.issues[0].message).toMatch(/too large/);
  });
  it('accepts valid text and equals validateScenario of JSON.parse', () => {
    const text = JSON.stringify(base, null, 2);
    const r = parseScenarioText(text);
    expect(r).toEqual(validateScenario(JSON.parse(text)));
  });
});

describe('scenarioHash', () => {
  it('is the same for reordered keys and different whitespace, and changes with content', () => {
    const a = validateScenario(base);
    const b = parseScenarioText('{"experiment":["Discharge at 1C until 2.5 V"],\n "initial":{"soc":1.0},"cell":{"paramSet":"panasonic-ncr18650pf"},"name":"test"}');
    const c = validateScenario({ ...base, name: 'test2' });
    if (!a.ok || !b.ok || !c.ok) throw new Error('invalid');
    expect(scenarioHash(a.scenario)).toMatch(/^[0-9a-f]{64}$/);
    expect(scenarioHash(b.scenario)).toBe(scenarioHash(a.scenario));
    expect(scenarioHash(c.scenario)).not.toBe(scenarioHash(a.scenario));
  });
  it('ignores the editor-only $schema key', () => {
    const a = validateScenario(base);
    const b = validateScenario({ $schema: 'https://example/s.json', ...base });
    if (!a.ok || !b.ok) throw new Error('invalid');
    expect(scenarioHash(b.scenario)).toBe(scenarioHash(a.scenario));
  });
  it('is pinned for a fixed document (changing the hash definition breaks share links)', () => {
    const a = validateScenario(base);
    if (!a.ok) throw new Error('invalid');
    // sha256 of {"cell":{"paramSet":"panasonic-ncr18650pf"},"experiment":["Discharge at 1C until 2.5 V"],"initial":{"soc":1},"name":"test"}
    expect(scenarioHash(a.scenario)).toBe(PINNED);
  });
});
const PINNED = '7c7e65496fd170342a4188a0c7d9cb2c840e4d8027984b19f3b4be3a924e8496';

describe('scenarioJsonSchema', () => {
  it('is draft-07 with descriptions, defaults, step examples and the parameter set names', () => {
    const all = scenarioJsonSchema() as any;
    expect(all.$schema).toMatch(/draft-07/);
    const [v1, v2] = all.anyOf;
    const s = { ...v1, definitions: all.definitions };
    expect(s.required).toEqual(['name', 'cell', 'initial', 'experiment']);
    expect(s.additionalProperties).toBe(false);
    expect(s.properties.seed.default).toBe(1);
    expect(s.properties.cell.properties.paramSet.enum).toEqual(listParamSets());
    // version 2: assets, faults (type enum), criteria
    expect(v2.required).toEqual(expect.arrayContaining(['version', 'name', 'assets', 'stop']));
    expect(v2.properties.faults.items.properties.type.enum).toContain('hvac.failOff');
    expect(all.definitions.Asset).toBeDefined();
    const item = s.definitions.ExperimentItem;
    expect(item.anyOf[0].examples).toContain('Hold at 4.2 V until C/20');
    expect(item.anyOf[0].description).toMatch(/PyBaMM-style step/);
    expect(item.anyOf[1].required).toEqual(['repeat', 'steps']);
    expect(JSON.stringify(s)).not.toMatch(/__schema/);
  });
});
