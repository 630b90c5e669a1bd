// Builds the published-literature parameter sets (LFP, NMC, LCO) as JSON data files:
//   npx tsx cli/buildPublishedSets.ts
// Every number comes from the cited source, except where marked "assumed" (documented in the
// set's notes and in docs/twin-core.md).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './csvTable';
import { CellParamsSchema, type CellParams } from '../sim/battery/params';
import { interp1 } from '../sim/core/table';

const out = (p: CellParams) => {
  const parsed = CellParamsSchema.parse(p);
  const file = path.join(repoRoot(), 'sim', 'battery', 'sets', `${p.name}.json`);
  writeFileSync(file, JSON.stringify(parsed) + '\n');
  console.error(`wrote ${file}`);
};
const r = (v: number, d = 5) => Number(v.toPrecision(d));
const soc21 = Array.from({ length: 21 }, (_, k) => Number((k / 20).toFixed(2)));
const arrhenius = (eaJPerMol: number, tC: number, refC = 25) => Math.exp((eaJPerMol / 8.314) * (1 / (tC + 273.15) - 1 / (refC + 273.15)));

// ---------------------------------------------------------------------------------------------
// LCO: Chen & Rincon-Mora 2006 (TCL PL-383562 LiCoO2 polymer cell, 850 mAh), 2 RC, 25 degC
{
  const voc = (s: number) => -1.031 * Math.exp(-35 * s) + 3.685 + 0.2156 * s - 0.1178 * s * s + 0.3201 * s ** 3;
  const rs = (s: number) => 0.1562 * Math.exp(-24.37 * s) + 0.07446;
  const rts = (s: number) => 0.3208 * Math.exp(-29.14 * s) + 0.04669;
  const cts = (s: number) => -752.9 * Math.exp(-13.51 * s) + 703.6;
  const rtl = (s: number) => 6.603 * Math.exp(-155.2 * s) + 0.04984;
  const ctl = (s: number) => -6056 * Math.exp(-27.12 * s) + 4475;
  const sb = [0, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];
  out({
    name: 'lco-chen2006',
    chemistry: 'LCO',
    source:
      'M. Chen, G. A. Rincon-Mora, "Accurate electrical battery model capable of predicting runtime and I-V performance", IEEE Trans. Energy Conversion 21(2):504-511, 2006, doi:10.1109/TEC.2006.874229 (fitted functions Voc, Rseries, R/C transient short and long, TCL PL-383562 850 mAh LiCoO2 polymer cell).',
    capacityAh: 0.85,
    vMinV: 3.0,
    vMaxV: 4.2,
    socBreakpoints: sb,
    tempBreakpointsC: [25],
    ocvV: [sb.map((s) => r(voc(s)))],
    r0Ohm: [sb.map((s) => r(rs(s)))],
    r1Ohm: [sb.map((s) => r(rts(s)))],
    c1F: [sb.map((s) => r(Math.max(cts(s), 1)))],
    r2Ohm: [sb.map((s) => r(rtl(s)))],
    c2F: [sb.map((s) => r(Math.max(ctl(s), 1)))],
    thermal: { massKg: 0.018, cpJPerKgK: 1000, hConvWPerM2K: 10, areaM2: 0.0045 },
    notes:
      'Single temperature (25 degC) as published; tables sampled from the closed-form fits on a non-uniform SOC grid. Thermal data assumed (about 18 g pouch, cp 1000 J/kgK, h 10 W/m2K on 45 cm2). Capacitances clipped at 1 F where the fitted exponential goes negative (SOC < 0.01).',
  });
}

// ---------------------------------------------------------------------------------------------
// NMC: Huria, Ceraolo, Gazzarri, Jackey 2012 (Kokam high-power lithium polymer NMC pouch cell),
// 1 RC, 5 / 20 / 40 degC, tables as distributed with the MathWorks Simscape example that
// reproduces the paper (ssc_lithium_cell_1RC).
{
  const sb = [0, 0.1, 0.25, 0.5, 0.75, 0.9, 1];
  const temps = [5, 20, 40];
  // [soc][temp] as published
  const em = [[3.49, 3.51, 3.52], [3.55, 3.56, 3.56], [3.62, 3.64, 3.64], [3.71, 3.71, 3.72], [3.91, 3.93, 3.94], [4.07, 4.08, 4.08], [4.19, 4.19, 4.19]];
  const r0 = [[0.0117, 0.0085, 0.009], [0.011, 0.0085, 0.009], [0.0114, 0.0087, 0.0092], [0.0107, 0.0082, 0.0088], [0.0107, 0.0083, 0.0091], [0.0113, 0.0085, 0.0089], [0.0116, 0.0085, 0.0089]];
  const r1 = [[0.0109, 0.0029, 0.0013], [0.0069, 0.0024, 0.0012], [0.0047, 0.0026, 0.0013], [0.0034, 0.0016, 0.001], [0.0033, 0.0023, 0.0014], [0.0033, 0.0018, 0.0011], [0.0028, 0.0017, 0.0011]];
  const c1 = [[1913.6, 12447, 30609], [4625.7, 18872, 32995], [23306, 40764, 47535], [10736, 18721, 26325], [18036, 33630, 48274], [12251, 18360, 26839], [9022.9, 23394, 30606]];
  const tr = (t: number[][]) => temps.map((_, j) => sb.map((__, i) => t[i][j]));
  out({
    name: 'nmc-huria2012',
    chemistry: 'NMC',
    source:
      'T. Huria, M. Ceraolo, J. Gazzarri, R. Jackey, "High fidelity electrical model with thermal dependence for characterization and simulation of high power lithium battery cells", IEEE Int. Electric Vehicle Conf. (IEVC) 2012, doi:10.1109/IEVC.2012.6183271 (Kokam high-power NMC lithium-polymer pouch cell); Em, R0, R1, C1 tables over SOC x {5, 20, 40} degC as distributed with the MathWorks Simscape Battery example ssc_lithium_cell_1RC.',
    capacityAh: 27.63,
    vMinV: 3.0,
    vMaxV: 4.2,
    socBreakpoints: sb,
    tempBreakpointsC: temps,
    ocvV: tr(em),
    r0Ohm: tr(r0),
    r1Ohm: tr(r1),
    c1F: tr(c1),
    thermal: { massKg: 0.8, cpJPerKgK: 810.5, hConvWPerM2K: 5, areaM2: 0.053 },
    notes:
      'Capacity 27.63 Ah (20 degC value of the published capacity table; 28.01 Ah at 5 degC, 27.64 Ah at 40 degC). Thermal: cp 810.5 J/kgK and h 5 W/m2K from the same example; mass 0.8 kg and area 0.053 m2 (two faces of a 205 x 130 mm pouch) assumed.',
  });
}

// ---------------------------------------------------------------------------------------------
// LFP: OCV from published half-cell OCP fits (LFP: Afshar, Morris & Khajepour 2017; graphite:
// Chen et al. 2020), combined as in PyBaMM's Prada2013 set, with assumed stoichiometry windows;
// resistance level of the A123 ANR26650M1 (Prada et al. 2013 cell) from its datasheet.
{
  const un = (s: number) => 1.9793 * Math.exp(-39.3631 * s) + 0.2482 - 0.0909 * Math.tanh(29.8538 * (s - 0.1234)) - 0.04478 * Math.tanh(14.9159 * (s - 0.2769)) - 0.0205 * Math.tanh(30.4444 * (s - 0.6103));
  const up = (s: number) => 3.4077 - 0.020269 * s + 0.5 * Math.exp(-150 * s) - 0.9 * Math.exp(-30 * (1 - s));
  const [n0, n1, p0, p1] = [0.045, 0.85, 0.955, 0.008];
  const ocvAt = (z: number) => up(p0 + (p1 - p0) * z) - un(n0 + (n1 - n0) * z);
  const sb = soc21;
  const temps = [-10, 0, 10, 25, 40];
  const ea = 30000; // J/mol, assumed (typical of LFP charge-transfer/ionic resistance)
  const r0Base = 0.010; // Ohm at 25 degC (datasheet AC 1 kHz 6 mOhm + contact/ionic share, assumed 10 mOhm DC)
  const socShape = (s: number) => 1 + 0.8 * (s - 0.5) ** 2 + 0.5 * Math.exp(-s / 0.05);
  const row = (f: (s: number) => number) => sb.map((s) => r(f(s)));
  out({
    name: 'lfp-a123-26650',
    chemistry: 'LFP',
    source:
      'OCV: LFP OCP fit of S. Afshar, K. Morris, A. Khajepour, "Efficient electrochemical model for lithium-ion cells", arXiv:1709.03970 (2017), minus the graphite OCP fit of C.-H. Chen et al., J. Electrochem. Soc. 167:080534 (2020), as combined in PyBaMM\'s Prada2013 set (E. Prada et al., J. Electrochem. Soc. 160(4):A616, 2013, A123 ANR26650M1 2.3 Ah LiFePO4/graphite cell). Resistance level: A123 ANR26650M1 datasheet (internal impedance 6 mOhm at 1 kHz, 2.3 Ah / 2.5 Ah nominal).',
    capacityAh: 2.3,
    vMinV: 2.0,
    vMaxV: 3.6,
    socBreakpoints: sb,
    tempBreakpointsC: temps,
    ocvV: temps.map(() => row((s) => Math.min(Math.max(ocvAt(s), 2.0), 3.65))),
    r0Ohm: temps.map((t) => row((s) => r0Base * socShape(s) * arrhenius(ea, t))),
    r1Ohm: temps.map((t) => row((s) => 0.6 * r0Base * socShape(s) * arrhenius(ea, t))),
    c1F: temps.map((t) => row((s) => 30 / (0.6 * r0Base * socShape(s) * arrhenius(ea, t)))),
    thermal: { massKg: 0.07, cpJPerKgK: 1100, hConvWPerM2K: 10, areaM2: 0.0054 },
    notes:
      'Stoichiometry windows assumed: graphite 0.045..0.85, LFP 0.955..0.008 (SOC 0..1), chosen so that OCV spans about 2.3..3.5 V. Resistances assumed around the datasheet level: R0 = 10 mOhm at 25 degC and SOC 0.5, R1 = 0.6 R0 with tau1 = 30 s (the ECM_Example proportions), SOC shape 1 + 0.8 (SOC - 0.5)^2 + 0.5 exp(-SOC/0.05), Arrhenius Ea = 30 kJ/mol. Mass 70 g, area of a 26 x 65 mm can. Use for multi-chemistry scenarios, not for fitting a specific cell.',
  });
}
void interp1;
