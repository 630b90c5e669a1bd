import { describe, it, expect } from 'vitest';
import { parseContainerConfig, parseBmsLimits, RunawayConfigSchema, ContainerHooksSchema } from './config';

const cell = { vMinV: 2.7, vMaxV: 4.15, capacityAh: 94 };

describe('safety config validation', () => {
  it('container preset with overrides', () => {
    const r = parseContainerConfig({ preset: '40ft', nodes: 40, coolingCapacityW: 20000, setpointC: 23 });
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.spec.nodes).toBe(40);
      expect(r.spec.cellsPerNode).toBe(200);
      expect(r.spec.hvac.coolingCapacityW).toBe(20000);
      expect(r.spec.hvac.setpointC).toBe(23);
    }
  });
  it('errors name their path', () => {
    const r = parseContainerConfig({ preset: '40ft', nodes: 3 }, ['init', 'container']);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]).toEqual({ path: ['init', 'container', 'nodes'], message: 'cells (8000) must be a multiple of nodes (3)' });
    const b = parseBmsLimits(cell, { overTempDischargeC: { warning: 50, alarm: 45, trip: 55 } }, {}, ['bms']);
    expect(b.ok).toBe(false);
    if (!b.ok) expect(b.issues[0].path).toEqual(['bms', 'overTempDischargeC']);
    const s = RunawayConfigSchema.safeParse({ set: 'XYZ' });
    expect(s.success).toBe(false);
    expect(ContainerHooksSchema.safeParse({ fanFactor: 2 }).success).toBe(false);
  });
  it('BMS overrides merge over the cell-derived defaults', () => {
    const b = parseBmsLimits(cell, { overTempChargeC: { warning: 30, alarm: 35, trip: 40 } });
    expect(b.ok).toBe(true);
    if (b.ok) {
      expect(b.limits.overTempChargeC.trip).toBe(40);
      expect(b.limits.overTempDischargeC.trip).toBe(55);
    }
  });
});
