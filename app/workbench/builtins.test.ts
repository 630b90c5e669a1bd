import { describe, it, expect } from 'vitest';
import { BUILT_IN_SCENARIOS, DEFAULT_SCENARIO_TEXT } from './builtins';
import { parseScenarioText } from '../../sim/scenario/validate';
import { locateIssues } from './issueRanges';

describe('built-in scenarios in the Examples menu', () => {
  it('are all valid, and the default is the 1 h cell cycle', () => {
    expect(BUILT_IN_SCENARIOS.length).toBeGreaterThanOrEqual(5);
    for (const b of BUILT_IN_SCENARIOS) {
      const r = parseScenarioText(b.text);
      expect(r.ok, `${b.file}: ${JSON.stringify(!r.ok && r.issues)}`).toBe(true);
    }
    expect(DEFAULT_SCENARIO_TEXT).toContain('"Cell 1 h cycle"');
  });

  it('a schema error in the default maps to the line of the offending value', () => {
    const text = DEFAULT_SCENARIO_TEXT.replace('"soc": 0.9', '"soc": 9');
    const r = parseScenarioText(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const [loc] = locateIssues(text, r.issues);
    expect(loc.path).toEqual(['initial', 'soc']);
    const line = text.split('\n').findIndex((l) => l.includes('"soc": 9')) + 1;
    expect(loc.range.startLineNumber).toBe(line);
  });
});
