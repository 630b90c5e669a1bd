// Container reference checks of ../shared/reference/README.md (H6): closed-form Joule rise, envelope
// UA and cool-down time constant, heat load of 8,000 cells, 30 kW HVAC at 0.5C / 1C; hooks.
import { describe, it, expect } from 'vitest';
import {
  container40ft,
  createContainer,
  stepContainer,
  envelopeUA,
  coolDownTimeConstantS,
  batteryHeatCapJPerK,
  aggregateCellHeat,
  writeCellTemps,
  addGas,
  CELL_94AH,
  type ContainerSpec,
} from './container';

const jouleW = (cRate: number) => (cRate * CELL_94AH.capacityAh) ** 2 * CELL_94AH.rIntOhm;

function run(spec: ContainerSpec, opts: { hours: number; dtS: number; cellW: number; ambientC: number; startC: number; setup?: (c: ReturnType<typeof createContainer>) => void }) {
  const c = createContainer(spec, { tempC: opts.startC, ambientC: opts.ambientC });
  opts.setup?.(c);
  const steps = Math.round((opts.hours * 3600) / opts.dtS);
  let maxLate = -Infinity;
  let coolingWhLate = 0;
  for (let k = 0; k < steps; k++) {
    c.nodeHeatW.fill(opts.cellW * spec.cellsPerNode);
    stepContainer(c, opts.dtS);
    if (k >= steps / 2) {
      maxLate = Math.max(maxLate, c.maxNodeC);
      coolingWhLate += (c.coolingW * opts.dtS) / 3600;
    }
  }
  return { c, maxLate, coolingWhLate };
}

describe('Samsung 94 Ah cell closed forms (README)', () => {
  it('adiabatic Joule rise 0.25C / 0.5C / 1C = 0.78 / 3.1 / 12.4 K/h (closed form and simulated node)', () => {
    const expected = [0.78, 3.1, 12.4];
    [0.25, 0.5, 1].forEach((cr, k) => {
      const closed = (jouleW(cr) * 3600) / (CELL_94AH.massKg * CELL_94AH.cpJPerKgK);
      expect(Math.abs(closed - expected[k]) / expected[k]).toBeLessThan(0.02);
      // the container's battery node with no path to the air is adiabatic
      const spec = { ...container40ft({ nodes: 1, cells: 1 }), cellToAirWPerK: 0 };
      const c = createContainer(spec, { tempC: 25 });
      for (let i = 0; i < 3600; i++) {
        c.nodeHeatW[0] = jouleW(cr);
        stepContainer(c, 1);
      }
      expect(c.nodeTempC[0] - 25).toBeCloseTo(closed, 6);
    });
  });
  it('heat load of 8,000 cells at 0.5C / 1C = 14.5 / 57.9 kW', () => {
    expect((8000 * jouleW(0.5)) / 1000).toBeCloseTo(14.5, 1);
    expect((8000 * jouleW(1)) / 1000).toBeCloseTo(57.9, 1);
  });
});

describe('40 ft envelope (README)', () => {
  const spec = container40ft();
  it('UA about 115 W/K, battery heat capacity 16.8 MJ/K, time constant about 41 h', () => {
    expect(Math.abs(envelopeUA(spec) - 115) / 115).toBeLessThan(0.02);
    expect(batteryHeatCapJPerK(spec)).toBeCloseTo(16.8e6, -4);
    expect(Math.abs(coolDownTimeConstantS(spec) / 3600 - 41) / 41).toBeLessThan(0.03);
  });
  it('simulated cool-down with the HVAC off follows the 41 h time constant (dt 60 s and 600 s agree)', () => {
    const out: number[] = [];
    for (const dtS of [60, 600]) {
      const { c } = run(spec, { hours: 41, dtS, cellW: 0, ambientC: 20, startC: 30, setup: (cc) => (cc.hvacFailed = true) });
      // after one time constant the excess has fallen to about 1/e
      const frac = (c.maxNodeC - 20) / 10;
      expect(frac).toBeGreaterThan(0.34);
      expect(frac).toBeLessThan(0.40);
      out.push(c.maxNodeC);
    }
    expect(Math.abs(out[0] - out[1])).toBeLessThan(0.05);
  });
});

describe('HVAC 30 kW (README: holds 0.5C near set-point, cannot hold 1C)', () => {
  const spec = container40ft({ nodes: 20 });
  it('0.5C continuous cycling on a 35 degC day stays within the band of the 25 degC set-point', () => {
    const r = run(spec, { hours: 24, dtS: 10, cellW: jouleW(0.5), ambientC: 35, startC: 25 });
    expect(r.maxLate).toBeLessThan(25 + 1 + 0.5);
    // cooling delivered about the heat load + envelope gain, electric = cooling / 3 + fan
    const meanCoolingW = r.coolingWhLate / 12;
    expect(meanCoolingW).toBeGreaterThan(14.5e3);
    expect(meanCoolingW).toBeLessThan(18e3);
  });
  it('1C cannot be held: the hottest node climbs well above the set-point', () => {
    const r = run(spec, { hours: 24, dtS: 10, cellW: jouleW(1), ambientC: 35, startC: 25 });
    expect(r.c.coolingW).toBeCloseTo(30e3, 0);
    expect(r.c.maxNodeC).toBeGreaterThan(25 + 50);
    expect(r.c.electricW).toBeCloseTo(30e3 / 3 + spec.hvac.fanPowerW, 0);
  });
});

describe('fault hooks and coolant loop', () => {
  const spec = container40ft({ nodes: 20 });
  it('fan failure: the unit runs but delivers no cooling', () => {
    const r = run(spec, { hours: 2, dtS: 10, cellW: jouleW(0.5), ambientC: 35, startC: 27, setup: (c) => (c.fanFactor = 0) });
    expect(r.c.coolingOn).toBe(true);
    expect(r.c.coolingW).toBe(0);
  });
  it('set-point drift moves the controlled temperature', () => {
    const a = run(spec, { hours: 12, dtS: 10, cellW: jouleW(0.5), ambientC: 35, startC: 25 });
    const b = run(spec, { hours: 12, dtS: 10, cellW: jouleW(0.5), ambientC: 35, startC: 25, setup: (c) => (c.setpointOffsetK = 5) });
    expect(b.maxLate - a.maxLate).toBeGreaterThan(4);
    expect(b.maxLate - a.maxLate).toBeLessThan(6);
  });
  it('capacity factor 0.3 (9 kW) cannot hold 0.5C', () => {
    const r = run(spec, { hours: 24, dtS: 10, cellW: jouleW(0.5), ambientC: 35, startC: 25, setup: (c) => (c.capacityFactor = 0.3) });
    expect(r.c.maxNodeC).toBeGreaterThan(30);
  });
  it('heating on a cold day keeps the coldest node near the heat set-point, COP 2.5', () => {
    const r = run(spec, { hours: 24, dtS: 10, cellW: 0, ambientC: -20, startC: 12 });
    expect(r.c.minNodeC).toBeGreaterThan(10 - 1 - 0.5);
    expect(r.c.minNodeC).toBeLessThan(10 + 1 + 0.5);
  });
  it('liquid loop: an 80 kW chiller holds 1C; a coolant leak (flow x 0.05) does not', () => {
    const coolant = {
      heatCapJPerK: 2e6,
      nodeToCoolantWPerK: 2000,
      flowWPerK: 8000,
      chillerCapacityW: 80e3,
      copChiller: 3,
      setpointC: 25,
      bandK: 2,
      minSupplyC: 15,
      pumpPowerW: 2000,
    };
    const liquid = container40ft({ nodes: 20, coolant });
    const ok = run(liquid, { hours: 24, dtS: 10, cellW: jouleW(1), ambientC: 35, startC: 25 });
    expect(ok.maxLate).toBeLessThan(27.5);
    expect(ok.c.electricW).toBeGreaterThan(0);
    const leak = run(liquid, { hours: 24, dtS: 10, cellW: jouleW(1), ambientC: 35, startC: 25, setup: (c) => (c.coolantFlowFactor = 0.05) });
    expect(leak.c.maxNodeC).toBeGreaterThan(35);
  });
  it('per-cell aggregation and write-back, gas concentration', () => {
    const s = container40ft({ nodes: 4, cells: 8 });
    const c = createContainer(s, { tempC: 25 });
    aggregateCellHeat(c, new Float64Array([1, 1, 2, 2, 3, 3, 4, 4]));
    expect(Array.from(c.nodeHeatW)).toEqual([2, 4, 6, 8]);
    stepContainer(c, 1);
    const cellT = new Float64Array(8);
    writeCellTemps(c, cellT);
    expect(cellT[7]).toBe(c.nodeTempC[3]);
    addGas(c, 1);
    stepContainer(c, 1);
    // about 2,400 mol of air in the free volume: 1 mol is ~400 ppm
    expect(c.gasPpm).toBeGreaterThan(300);
    expect(c.gasPpm).toBeLessThan(500);
  });
});
