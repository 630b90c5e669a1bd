// Converts PyBaMM's ECM_Example tables (../shared/data/pybamm-ecm-example) into the Twinbench
// parameter file sim/battery/sets/pybamm-ecm-example.json.
//   npx tsx cli/buildPybammSet.ts
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { readNumericCsv, dataDir, repoRoot } from './csvTable';
import { CellParamsSchema, type CellParams } from '../sim/battery/params';
import { interp1, interp2 } from '../sim/core/table';

const dir = path.join(dataDir(), 'pybamm-ecm-example');
const ocvCsv = readNumericCsv(path.join(dir, 'ecm_example_ocv.csv'));
const r0Csv = readNumericCsv(path.join(dir, 'ecm_example_r0.csv'));
const r1Csv = readNumericCsv(path.join(dir, 'ecm_example_r1.csv'));
const c1Csv = readNumericCsv(path.join(dir, 'ecm_example_c1.csv'));
const dudtCsv = readNumericCsv(path.join(dir, 'ecm_example_dudt.csv'));

const round = (v: number, d = 10) => Number(v.toPrecision(d));
const uniq = (a: Float64Array) => [...new Set(Array.from(a).map((v) => round(v, 8)))].sort((x, y) => x - y);

const temps = uniq(r0Csv.cols['Temperature [degC]']);
const currents = uniq(r0Csv.cols['Current [A]']);
const socs = uniq(r0Csv.cols['SoC']);

function grid3(csv: ReturnType<typeof readNumericCsv>, col: string): Map<string, number> {
  const m = new Map<string, number>();
  for (let r = 0; r < csv.rows; r++) {
    const k = `${round(csv.cols['Temperature [degC]'][r], 8)}|${round(csv.cols['Current [A]'][r], 8)}|${round(csv.cols['SoC'][r], 8)}`;
    m.set(k, csv.cols[col][r]);
  }
  return m;
}
const R0 = grid3(r0Csv, 'R0 [Ohm]');
const R1 = grid3(r1Csv, 'R1 [Ohm]');
const C1 = grid3(c1Csv, 'C1 [F]');
const get = (m: Map<string, number>, t: number, i: number, s: number) => {
  const v = m.get(`${t}|${i}|${s}`);
  if (v === undefined) throw new Error(`missing grid point T=${t} I=${i} SoC=${s}`);
  return v;
};

// SOC grid 0..1 step 0.01 (the OCV table's step; the 0.05 resistance grid is a sub-grid, so
// linear resampling is exact).
const socBp = Array.from({ length: 101 }, (_, k) => round(k / 100, 6));
const ocvS = Array.from(ocvCsv.cols['SoC']);
const ocvV = Array.from(ocvCsv.cols['OCV [V]']);
const ocvRow = socBp.map((s) => round(interp1(ocvS, ocvV, s)));

const tab = (m: Map<string, number>) =>
  temps.map((t) => {
    const row = socs.map((s) => get(m, t, 0, s));
    return socBp.map((s) => round(interp1(socs, row, s)));
  });
const r0Ohm = tab(R0);
const r1Ohm = tab(R1);
const c1F = tab(C1);

// current dependence: multiplier vs |I| (tables are symmetric in the sign of I); check separability
const absI = currents.filter((i) => i >= 0);
let maxSepErr = 0;
const scale = (m: Map<string, number>) =>
  temps.map((t) =>
    absI.map((i) => {
      const k = get(m, t, i, 0.5) / get(m, t, 0, 0.5);
      for (const s of socs) maxSepErr = Math.max(maxSepErr, Math.abs(get(m, t, i, s) / get(m, t, 0, s) - k));
      for (const s of socs) if (i > 0 && i <= 400) maxSepErr = Math.max(maxSepErr, Math.abs(get(m, t, -i, s) / get(m, t, 0, s) - k));
      return round(k);
    }),
  );
const r0Scale = scale(R0);
const rcScale = scale(R1);
// tau = R1 C1 independent of current?
let maxTauErr = 0;
for (const t of temps) for (const i of currents) for (const s of socs) maxTauErr = Math.max(maxTauErr, Math.abs(get(R1, t, i, s) * get(C1, t, i, s) - get(R1, t, 0, s) * get(C1, t, 0, s)) / 30);
console.error(`separability error of the current multiplier: ${maxSepErr.toExponential(2)}; tau variation: ${maxTauErr.toExponential(2)}`);

// dU/dT(OCV, T) -> [temp][soc] through OCV(soc)
const dOcv = uniq(dudtCsv.cols['OCV [V]']);
const dT = uniq(dudtCsv.cols['Temperature [degC]']);
const dMap = new Map<string, number>();
for (let r = 0; r < dudtCsv.rows; r++) dMap.set(`${round(dudtCsv.cols['OCV [V]'][r], 8)}|${round(dudtCsv.cols['Temperature [degC]'][r], 8)}`, dudtCsv.cols['dUdT [V/K]'][r]);
const dZ = dT.map((t) => dOcv.map((o) => dMap.get(`${o}|${t}`)!)); // [temp][ocv]
const dUdTVPerKTable = temps.map((t) => ocvRow.map((o) => round(interp2(dT, dOcv, dZ, t, o))));

const params: CellParams = {
  name: 'pybamm-ecm-example',
  chemistry: 'other',
  source:
    'PyBaMM ECM_Example parameter set (pybamm.ParameterValues("ECM_Example")), PyBaMM commit 7c9f5bd81d1187aa1edc4d33636cd002c661901b, ' +
    'packages/pybamm/src/pybamm/input/parameters/ecm/data/ecm_example_{ocv,r0,r1,c1,dudt}.csv and example_set.py, BSD-3-Clause, (c) 2018 the PyBaMM team. ' +
    'Demonstration set, does not describe a particular cell. Converted by cli/buildPybammSet.ts.',
  capacityAh: 100,
  vMinV: 3.2,
  vMaxV: 4.2,
  socBreakpoints: socBp,
  tempBreakpointsC: temps,
  ocvV: temps.map(() => ocvRow),
  r0Ohm,
  r1Ohm,
  c1F,
  dUdTVPerKTable,
  currentDependence: { currentBreakpointsA: absI, r0Scale, rcScale },
  thermal: {
    // cell thermal mass 1000 J/K; cell-jig 10 W/K; jig thermal mass 500 J/K; jig-air 10 W/K
    massKg: 1,
    cpJPerKgK: 1000,
    hConvWPerM2K: 10,
    areaM2: 1,
    jig: { heatCapacityJPerK: 500, jigAmbientWPerK: 10 },
  },
  notes:
    'R(T, I, SoC) = R(T, 0, SoC) * scale(T, |I|) (separable in the source tables); C1 = 30 s / R1. PyBaMM caps the current used for lookups at 340 A ("RCR lookup limit"): currentDependence stops at 700 A here. OCV table clipped to SoC 0..1.',
};
const parsed = CellParamsSchema.parse(params);
const out = path.join(repoRoot(), 'sim', 'battery', 'sets', 'pybamm-ecm-example.json');
writeFileSync(out, JSON.stringify(parsed, null, 1) + '\n');
console.error(`wrote ${out}`);
