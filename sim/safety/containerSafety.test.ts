// Container + BMS + runaway chemistry together (H6): the "HVAC trips on a hot day" question.
import { describe, it, expect } from 'vitest';
import { container40ft, createContainer, stepContainer, CELL_94AH } from '../thermal/container';
import { createBmsMonitor, stepBms, bmsLimitsFromCell } from './bmsMonitor';
import { createRunawayFleet, stepChemistryAt } from './runaway';
import { getRunawaySet } from './runawaySets';

const jouleW = (cRate: number) => (cRate * CELL_94AH.capacityAh) ** 2 * CELL_94AH.rIntOhm;

function hvacTrip(cRate: number, hours: number) {
  const nodes = 20;
  const spec = container40ft({ nodes });
  const c = createContainer(spec, { tempC: 25, ambientC: 35 });
  // one representative cell per node for the BMS (node temperature = its cells' temperature)
  const bms = createBmsMonitor(nodes, bmsLimitsFromCell(CELL_94AH, { parallel: 32 }), { cellTarget: (i) => `container1/rack${i}` });
  const chem = createRunawayFleet(getRunawaySet('CAI19'), nodes, { tempC: 25, cell: { massKg: CELL_94AH.massKg, heatCapJPerK: 2100, areaM2: 0.07, hConvWPerM2K: 15 } });
  const V = new Float64Array(nodes).fill(3.7);
  const T = new Float64Array(nodes);
  const dt = 10;
  // 2 h with HVAC, then it trips
  for (let k = 0; k < (hours * 3600) / dt; k++) {
    const t = (k + 1) * dt;
    if (t > 2 * 3600) c.hvacFailed = true;
    for (let b = 0; b < nodes; b++) c.nodeHeatW[b] = bms.loadRemoved ? 0 : (jouleW(cRate) + chem.qRxnW[b]) * spec.cellsPerNode;
    stepContainer(c, dt);
    T.set(c.nodeTempC); // one representative cell per node
    stepChemistryAt(chem, T, dt);
    stepBms(bms, { tS: t, cellV: V, cellTempC: T, packCurrentA: bms.loadRemoved ? 0 : cRate * 94 * 32 });
  }
  return { c, bms };
}

describe('HVAC trip in the 40 ft container at 35 degC', () => {
  it('0.5C: OT_WARN (45 degC) some 6-7 h after the trip (about 3 K/h), alarm and trip follow, load removed', () => {
    const { bms } = hvacTrip(0.5, 14);
    const w = bms.events.find((e) => e.code === 'OT_WARN')!;
    expect(w).toBeDefined();
    const hAfter = (w.t_s - 7200) / 3600;
    expect(hAfter).toBeGreaterThan(5);
    expect(hAfter).toBeLessThan(9);
    const a = bms.events.find((e) => e.code === 'OT_ALARM')!;
    const tr = bms.events.find((e) => e.code === 'OT_TRIP')!;
    expect(a.t_s).toBeGreaterThan(w.t_s);
    expect(tr.t_s).toBeGreaterThan(a.t_s);
    expect(bms.loadRemoved).toBe(true);
  });
  it('1C: OT_WARN within about 2 h of the trip', () => {
    const { bms } = hvacTrip(1, 6);
    const w = bms.events.find((e) => e.code === 'OT_WARN')!;
    expect((w.t_s - 7200) / 3600).toBeLessThan(2.2);
  });
});

describe('off-gas detection warns before the temperature onset (README)', () => {
  it('a heated 94 Ah cell vents; container gas raises GAS_WARN / GAS_ALARM minutes before its runaway onset', async () => {
    const { stepRunawayFleet, createRunawayEventTracker, collectRunawayEvents } = await import('./runaway');
    const { addGas } = await import('../thermal/container');
    const spec = container40ft({ nodes: 20 });
    const c = createContainer(spec, { tempC: 25, ambientC: 25 });
    const bms = createBmsMonitor(1, bmsLimitsFromCell(CELL_94AH, { parallel: 32 }));
    // the failing cell: CAI19 kinetics on the 2.1 kg cell, its own temperature, heated by a 300 W fault
    const cell = createRunawayFleet(getRunawaySet('CAI19'), 1, { tempC: 25, cell: { massKg: 2.1, heatCapJPerK: 2100, areaM2: 0.07, hConvWPerM2K: 15 } });
    cell.extHeatW[0] = 300;
    const tr = createRunawayEventTracker(1);
    const events: import('./runaway').RunawayEvent[] = [];
    let released = 0;
    const V = new Float64Array(1).fill(3.7);
    const T = new Float64Array(1);
    for (let k = 1; k <= 3 * 3600 && Number.isNaN(cell.runawayAtS[0]); k++) {
      stepRunawayFleet(cell, 1, c.airC);
      addGas(c, cell.gasReleasedMol[0] - released);
      released = cell.gasReleasedMol[0];
      c.nodeHeatW.fill(0);
      stepContainer(c, 1);
      T[0] = cell.tempK[0] - 273.15;
      stepBms(bms, { tS: k, cellV: V, cellTempC: T, packCurrentA: 0, gasPpm: c.gasPpm });
      collectRunawayEvents(tr, cell, () => 'container1/rack0/cell[0]', events);
    }
    const vent = events.find((e) => e.code === 'CELL_VENT')!;
    const onset = events.find((e) => e.code === 'CELL_RUNAWAY')!;
    const gasWarn = bms.events.find((e) => e.code === 'GAS_WARN')!;
    expect(vent).toBeDefined();
    expect(onset).toBeDefined();
    expect(gasWarn).toBeDefined();
    // minutes of warning
    expect(onset.t_s - gasWarn.t_s).toBeGreaterThan(120);
    expect(gasWarn.t_s).toBeGreaterThanOrEqual(vent.t_s);
  });
});
