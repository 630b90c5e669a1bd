/**
 * Semi-empirical aging parameter sets, each with its source. The equations that use them are in
 * ./aging.ts and docs/aging.md. Coefficients are the published ones (cross-checked against the
 * open-source re-implementations named in each `source`), never tuned here.
 */

export type AgingModelKind = 'schmalstieg2014' | 'naumann2018-2020' | 'wang2011';

interface AgingSetBase {
  name: string;
  chemistry: 'NMC' | 'LFP' | 'NCA' | 'LCO' | 'other';
  model: AgingModelKind;
  /** citation(s) of the equations and the numbers */
  source: string;
  /** the cell the model was fitted on */
  refCell: string;
  /** capacity of that cell, Ah: throughput is normalized to it (X_ref = Ah_cell * refCapacityAh / capacity_cell) */
  refCapacityAh: number;
  /** conditions of the underlying tests: outside them the model extrapolates */
  validity: string;
}

/**
 * Schmalstieg et al. 2014, J. Power Sources 257:325-334, Sanyo UR18650E (NMC/graphite), eqs. for
 * capacity C = 1 - alpha_cap t^0.75 - beta_cap sqrt(Q) and resistance R = 1 + alpha_res t^0.75 + beta_res Q,
 *   alpha_cap = (a1 V + a0) * 1e6 * exp(-Ea/T)    [t in days, V = OCV, T in K]
 *   alpha_res = (r1 V + r0) * 1e5 * exp(-Er/T)
 *   beta_cap  = b2 (Vrms - bV)^2 + b0 + bD DOD     [Q = total charge throughput, Ah, of the 2.15 Ah cell]
 *   beta_res  = c2 (Vrms - cV)^2 + c0 + cD DOD
 */
export interface SchmalstiegSet extends AgingSetBase {
  model: 'schmalstieg2014';
  cal: { a1: number; a0: number; scale: number; eaK: number; p: number; r1: number; r0: number; rScale: number; erK: number; rp: number };
  cyc: { b2: number; bV: number; b0: number; bD: number; p: number; c2: number; cV: number; c0: number; cD: number };
}

/**
 * LFP (Sony/Murata US26650FTC1). Calendar: Naumann et al. 2018, J. Energy Storage 17:153-169,
 *   Q_loss,cal = k_ref exp(-Ea/R (1/T - 1/Tref)) (c (SOC-0.5)^3 + d) t^0.5    [t in s, fraction]
 *   R_inc,cal  = kr_ref exp(-Er/R (1/T - 1/Tref)) (cr (SOC-0.5)^2 + dr) t       [fraction]
 * Cycle: Naumann et al. 2020, J. Power Sources 451:227666,
 *   Q_loss,cyc = (a C + b)(c (DOD-0.6)^3 + d) FEC^0.5 / 100
 *   R_inc,cyc  = (ar C + br)(cr (DOD-0.5)^3 + dr) FEC / 100
 */
export interface NaumannSet extends AgingSetBase {
  model: 'naumann2018-2020';
  cal: { kRef: number; ea: number; c: number; d: number; krRef: number; er: number; cr: number; dr: number; tRefK: number };
  cyc: { a: number; b: number; c: number; d: number; ar: number; br: number; cr: number; dr: number };
}

/**
 * Wang et al. 2011, J. Power Sources 196:3942-3948, A123 ANR26650M1 (LFP/graphite, 2.2 Ah):
 *   Q_loss[%] = B(C) exp(-(Ea - alpha C)/(R T)) Ah^z,  Ah = discharge throughput of the 2.2 Ah cell
 * B(C) tabulated at C = 0.5, 2, 6, 10 (linear interpolation between, clamped outside).
 * Calendar part and resistance: Naumann 2018 (as the cycle model has none).
 */
export interface WangSet extends AgingSetBase {
  model: 'wang2011';
  cyc: { cRates: number[]; b: number[]; ea: number; alpha: number; z: number };
  cal: NaumannSet['cal'];
}

export type AgingSet = SchmalstiegSet | NaumannSet | WangSet;

const NAUMANN_CAL: NaumannSet['cal'] = {
  kRef: 1.2571e-5,
  ea: 17126,
  c: 2.8575,
  d: 0.60225,
  krRef: 3.4194e-10,
  er: 71827,
  cr: -3.3903,
  dr: 1.5604,
  tRefK: 298.15,
};

export const AGING_SETS: Record<string, AgingSet> = {
  'nmc-schmalstieg2014': {
    name: 'nmc-schmalstieg2014',
    chemistry: 'NMC',
    model: 'schmalstieg2014',
    source:
      'J. Schmalstieg, S. Kaebitz, M. Ecker, D. U. Sauer, "A holistic aging model for Li(NiMnCo)O2 based 18650 ' +
      'lithium-ion batteries", J. Power Sources 257 (2014) 325-334, doi:10.1016/j.jpowsour.2014.02.012 ' +
      '(coefficients as re-implemented in NREL BLAST-Lite nmc111_gr_Sanyo2Ah_2014 and TUM SimSES)',
    refCell: 'Sanyo UR18650E, NMC/graphite, 2.15 Ah',
    refCapacityAh: 2.15,
    validity: 'calendar 35-50 degC, all SOC; cycling at 35 degC, 1C/1C, DOD 1-100 %; no C-rate or temperature dependence of cycle aging',
    cal: { a1: 7.543, a0: -23.75, scale: 1e6, eaK: 6976, p: 0.75, r1: 5.27, r0: -16.32, rScale: 1e5, erK: 5986, rp: 0.75 },
    cyc: { b2: 7.348e-3, bV: 3.667, b0: 7.6e-4, bD: 4.081e-3, p: 0.5, c2: 2.153e-4, cV: 3.725, c0: -1.521e-5, cD: 2.798e-4 },
  },
  'lfp-naumann2020': {
    name: 'lfp-naumann2020',
    chemistry: 'LFP',
    model: 'naumann2018-2020',
    source:
      'M. Naumann, M. Schimpe, P. Keil, H. C. Hesse, A. Jossen, "Analysis and modeling of calendar aging of a ' +
      'commercial LiFePO4/graphite cell", J. Energy Storage 17 (2018) 153-169; M. Naumann, F. B. Spingler, ' +
      'A. Jossen, "Analysis and modeling of cycle aging of a commercial LiFePO4/graphite cell", J. Power Sources ' +
      '451 (2020) 227666 (coefficients as re-implemented in TUM SimSES sony_lfp calendar/cyclic models)',
    refCell: 'Sony/Murata US26650FTC1, LFP/graphite, 3.0 Ah',
    refCapacityAh: 3.0,
    validity: 'calendar 0-60 degC, SOC 0-100 %; cycling at 25 degC, 0.2C-1C symmetric, DOD 20-100 %; faster rates are extrapolated (linear in C)',
    cal: NAUMANN_CAL,
    cyc: { a: 0.063, b: 0.0971, c: 4.0253, d: 1.0923, ar: -0.002, br: 0.0021, cr: 6.8477, dr: 0.9182 },
  },
  'lfp-wang2011': {
    name: 'lfp-wang2011',
    chemistry: 'LFP',
    model: 'wang2011',
    source:
      'J. Wang, P. Liu, J. Hicks-Garner, E. Sherman, S. Soukiazian, M. Verbrugge, H. Tataria, J. Musser, ' +
      'P. Finamore, "Cycle-life model for graphite-LiFePO4 cells", J. Power Sources 196 (2011) 3942-3948 ' +
      '(eq. 5 and its B table); calendar part and resistance from Naumann et al. 2018 (J. Energy Storage 17:153)',
    refCell: 'A123 ANR26650M1, LFP/graphite, 2.2 Ah',
    refCapacityAh: 2.2,
    validity: 'cycling -30..60 degC, C/2-10C discharge, DOD 10-90 %; charge rate not a model input',
    cyc: { cRates: [0.5, 2, 6, 10], b: [31630, 21681, 12934, 15512], ea: 31700, alpha: 370.3, z: 0.55 },
    cal: NAUMANN_CAL,
  },
};

export function listAgingSets(): string[] {
  return Object.keys(AGING_SETS);
}

export function getAgingSet(name: string): AgingSet {
  const s = AGING_SETS[name];
  if (!s) throw new Error(`unknown aging set '${name}'; known: ${listAgingSets().join(', ')}`);
  return s;
}

/**
 * Default aging set for a cell chemistry. NCA/LCO/other use the NMC model (closest published
 * holistic 18650 model we carry); say so in results, it is a stand-in.
 */
export function defaultAgingSetFor(chemistry: string): string {
  return chemistry === 'LFP' ? 'lfp-naumann2020' : 'nmc-schmalstieg2014';
}
