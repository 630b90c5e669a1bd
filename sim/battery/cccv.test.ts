// CC-CV to vMaxV must end (H8): the OCV is continued above SOC 1 (ecm.ts SOC_HEADROOM), so the
// constant-voltage current tapers below C/20 instead of the SOC rising until a guard stops it.
import { describe, it, expect } from 'vitest';
import { runToEnd, type RunResult } from '../engine/run';
import { validateScenario } from '../scenario/validate';
import { getParamSet, listParamSets } from './paramSets';
import { createEcmFleet, ocvAt, SOC_HEADROOM } from './ecm';

const ch = (r: RunResult, name: string) => {
  const c = r.channels.find((c) => c.name === name);
  if (!c) throw new Error(`no channel ${name}`);
  return c.data;
};

describe('CC-CV charge to vMaxV', () => {
  it('every built-in set: the compiled OCV reaches vMaxV inside the SOC headroom', () => {
    for (const name of listParamSets()) {
      const p = getParamSet(name);
      const f = createEcmFleet(p, 1, { soc: 0.5, tempC: 25 });
      const top = p.socBreakpoints[p.socBreakpoints.length - 1];
      for (const T of p.tempBreakpointsC) {
        expect(ocvAt(f, p, top + SOC_HEADROOM, T)).toBeGreaterThan(p.vMaxV);
        // continued, not clamped: increasing above the top breakpoint, unchanged at it
        expect(ocvAt(f, p, top + 0.02, T)).toBeGreaterThan(ocvAt(f, p, top, T));
      }
    }
  });

  for (const name of ['panasonic-ncr18650pf', 'pybamm-ecm-example']) {
    it(`${name}: "Charge at 1C until vMax", "Hold at vMax until C/20" ends on the current`, () => {
      const p = getParamSet(name);
      const vMax = p.vMaxV;
      const v = validateScenario({
        name: 'cccv',
        cell: { paramSet: name },
        initial: { soc: 0.3, tempC: 25 },
        ambient: { tempC: 25 },
        experiment: ['Charge at 1C until ' + vMax + ' V', 'Hold at ' + vMax + ' V until C/20'],
      });
      if (!v.ok) throw new Error(JSON.stringify(v.issues));
      const r = runToEnd(v.scenario, {});
      expect(r.stepLog.map((e) => e.end)).toEqual(['voltage', 'current']);
      expect(r.warnings.filter((w) => /SOC left|did not reach|run stopped/.test(w))).toEqual([]);
      const I = ch(r, 'current_A'), V = ch(r, 'voltage_V'), soc = ch(r, 'soc'), idx = ch(r, 'step_index'), t = ch(r, 'time_s');
      const n = I.length;
      expect(-I[n - 1]).toBeLessThanOrEqual((p.capacityAh / 20) * (1 + 1e-6));
      expect(Math.abs(V[n - 1] - vMax)).toBeLessThan(1e-4);
      // full but not absurdly overcharged, in a sensible time (CV phase of a 1C CC-CV: < 2 h)
      expect(soc[n - 1]).toBeGreaterThan(0.97);
      expect(soc[n - 1]).toBeLessThan(1 + SOC_HEADROOM);
      const cvStart = t[idx.indexOf(1)];
      expect(t[n - 1] - cvStart).toBeLessThan(2 * 3600);
    });
  }
});
