import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAging, stepAging, flushAging, powerLawContinue, agingSummary, cycleStress } from './aging';
import { getAgingSet, listAgingSets, defaultAgingSetFor } from './agingSets';
import { runCycler, nasaCell, seversonCell, parseSeversonPolicy as parsePolicy, type CyclerCell } from './agingCycler';

const R = 8.314462618;
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dataDir = process.env.TWINBENCH_DATA_DIR ?? path.resolve(repoRoot, '..', 'shared', 'data');

function fleetOf(n: number, soc: number, tempC: number, ocvV: number, capAh: number) {
  return {
    n,
    soc: new Float64Array(n).fill(soc),
    tempC: new Float64Array(n).fill(tempC),
    ocvV: new Float64Array(n).fill(ocvV),
    capacityAh: new Float64Array(n).fill(capAh),
    r0Scale: new Float64Array(n).fill(1),
  };
}

describe('aging model mechanics', () => {
  it('power-law continuation: piecewise application under constant stress equals the closed form', () => {
    let L = 0;
    for (let k = 0; k < 1000; k++) L = powerLawContinue(L, 0.01, 0.5, 0.37);
    expect(L).toBeCloseTo(0.01 * Math.sqrt(370), 12);
    // after a change of stress the loss continues from the same value (no jump)
    const L2 = powerLawContinue(L, 0.02, 0.5, 1e-9);
    expect(L2).toBeCloseTo(L, 6);
  });

  it('Naumann 2018 calendar fade: closed form and Arrhenius ratio (45 vs 25 degC)', () => {
    const set = getAgingSet('lfp-naumann2020');
    if (set.model !== 'naumann2018-2020') throw new Error('wrong set');
    const year = 365 * 86400;
    const run = (tempC: number) => {
      const f = fleetOf(1, 0.5, tempC, 3.3, 3);
      const st = createAging(f, { set: 'lfp-naumann2020', calendarEveryS: 86400 });
      const I = new Float64Array(1);
      for (let t = 0; t < year; t += 3600) stepAging(st, f, I, 3600);
      flushAging(st, f);
      return { s: agingSummary(st, 0), f };
    };
    const a = run(25);
    const expected = set.cal.kRef * set.cal.d * Math.sqrt(year); // (SOC - 0.5)^3 = 0
    expect(a.s.lossCalendar).toBeCloseTo(expected, 10);
    expect(a.s.lossCycle).toBe(0);
    expect(a.f.capacityAh[0]).toBeCloseTo(3 * (1 - expected), 10); // written back
    expect(a.f.r0Scale[0]).toBeGreaterThan(1);
    const b = run(45);
    const ratio = Math.exp((set.cal.ea / R) * (1 / 298.15 - 1 / 318.15));
    expect(b.s.lossCalendar / a.s.lossCalendar).toBeCloseTo(ratio, 6);
  });

  it('Schmalstieg 2014 calendar fade: alpha_cap t^0.75, higher at higher voltage', () => {
    const set = getAgingSet('nmc-schmalstieg2014');
    if (set.model !== 'schmalstieg2014') throw new Error('wrong set');
    const days = 200;
    const run = (v: number) => {
      const f = fleetOf(1, 0.5, 35, v, 2.15);
      const st = createAging(f, { set: set.name });
      const I = new Float64Array(1);
      for (let t = 0; t < days * 86400; t += 600) stepAging(st, f, I, 600);
      flushAging(st, f);
      return agingSummary(st, 0).lossCalendar;
    };
    const c = set.cal;
    const alpha = (c.a1 * 3.8 + c.a0) * c.scale * Math.exp(-c.eaK / (35 + 273.15));
    expect(run(3.8)).toBeCloseTo(alpha * days ** 0.75, 10);
    expect(run(4.1)).toBeGreaterThan(run(3.6));
  });

  it('cycle fade from charge throughput: Naumann 2020 closed form over full 1C cycles', () => {
    const cell: CyclerCell = {
      capacityAh: 3,
      ambientC: 25,
      ocvSoc: [0, 1],
      ocvV: [3.3, 3.3],
      protocol: [
        { kind: 'cc', cRate: 1, untilSoc: 0 },
        { kind: 'cc', cRate: -1, untilSoc: 1 },
      ],
    };
    const r = runCycler([cell], 200, 5, { set: 'lfp-naumann2020' });
    const s = agingSummary(r.state, 0);
    const set = getAgingSet('lfp-naumann2020');
    const out = cycleStress(set, 1, 1, 3.3, 298.15, 3, new Float64Array(5));
    // The capacity shrinks as it fades, so one full-DOD cycle moves slightly less than 3 Ah:
    // compare with the FEC the model actually counted.
    expect(s.fec).toBeGreaterThan(190);
    expect(s.fec).toBeLessThan(201);
    expect(s.lossCycle).toBeCloseTo(out[0] * Math.sqrt(s.fec), 3);
    expect(r.state.halfCycles).toBeGreaterThan(390);
  });

  it('regen pulses inside a discharge do not split the half-cycle', () => {
    const f = fleetOf(1, 1, 25, 3.7, 2);
    const st = createAging(f, { set: 'nmc-schmalstieg2014' });
    const I = new Float64Array(1);
    for (let k = 0; k < 3000; k++) {
      I[0] = k % 60 < 50 ? 2.5 : -2; // net discharge with 10 s regen every minute
      f.soc[0] -= (I[0] * 1) / 3600 / 2;
      stepAging(st, f, I, 1);
    }
    expect(st.halfCycles).toBe(0);
    expect(st.hcDir[0]).toBe(1);
    flushAging(st, f);
    expect(st.halfCycles).toBe(1);
    expect(agingSummary(st, 0).lossCycle).toBeGreaterThan(0);
  });

  it('lists sets and picks a default by chemistry', () => {
    expect(listAgingSets()).toEqual(expect.arrayContaining(['nmc-schmalstieg2014', 'lfp-naumann2020', 'lfp-wang2011']));
    expect(defaultAgingSetFor('LFP')).toBe('lfp-naumann2020');
    expect(defaultAgingSetFor('NCA')).toBe('nmc-schmalstieg2014');
    expect(() => getAgingSet('nope')).toThrow(/known: /);
  });
});

// -------------------------------------------------------------------------------------------
// Plausibility against measured data (../shared/data). Bands and reasons in docs/aging.md.

function readCsv(file: string): Record<string, string>[] {
  const lines = readFileSync(file, 'utf8').replace(/^\uFEFF/, '').trim().split(/\r?\n/);
  const head = lines[0].split(',');
  return lines.slice(1).map((l) => {
    const v = l.split(',');
    return Object.fromEntries(head.map((h, i) => [h, v[i]]));
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function spearman(x: number[], y: number[]): number {
  const rank = (a: number[]) => {
    const idx = a.map((v, i) => [v, i] as const).sort((p, q) => p[0] - q[0]);
    const r = new Array<number>(a.length);
    for (let i = 0; i < idx.length; ) {
      let j = i;
      while (j + 1 < idx.length && idx[j + 1][0] === idx[i][0]) j++;
      for (let k = i; k <= j; k++) r[idx[k][1]] = (i + j) / 2;
      i = j + 1;
    }
    return r;
  };
  const rx = rank(x);
  const ry = rank(y);
  const mx = rx.reduce((a, b) => a + b) / rx.length;
  const my = ry.reduce((a, b) => a + b) / ry.length;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < rx.length; i++) {
    sxy += (rx[i] - mx) * (ry[i] - my);
    sxx += (rx[i] - mx) ** 2;
    syy += (ry[i] - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

describe('plausibility: NASA PCoE B0005/B0006/B0007/B0018 (Saha & Goebel 2007)', () => {
  const rows = readCsv(path.join(dataDir, 'nasa-pcoe-battery-aging', 'capacity_vs_cycle_B0005_B0006_B0007_B0018.csv'));
  const cells = ['B0005', 'B0006', 'B0007', 'B0018'];
  const cap: Record<string, number[]> = {};
  for (const r of rows) (cap[r.cell] ??= []).push(Number(r.capacity_Ah));
  const fadeMeas = (c: string, k: number) => 1 - cap[c][k - 1] / cap[c][0];
  const sim = runCycler([nasaCell(1.86)], 168, 10, { set: 'nmc-schmalstieg2014' });
  const fadeSim = (k: number) => 1 - sim.capacity[0][k - 1];

  it('published NMC model (Schmalstieg 2014): fade within a factor of 3 of the measured mean', () => {
    const table: Record<string, unknown>[] = [];
    for (const k of [50, 100, 132]) {
      // all four cells have >= 132 discharges; the model is a population model, compare means
      const mean = cells.reduce((a, c) => a + fadeMeas(c, k), 0) / cells.length;
      const s = fadeSim(k);
      table.push({ cycle: k, measuredMean: +mean.toFixed(3), simulated: +s.toFixed(3), ratio: +(s / mean).toFixed(2) });
      expect(s / mean).toBeGreaterThan(1 / 3);
      expect(s / mean).toBeLessThan(3);
    }
    for (const c of cells) {
      const n = cap[c].length;
      table.push({ cell: c, cycle: n, measured: +fadeMeas(c, n).toFixed(3), simulated: +fadeSim(n).toFixed(3), ratio: +(fadeSim(n) / fadeMeas(c, n)).toFixed(2) });
    }
    console.log('NASA vs nmc-schmalstieg2014\n' + table.map((r) => JSON.stringify(r)).join('\n'));
    // the simulated fade grows monotonically with cycles
    for (let k = 2; k <= 168; k++) expect(fadeSim(k)).toBeGreaterThanOrEqual(fadeSim(k - 1) - 1e-12);
  });

  it('one degradation scalar fitted on B0005 predicts the other cells within the measured cell-to-cell spread', () => {
    // band from the data: how far the other cells' final fade lies from B0005's at the same cycle
    // (same protocol, so this is cell-to-cell variation a calibrated model cannot remove)
    let band = 0;
    for (const c of ['B0006', 'B0007', 'B0018']) {
      const n = cap[c].length;
      band = Math.max(band, Math.abs(fadeMeas(c, n) / fadeMeas('B0005', n) - 1));
    }
    // least squares of measured vs simulated fade over B0005's cycles: fade scales with the scalar
    let sxy = 0;
    let sxx = 0;
    for (let k = 1; k <= 168; k++) {
      sxy += fadeSim(k) * fadeMeas('B0005', k);
      sxx += fadeSim(k) ** 2;
    }
    const scalar = sxy / sxx;
    const out: Record<string, unknown>[] = [{ scalar: +scalar.toFixed(3), band: +band.toFixed(3) }];
    for (const c of ['B0006', 'B0007', 'B0018']) {
      const n = cap[c].length;
      const pred = scalar * fadeSim(n);
      const m = fadeMeas(c, n);
      out.push({ cell: c, cycle: n, measured: +m.toFixed(3), predicted: +pred.toFixed(3), relErr: +(pred / m - 1).toFixed(3) });
      expect(Math.abs(pred / m - 1)).toBeLessThanOrEqual(band);
    }
    console.log('NASA, scalar fitted on B0005\n' + out.map((r) => JSON.stringify(r)).join('\n'));
    expect(scalar).toBeGreaterThan(1); // these cells fade faster than Schmalstieg's Sanyo cells
  });
});

describe('plausibility: NASA protocol through the full twin (ECM + pack + aging)', () => {
  it('capacity to the 2.7 V cut-off fades at least as fast as the model capacity, and within the NASA band', async () => {
    const { getParamSet } = await import('./paramSets');
    const { createPack, stepPack, packCurrentForVoltage } = await import('./pack');
    // Stand-in cell: the measured Panasonic NCR18650PF tables (an 18650 with the same 4.2 V
    // window), capacity set to the NASA cells' 1.86 Ah.
    const p = getParamSet('panasonic-ncr18650pf');
    const pack = createPack(p, { series: 1, parallel: 1 }, { soc: 1, tempC: 24 }, 1);
    pack.fleet.capacityAh[0] = 1.86;
    const st = createAging(pack.fleet, { set: 'nmc-schmalstieg2014' });
    const dt = 10;
    const step = (i: number) => {
      stepPack(pack, p, i, 24, dt);
      stepAging(st, pack.fleet, pack.cellCurrentA, dt);
    };
    const delivered: number[] = [];
    for (let c = 0; c < 168; c++) {
      let ah = 0;
      while (pack.minCellV > 2.7) {
        step(2);
        ah += (2 * dt) / 3600;
      }
      delivered.push(ah);
      for (let k = 0; k < 60; k++) step(0);
      while (pack.maxCellV < 4.2 && pack.maxSoc < 1) step(-1.5);
      // CV at 4.2 V to 20 mA; the table's OCV at SOC 1 lies a little below 4.2 V (C/20 data), so
      // the taper is also ended at full charge
      for (let k = 0; k < 2000 && pack.maxSoc < 1; k++) {
        const i = packCurrentForVoltage(pack, p, 4.2, dt);
        if (i > -0.02) break;
        step(Math.max(i, ((pack.fleet.soc[0] - 1) * pack.fleet.capacityAh[0] * 3600) / dt));
      }
      for (let k = 0; k < 60; k++) step(0);
    }
    flushAging(st, pack.fleet);
    const fade = (k: number) => 1 - delivered[k - 1] / delivered[0];
    const capOnly = 1 - pack.fleet.capacityAh[0] / 1.86;
    console.log(
      'NASA protocol through the twin: ' +
        JSON.stringify({ firstAh: +delivered[0].toFixed(3), fade50: +fade(50).toFixed(3), fade100: +fade(100).toFixed(3), fade132: +fade(132).toFixed(3), fade168: +fade(168).toFixed(3), capacityOnly168: +capOnly.toFixed(3), r0Growth: +(pack.fleet.r0Scale[0] - 1).toFixed(3) }),
    );
    expect(fade(168)).toBeGreaterThanOrEqual(capOnly - 0.01);
    const mean132 = 0.279; // measured 4-cell mean fade at cycle 132 (table in docs/aging.md)
    expect(fade(132) / mean132).toBeGreaterThan(1 / 3);
    expect(fade(132) / mean132).toBeLessThan(3);
  });
});

describe('plausibility: Severson et al. 2019 LFP fast charging (A123 APR18650M1A)', () => {
  const table = readCsv(path.join(dataDir, 'severson-attia-2019-lfp-cycle-life', 'severson_SI_table9_cells.csv'));
  const feats = readCsv(path.join(dataDir, 'severson-attia-2019-lfp-cycle-life', 'cells_cycle_life_and_features.csv'));
  const q0 = median(feats.map((r) => Number(r.Q2_Ah))); // about 1.056 Ah at cycle 2
  const byPolicy = new Map<string, number[]>();
  for (const r of table) {
    const p = r['Charging policy'];
    if (!byPolicy.has(p)) byPolicy.set(p, []);
    byPolicy.get(p)!.push(Number(r['Cycle life']));
  }
  // policies tested on at least two cells (a single cell can be an outlier, e.g. 148 cycles)
  const policies = [...byPolicy.keys()].filter((p) => byPolicy.get(p)!.length >= 2).sort();
  const eolFrac = 0.88 / q0; // Severson's end of life: discharge capacity < 0.88 Ah (80 % of 1.1 Ah)

  it('the measured data: faster average charging shortens life (sanity of the claim)', () => {
    const x = table.map((r) => parsePolicy(r['Charging policy']).avgC);
    const y = table.map((r) => Number(r['Cycle life']));
    const rho = spearman(x, y);
    // significant at about the 5 % level: |rho| sqrt(n - 1) > 2 (normal approximation)
    expect(rho).toBeLessThan(0);
    expect(-rho * Math.sqrt(x.length - 1)).toBeGreaterThan(2);
  });

  it('Naumann LFP model: cycle life within an order of magnitude of the measured medians, and shorter with faster charging', () => {
    const cells = policies.map((p) => seversonCell(p, q0));
    const r = runCycler(cells, 5000, 30, { set: 'lfp-naumann2020' }, cells.map(() => eolFrac), true);
    const rows = policies.map((p, i) => ({
      policy: p,
      avgC: +parsePolicy(p).avgC.toFixed(2),
      measuredMedian: median(byPolicy.get(p)!),
      cells: byPolicy.get(p)!.length,
      predicted: r.eolCycle[i],
      meanTempC: +r.meanTempC[i].toFixed(1),
    }));
    console.log('Severson vs lfp-naumann2020\n' + rows.map((o) => JSON.stringify(o)).join('\n'));
    for (const o of rows) {
      expect(Number.isFinite(o.predicted)).toBe(true);
      expect(Math.abs(Math.log10(o.predicted / o.measuredMedian))).toBeLessThan(1);
    }
    // single-step policies C(80%)-C: strictly shorter predicted life at higher rate
    const single = rows.filter((o) => /^([\d.]+)C\(80%\)-\1C$/.test(o.policy)).sort((a, b) => a.avgC - b.avgC);
    expect(single.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < single.length; i++) expect(single[i].predicted).toBeLessThan(single[i - 1].predicted);
    expect(spearman(rows.map((o) => o.avgC), rows.map((o) => o.predicted))).toBeLessThan(-0.3);
  });
});

describe('aging coupled to the pack / ECM fleet', () => {
  it('capacity fade and resistance growth written back change what the pack delivers', async () => {
    const { getParamSet } = await import('./paramSets');
    const { createPack, stepPack } = await import('./pack');
    const p = getParamSet('panasonic-ncr18650pf');
    const pack = createPack(p, { series: 2, parallel: 2 }, { soc: 1, tempC: 25 }, 1);
    // exaggerated scalar so a few cycles show the effect (the published model at scalar 1 would
    // need hundreds of cycles)
    const st = createAging(pack.fleet, { chemistry: p.chemistry, scalar: 50, calendarEveryS: 600 });
    const dischargeAh = () => {
      let ah = 0;
      while (pack.minCellV > p.vMinV) {
        stepPack(pack, p, 5.8, 25, 5);
        stepAging(st, pack.fleet, pack.cellCurrentA, 5);
        ah += (5.8 * 5) / 3600;
      }
      for (let k = 0; k < 120; k++) {
        stepPack(pack, p, 0, 25, 5);
        stepAging(st, pack.fleet, pack.cellCurrentA, 5);
      }
      while (pack.maxCellV < p.vMaxV - 0.01) {
        stepPack(pack, p, -2.9, 25, 5);
        stepAging(st, pack.fleet, pack.cellCurrentA, 5);
      }
      for (let k = 0; k < 120; k++) {
        stepPack(pack, p, 0, 25, 5);
        stepAging(st, pack.fleet, pack.cellCurrentA, 5);
      }
      return ah;
    };
    const first = dischargeAh();
    for (let c = 0; c < 3; c++) dischargeAh();
    const last = dischargeAh();
    flushAging(st, pack.fleet);
    expect(last).toBeLessThan(first * 0.97);
    for (let i = 0; i < 4; i++) {
      expect(pack.fleet.capacityAh[i]).toBeLessThan(p.capacityAh);
      expect(pack.fleet.r0Scale[i]).toBeGreaterThan(1);
    }
    expect(st.halfCycles).toBeGreaterThanOrEqual(4 * 8);
  });
});
