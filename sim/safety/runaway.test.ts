// Reference checks of ../shared/reference/README.md for the runaway model (H6). Each test computes
// the figure from our model and compares it with the README's expected value and tolerance.
import { describe, it, expect } from 'vitest';
import { simulateOven, criticalAmbientC } from './ovenTest';
import {
  createRunawayFleet,
  stepRunawayFleet,
  releasedEnergyJ,
  startIscResistance,
  startIscEnergy,
  createRunawayModule,
  stepRunawayModule,
  propagationCellsPerMin,
} from './runaway';
import { getRunawaySet, adiabaticRiseClosedFormK, listRunawaySets, cell18650, defaultCan } from './runawaySets';

const hk07 = getRunawaySet('HK07_LCO');

describe('18650 geometry (Hatchard 2001 / Kim 2007)', () => {
  it('A/V = 253 1/m and rho cp V = 35.4 J/K; h A / V = 1816 W/(m3 K) as in the CSV', () => {
    const c = cell18650();
    expect(c.areaM2 / c.volumeM3).toBeCloseTo(253, 0);
    expect(c.heatCapJPerK).toBeCloseTo(35.4, 1);
    expect((c.hConvWPerM2K * c.areaM2) / c.volumeM3).toBeGreaterThan(1800);
    expect((c.hConvWPerM2K * c.areaM2) / c.volumeM3).toBeLessThan(1830);
  });
  it('every registered set has positive amounts and a source', () => {
    for (const id of listRunawaySets()) {
      const s = getRunawaySet(id);
      if (s.table) {
        expect(s.table.energyJ).toBeGreaterThan(0);
        expect(s.table.source.length).toBeGreaterThan(10);
        continue;
      }
      for (const r of [s.sei, s.ne, s.pe, ...(s.e ? [s.e] : [])]) {
        expect(r.A).toBeGreaterThan(0);
        expect(r.massFrac).toBeGreaterThan(0);
        expect(r.source.length).toBeGreaterThan(10);
      }
    }
    expect(() => getRunawaySet('nope')).toThrow(/known: HK07_LCO/);
  });
});

describe('HK07 oven tests (README, [R] reference runs)', () => {
  it('150 degC: runaway at 36.1 min +-5 %, peak 482 degC +-15 K', () => {
    const r = simulateOven(hk07, 150, { dtS: 1 });
    expect(r.runaway).toBe(true);
    expect(Math.abs(r.runawayAtS / 60 - 36.1) / 36.1).toBeLessThan(0.05);
    expect(Math.abs(r.peakC - 482)).toBeLessThan(15);
  });
  it('155 degC: runaway at 25.0 min +-5 %, peak 523 degC +-15 K', () => {
    const r = simulateOven(hk07, 155, { dtS: 1 });
    expect(r.runaway).toBe(true);
    expect(Math.abs(r.runawayAtS / 60 - 25.0) / 25.0).toBeLessThan(0.05);
    expect(Math.abs(r.peakC - 523)).toBeLessThan(15);
  });
  it('140 degC: no runaway, peak about 148 degC +-2 K', () => {
    const r = simulateOven(hk07, 140, { dtS: 2, durationS: 4 * 3600 });
    expect(r.runaway).toBe(false);
    expect(Math.abs(r.peakC - 148)).toBeLessThan(2);
  });
  it('radiation matters: without it the 140 degC case runs away (README)', () => {
    const r = simulateOven(hk07, 140, { dtS: 2, cell: { emissivity: 0 } });
    expect(r.runaway).toBe(true);
  });
  it('step independence: dt 1 s vs 0.1 s (onset within 0.2 %, peak within 2 K)', () => {
    const a = simulateOven(hk07, 150, { dtS: 1 });
    const b = simulateOven(hk07, 150, { dtS: 0.1 });
    expect(Math.abs(a.runawayAtS - b.runawayAtS) / b.runawayAtS).toBeLessThan(0.002);
    expect(Math.abs(a.peakC - b.peakC)).toBeLessThan(2);
  });
  it('the vent opens before the runaway onset (pressure proxy)', () => {
    const r = simulateOven(hk07, 150, { dtS: 1 });
    expect(r.ventAtS).toBeGreaterThan(0);
    expect(r.ventAtS).toBeLessThan(r.runawayAtS);
  });
});

describe('HK07 adiabatic rise (README: about 579 K +-1 %, closed form)', () => {
  it('closed form from the heats and amounts', () => {
    expect(Math.abs(adiabaticRiseClosedFormK(hk07) - 579) / 579).toBeLessThan(0.01);
  });
  it('simulated adiabatic run reaches it (energy conserved to round-off on the way)', () => {
    const f = createRunawayFleet(hk07, 1, { tempC: 150, cell: { hConvWPerM2K: 0, emissivity: 0 } });
    for (let k = 0; k < 2000; k++) stepRunawayFleet(f, 1, 25);
    // energy bookkeeping: temperature rise equals released reaction energy / C at every point
    expect(f.tempK[0] - 423.15).toBeCloseTo(releasedEnergyJ(f, 0) / f.heatCapJPerK[0], 6);
    for (let k = 0; k < 1000; k++) stepRunawayFleet(f, 1000, 25);
    const rise = f.tempK[0] - 423.15;
    expect(Math.abs(rise - 579) / 579).toBeLessThan(0.01);
    expect(Math.abs(rise - adiabaticRiseClosedFormK(hk07))).toBeLessThan(0.5);
  });
});

describe('critical ambient for self-ignition (Zhao 2024: LCO 148 < NCM 168 < LFP 201 degC)', () => {
  it('ordering LCO < NCM < LFP on the same 18650 can', () => {
    const lco = criticalAmbientC(hk07, { tolC: 1 });
    const ncm = criticalAmbientC(getRunawaySet('CAI19_18650'), { tolC: 1 });
    const lfp = criticalAmbientC(getRunawaySet('LFP_PJ16'), { tolC: 1 });
    expect(lco).toBeLessThan(ncm);
    expect(ncm).toBeLessThan(lfp);
    // HK07 lies between the 140 (no runaway) and 150 degC (runaway) oven cases
    expect(lco).toBeGreaterThan(140);
    expect(lco).toBeLessThan(150);
  });
});

describe('internal short circuit', () => {
  it('resistance-based: heat V^2 / R until the stored energy is spent', () => {
    const s = hk07;
    const f = createRunawayFleet(s, 1, { tempC: 25, cell: { hConvWPerM2K: 0, emissivity: 0 } });
    startIscResistance(f, 0, 1.0);
    stepRunawayFleet(f, 0.01, 25);
    expect(f.qIscW[0]).toBeCloseTo((s.isc.vFullV * s.isc.vFullV) / 1.0, 1);
    expect(() => startIscResistance(f, 0, 0)).toThrow(/> 0/);
  });
  it('energy-limited (Coman 2017): eta E released over the duration, then off', () => {
    const f = createRunawayFleet(hk07, 1, { tempC: 25, cell: { hConvWPerM2K: 0, emissivity: 0 } });
    f.cSei[0] = 0; // isolate the short from the chemistry at low temperature
    startIscEnergy(f, 0, 0.1, 10);
    for (let k = 0; k < 20; k++) stepRunawayFleet(f, 1, 25);
    const e = 0.1 * hk07.isc.storedEnergyJ;
    expect(f.elecEnergyJ[0]).toBeCloseTo(0, 6);
    // the chemistry heats a little too once warm; the short alone gives e / C
    expect(f.tempK[0] - 298.15).toBeGreaterThanOrEqual(e / f.heatCapJPerK[0] - 1e-6);
  });
  it('ISC_DEFAULT: separator collapse at 165 degC starts the short', () => {
    const s = getRunawaySet('HK07_LCO+ISC_DEFAULT');
    const f = createRunawayFleet(s, 1, { tempC: 160, cell: { hConvWPerM2K: 0, emissivity: 0 } });
    for (let k = 0; k < 600 && Number.isNaN(f.iscAtS[0]); k++) stepRunawayFleet(f, 1, 160);
    expect(f.iscAtS[0]).toBeGreaterThan(0);
  });
});

describe('cell-to-cell propagation (conductance network)', () => {
  it('gap conductance and radiation coefficients are physical for 3 mm gaps', () => {
    const m = createRunawayModule(hk07, { rows: 1, cols: 3, gapM: 0.003 }, { tempC: 25 });
    // gas conduction shape factor of two parallel cylinders, about 0.36 m (k_air 0.026 -> 0.009 W/K)
    expect(m.shapeM[0]).toBeGreaterThan(0.3);
    expect(m.shapeM[0]).toBeLessThan(0.4);
    // middle cell sees the ambient less than the end cells
    expect(m.fleet.viewAmbient[1]).toBeLessThan(m.fleet.viewAmbient[0]);
  });
  it('touching cells with a contact conductance propagate; each cell keeps its own state', () => {
    const m = createRunawayModule(hk07, { rows: 1, cols: 4, gapM: 0, contactWPerK: 0.5 }, { tempC: 25 });
    m.userHeatW[0] = 60;
    for (let k = 0; k < 3 * 3600; k++) {
      stepRunawayModule(m, 1, 25);
      if (m.fleet.tempK[0] > 523) m.userHeatW[0] = 0;
    }
    expect(propagationCellsPerMin(m.fleet).count).toBe(4);
    const p = propagationCellsPerMin(m.fleet, 0);
    expect(p.count).toBe(3);
    expect(p.cellsPerMin).toBeGreaterThan(0);
    for (let i = 1; i < 4; i++) expect(m.fleet.runawayAtS[i]).toBeGreaterThan(m.fleet.runawayAtS[i - 1]);
  });
  // Niu et al. 2020 (Fire Technol. 56:2491): 18650 row, 3 mm gaps, one cell heated: 0.35 +- 0.15
  // cells/min. Two-node cells (can + jelly roll) with the vent flame of the burning cell; see
  // docs/safety-physics.md for the parameters and their sources.
  function row(opts: { flame: boolean; can: boolean; soc?: number; ambientC?: number }) {
    const cell = opts.can ? { can: defaultCan(hk07.cell)! } : {};
    const ambientC = opts.ambientC ?? 25;
    const m = createRunawayModule(hk07, { rows: 1, cols: 7, gapM: 0.003, flame: opts.flame }, { tempC: ambientC, soc: opts.soc ?? 1, cell });
    m.fleet.chemMinK = 333.15;
    let neighbourPeakK = 0;
    for (let k = 0; k < 2 * 3600; k++) {
      m.userHeatW[0] = Number.isNaN(m.fleet.runawayAtS[0]) ? 30 : 0; // heater off at the trigger cell's onset
      stepRunawayModule(m, 1, ambientC);
      neighbourPeakK = Math.max(neighbourPeakK, m.fleet.surfK[1]);
    }
    return { m, p: propagationCellsPerMin(m.fleet, 0), neighbourPeakK };
  }
  it('18650 row, 3 mm gaps, vent flame + can node: 0.35 +- 0.15 cells/min (Niu 2020)', () => {
    const { m, p } = row({ flame: true, can: true });
    expect(p.count).toBe(6);
    expect(p.cellsPerMin).toBeGreaterThan(0.2);
    expect(p.cellsPerMin).toBeLessThan(0.5);
    for (let i = 1; i < 7; i++) expect(m.fleet.runawayAtS[i]).toBeGreaterThan(m.fleet.runawayAtS[i - 1]);
    // Niu's critical surface temperature, 209-245 degC: the can at each propagated cell's onset
    for (let i = 1; i < 7; i++) {
      expect(m.fleet.runawaySurfK[i] - 273.15).toBeGreaterThan(209);
      expect(m.fleet.runawaySurfK[i] - 273.15).toBeLessThan(245);
    }
  });
  it("Niu's trends: faster and a hotter surface at onset in a hotter room, slower at a lower SOC", () => {
    const base = row({ flame: true, can: true });
    const hot = row({ flame: true, can: true, ambientC: 50 });
    const low = row({ flame: true, can: true, soc: 0.5 });
    expect(hot.p.count).toBe(6);
    expect(low.p.count).toBe(6);
    expect(hot.p.cellsPerMin).toBeGreaterThan(base.p.cellsPerMin);
    expect(low.p.cellsPerMin).toBeLessThan(base.p.cellsPerMin);
    expect(hot.m.fleet.runawaySurfK[3]).toBeGreaterThan(base.m.fleet.runawaySurfK[3]);
    for (const r of [hot, low]) {
      expect(r.p.cellsPerMin).toBeGreaterThan(0.2);
      expect(r.p.cellsPerMin).toBeLessThan(0.5);
    }
  });
  it('without the flame, gap conduction + radiation alone do not propagate over 3 mm', () => {
    const { p, neighbourPeakK } = row({ flame: false, can: true });
    expect(p.count).toBe(0);
    expect(neighbourPeakK - 273.15).toBeGreaterThan(50);
    expect(neighbourPeakK - 273.15).toBeLessThan(150);
  });
  it('the flame energy scales with the cell (not its SOC) and ends after its burning time', () => {
    const a = createRunawayModule(hk07, { rows: 1, cols: 2, gapM: 0.003 }, { tempC: 25, soc: 1 });
    const b = createRunawayModule(hk07, { rows: 1, cols: 2, gapM: 0.003 }, { tempC: 25, soc: 0.5 });
    expect(b.fleet.flameJ[0]).toBe(a.fleet.flameJ[0]);
    // Liu 2015: 97.5 kJ for 2.2 Ah at 100 % SOC -> 115 kJ for the 2.6 Ah HK07 cell
    expect(a.fleet.flameJ[0] / 1000).toBeCloseTo((97.5 * 2.6) / 2.2, 6);
    // a cell that "ran away" at t = 0 heats its neighbour with F x chi x E / tau, then stops
    const f = a.fleet;
    f.runawayAtS[0] = 0;
    stepRunawayModule(a, 1, 25);
    const expectedW = a.flameFrac[0] * (f.flameJ[0] / hk07.flame!.durationS);
    expect(a.neighbourW[1]).toBeGreaterThan(0.99 * expectedW);
    for (let k = 0; k < hk07.flame!.durationS + 5; k++) stepRunawayModule(a, 1, 25);
    expect(a.neighbourW[1]).toBeLessThan(0.05 * expectedW);
  });
});

// the BatterySafety examples are adiabatic (no convection, no radiation)
const adiabatic = { hConvWPerM2K: 0, emissivity: 0 };

describe('simple tracing, ST_60AH (BatterySafety 60 Ah metal can)', () => {
  const st = getRunawaySet('ST_60AH');
  it('releases exactly the table energy (650 kJ on 1000 J/K: 650 K) and nothing else', () => {
    expect(adiabaticRiseClosedFormK(st)).toBeCloseTo(650, 9);
    const f = createRunawayFleet(st, 1, { tempC: 150, cell: adiabatic });
    for (let k = 0; k < 4 * 3600; k++) stepRunawayFleet(f, 1, 25);
    expect(f.tableJ[0]).toBe(0);
    expect(releasedEnergyJ(f, 0)).toBeCloseTo(650e3, 6);
    expect(f.tempK[0] - 273.15).toBeCloseTo(150 + 650, 6);
  });
  it('self-heating follows the table: 10^-1.5146 K/s at 150 degC, onset where g crosses 0 (about 178.4 degC)', () => {
    const f = createRunawayFleet(st, 1, { tempC: 150, cell: adiabatic });
    stepRunawayFleet(f, 0.01, 150);
    expect(f.qRxnW[0] / 1000).toBeCloseTo(Math.pow(10, -1.5146), 4);
    const g = createRunawayFleet(st, 1, { tempC: 170, cell: adiabatic });
    while (Number.isNaN(g.runawayAtS[0])) stepRunawayFleet(g, 0.5, 25);
    // g = 0 between 178 degC (-0.7626) and 180 degC (0.18495): 178 + 2 x 0.7626 / 0.94755 = 179.6 degC
    expect(g.tempK[0] - 273.15).toBeGreaterThan(179);
    expect(g.tempK[0] - 273.15).toBeLessThan(181);
  });
  it('12-cell stack, lambda A / w between cells: 600-750 s +-25 % between successive cells (reference)', () => {
    const m = createRunawayModule(st, { rows: 1, cols: 12, gapM: 0, contactWPerK: (0.8 * 0.15 * 0.1) / 0.028, radiation: false }, { tempC: 20, cell: adiabatic });
    for (let k = 0; k < 5 * 3600 && Number.isNaN(m.fleet.runawayAtS[11]); k++) {
      m.userHeatW[0] = Number.isNaN(m.fleet.runawayAtS[0]) ? 500 : 0;
      stepRunawayModule(m, 1, 20);
    }
    const t = m.fleet.runawayAtS;
    for (let i = 1; i < 11; i++) {
      expect(t[i] - t[i - 1]).toBeGreaterThan(600 * 0.75);
      expect(t[i] - t[i - 1]).toBeLessThan(750 * 1.25);
    }
  });
});

describe('ST_60AH_ESSL (BatterySafety MetalCan60Ah_essl)', () => {
  const st = getRunawaySet('ST_60AH_ESSL');
  it('releases exactly its 800 kJ and runs away where its g crosses 0 (about 193.2 degC)', () => {
    expect(adiabaticRiseClosedFormK(st)).toBeCloseTo(800, 9);
    const f = createRunawayFleet(st, 1, { tempC: 185, cell: adiabatic });
    while (Number.isNaN(f.runawayAtS[0])) stepRunawayFleet(f, 0.25, 25);
    // g = 0 between 190 degC (-0.74351) and 200 degC (1.6079): 190 + 10 x 0.74351 / 2.35141 = 193.16
    expect(f.tempK[0] - 273.15).toBeGreaterThan(192.7);
    expect(f.tempK[0] - 273.15).toBeLessThan(193.7);
    for (let k = 0; k < 4 * 3600; k++) stepRunawayFleet(f, 1, 25);
    expect(releasedEnergyJ(f, 0)).toBeCloseTo(800e3, 6);
  });
});

describe('ARC heat-wait-seek (scenario building block)', () => {
  it('HK07: self-heating found at 80-95 degC (0.02 K/min), adiabatic runaway follows', async () => {
    const { simulateArc } = await import('./ovenTest');
    const r = simulateArc(hk07);
    expect(r.onsetC).toBeGreaterThan(80);
    expect(r.onsetC).toBeLessThan(95);
    expect(r.runawayAtS).toBeGreaterThan(0);
    expect(r.peakC).toBeGreaterThan(500);
  });
});

describe('operator-split coupling for a host-owned temperature (container cells)', () => {
  it('cold cells are skipped, a hot cell releases heat, the host sees the onset from its own T', async () => {
    const { stepChemistryAt } = await import('./runaway');
    const s = getRunawaySet('CAI19');
    // 94 Ah prismatic: CAI19 mass fractions on a 2.1 kg cell with cp 1000
    const f = createRunawayFleet(s, 3, { tempC: 25, cell: { massKg: 2.1, heatCapJPerK: 2100, areaM2: 0.07, hConvWPerM2K: 15 } });
    const T = new Float64Array([25, 25, 150]);
    stepChemistryAt(f, T, 1);
    expect(f.qRxnW[0]).toBe(0);
    expect(f.qRxnW[2]).toBeGreaterThan(1);
    // the host integrates its own balance with that heat: adiabatic host -> runaway found
    for (let k = 0; k < 20000 && Number.isNaN(f.runawayAtS[2]); k++) {
      T[2] += (f.qRxnW[2] * 1) / 2100;
      stepChemistryAt(f, T, 1);
    }
    expect(f.runawayAtS[2]).toBeGreaterThan(0);
    expect(Number.isNaN(f.runawayAtS[0])).toBe(true);
  });
});
