/**
 * Thermal-runaway parameter sets (H6), transcribed from ../shared/reference/thermal-runaway-params.csv
 * (one source per row there; repeated here per field). Units are SI: frequency factors 1/s,
 * activation energies J/mol, heats J/kg of reactant, reactant amounts as kg of reactant per kg of
 * cell ("massFrac") so one kinetic set can be put on any cell format. The CSV gives the HK07 amounts
 * per cell volume (W in g/m3); massFrac = W / rho with the cell density the same source uses
 * (Hatchard 2001 / Kim 2007: rho = 2580 kg/m3), so W x V is reproduced exactly.
 *
 * Model form (Hatchard et al. 2001, J. Electrochem. Soc. 148:A755; Kim, Pesaran & Spotnitz 2007,
 * J. Power Sources 170:476), dimensionless amounts c_sei, c_ne, alpha, c_e and SEI thickness z:
 *   R_sei = A_sei exp(-Ea_sei/RT) c_sei^m_sei                      dc_sei/dt = -R_sei
 *   R_ne  = A_ne exp(-z/z_ref) exp(-Ea_ne/RT) c_ne^m_ne           dc_ne/dt = -R_ne, dz/dt = +R_ne
 *   R_pe  = A_pe alpha^m1 (1 - alpha)^m2 exp(-Ea_pe/RT)            dalpha/dt = +R_pe
 *   R_e   = A_e c_e^m_e exp(-Ea_e/RT)                              dc_e/dt = -R_e
 *   heat  = H_sei M_c R_sei + H_ne M_c R_ne + H_pe M_p R_pe + H_e M_e R_e   [W per cell]
 * with M_c, M_p, M_e the carbon, positive-active and electrolyte masses of the cell (kg).
 */

export interface ReactionParams {
  /** frequency factor, 1/s */
  A: number;
  /** activation energy, J/mol */
  EaJPerMol: number;
  /** heat of reaction, J per kg of the reactant mass below */
  HJPerKg: number;
  /** reactant mass per cell mass, kg/kg */
  massFrac: number;
  /** reaction order in the dimensionless amount (alpha^m1 for the positive) */
  order: number;
  /** initial dimensionless amount (c_sei0, c_ne0, alpha0, c_e0) */
  x0: number;
  /** positive only: order in (1 - alpha) */
  order2?: number;
  /** negative only: initial and reference dimensionless SEI thickness */
  z0?: number;
  zRef?: number;
  source: string;
}

export interface CellFormat {
  name: string;
  /** cell volume, m3 */
  volumeM3: number;
  /** outer surface (convection / radiation), m2 */
  areaM2: number;
  massKg: number;
  /** heat capacity of the whole cell, J/K */
  heatCapJPerK: number;
  hConvWPerM2K: number;
  emissivity: number;
  /** cylinder geometry when the cell is a cylinder (used by the propagation network) */
  cylinder?: { diameterM: number; lengthM: number };
  /** prismatic / pouch faces when the cell is a block (used by the propagation network) */
  block?: { thicknessM: number; widthM: number; heightM: number };
  /**
   * Two-node cell (optional): a can / case node of heatCapJPerK (part of the cell's heat capacity)
   * that carries the surface (convection, radiation, neighbours, external heaters), joined to the
   * jelly roll (reactions, internal short) by radialWPerK. Absent: one lumped node.
   */
  can?: { heatCapJPerK: number; radialWPerK: number; source: string };
  source: string;
}

/**
 * Flaming combustion of the material a cell ejects in thermal runaway, as a heat source for its
 * neighbours in a module (cylindrical cells). The flame releases energyPerStoredJ x the cell's
 * stored electrical energy when full (it scales with the cell's size, not its SOC) at a constant rate
 * over durationS, from the onset of runaway; a neighbour j of the burning cell i receives
 * radiantFraction x F_ij of it, F_ij the view factor between the two cylinders.
 */
export interface FlameParams {
  energyPerStoredJ: number;
  durationS: number;
  radiantFraction: number;
  source: string;
}

export interface VentParams {
  /** free gas volume inside the can, m3 */
  headspaceM3: number;
  /** absolute internal pressure that opens the vent, Pa */
  ventPressurePa: number;
  /** electrolyte solvent mole fractions for Raoult's law with the Antoine fits below */
  yDmc: number;
  /** gas moles per mole of Li-equivalent of the reactions (M_C6 basis, 0.072 kg/mol) */
  gasPerLiSei: number;
  gasPerLiNe: number;
  /** gas moles per mole of decomposed electrolyte solvent (molar mass solventKgPerMol) */
  gasPerSolvent: number;
  solventKgPerMol: number;
  source: string;
}

export interface IscParams {
  /** temperature that starts an internal short (separator collapse), K; Infinity = never */
  triggerTempK: number;
  /** fraction of the stored electrical energy released by a temperature-triggered short */
  eta: number;
  /** duration over which it is released, s */
  durationS: number;
  /** stored electrical energy of a full cell (capacity x nominal voltage), J */
  storedEnergyJ: number;
  /** open-circuit voltage full / empty, V (resistance-based short: V^2 / R) */
  vFullV: number;
  vEmptyV: number;
  source: string;
}

/**
 * Simple-tracing heat release (Gross & Golubkov 2021, "A Modelica library for thermal-runaway
 * propagation in lithium-ion batteries", Modelica Conf., doi 10.3384/ecp21181215; BatterySafety
 * library ChemicalHeatGenerationWithStatus): the self-heating rate measured in an ARC test is
 * tabulated as g(T) = log10(dT/dt in K/s), piecewise linear in T, and the cell releases
 * Q = heatCapRefJPerK x 10^g(T) W until energyJ is spent.
 */
export interface HeatReleaseTable {
  tempC: number[];
  log10KPerS: number[];
  energyJ: number;
  heatCapRefJPerK: number;
  source: string;
}

export interface RunawaySet {
  id: string;
  chemistry: 'LCO' | 'NMC' | 'LFP' | 'other';
  description: string;
  sei: ReactionParams;
  ne: ReactionParams;
  pe: ReactionParams;
  /** electrolyte decomposition (absent in CAI19) */
  e: ReactionParams | null;
  cell: CellFormat;
  vent: VentParams;
  isc: IscParams;
  /** vent flame heating neighbours (absent: no flame) */
  flame?: FlameParams;
  /** "simple tracing" heat release from a measured ARC self-heating table instead of the four
   * reactions (whose amounts are then 0) */
  table?: HeatReleaseTable;
  /** true when values were not checked against the primary source this session */
  provisional?: boolean;
}

const KIM07 =
  'Kim, Pesaran & Spotnitz 2007, J. Power Sources 170:476 (from Hatchard et al. 2001, J. Electrochem. Soc. 148:A755); CSV set HK07_LCO (identical in >= 4 code copies)';
const CAI19 =
  'Cai, Stefanopoulou & Siegel 2019, ECS Trans. 89:85, as used in Tran 2024 ESC model (viviantran27/esc main_cell.m); CSV set CAI19';
const N_A = 6.02214076e23;

/** 18650 can, D 18 mm x L 65 mm (Hatchard 2001 Table; Kim 2007). A includes both end caps:
 * A = pi D L + 2 pi D^2/4 = 4.184e-3 m2, V = pi D^2 L / 4 = 1.654e-5 m3, A/V = 253 1/m (as the CSV
 * row for h notes). Volumetric heat capacity rho cp = 2.14e6 J/(m3 K) (Kim 2007 Table 1 via the dMod2
 * example; rho 2580 kg/m3, cp 830 J/(kg K), Hatchard 2001) -> 35.40 J/K, mass 42.7 g. Commercial
 * 18650s weigh 44-48 g (Panasonic NCR18650PF datasheet 48 g, sim/battery/sets/panasonic-ncr18650pf);
 * we keep the published rho cp (the heat capacity is what enters the model). */
export function cell18650(): CellFormat {
  const d = 0.018;
  const l = 0.065;
  const v = (Math.PI * d * d * l) / 4;
  const a = Math.PI * d * l + (2 * Math.PI * d * d) / 4;
  return {
    name: '18650 (Hatchard 2001 / Kim 2007)',
    volumeM3: v,
    areaM2: a,
    massKg: 2580 * v,
    heatCapJPerK: 2.14e6 * v,
    hConvWPerM2K: 7.17,
    emissivity: 0.8,
    cylinder: { diameterM: d, lengthM: l },
    source:
      'D 18 mm, L 65 mm, rho 2580 kg/m3, cp 830 J/(kg K) (rho cp 2.14e6 J/(m3 K)), h 7.17 W/(m2 K), eps 0.8: Hatchard et al. 2001 / Kim et al. 2007 (CSV rows HK07_LCO cell (lumped))',
  };
}

/**
 * Default can node of a cylindrical cell (two-node option; the published oven models, and so the
 * default, are lumped): a steel wall of 0.25 mm (typical 18650 can, our assumption; rho 7850 kg/m3,
 * cp 470 J/(kg K)) over the whole surface -> 3.9 J/K for an 18650; radial conductance from the mean
 * jelly-roll temperature of a uniformly heated cylinder to its surface, G = 8 pi k_r L (Incropera:
 * T_mean - T_s = q''' r^2 / (8 k)), with the measured radial conductivity of 18650 cells
 * k_r = 0.20 W/(m K) (Drake et al. 2014, J. Power Sources 252:298) -> 0.33 W/K. Null for blocks.
 */
export function defaultCan(cell: CellFormat): NonNullable<CellFormat['can']> | null {
  if (!cell.cylinder) return null;
  const { diameterM: d, lengthM: l } = cell.cylinder;
  const wallM = 0.25e-3;
  const areaM2 = Math.PI * d * l + (2 * Math.PI * d * d) / 4;
  return {
    heatCapJPerK: areaM2 * wallM * 7850 * 470,
    radialWPerK: 8 * Math.PI * 0.2 * l,
    source: 'steel can 0.25 mm (our assumption), k_r 0.20 W/(m K) (Drake et al. 2014, J. Power Sources 252:298), G = 8 pi k_r L',
  };
}

/** LCO 18650 vent flame: Liu et al. 2015 (J. Power Sources 280:516, copper-slug calorimetry + cone
 * calorimeter) measured up to 97.5 +- 12.4 kJ from the flaming combustion of what a 2.2 Ah LCO
 * 18650 ejects at 100 % SOC (and 34.0 kJ generated inside it), i.e. 3.3 x its stored electrical
 * energy (2.2 Ah x 3.7 V). Most of what burns is the electrolyte solvent (about 5 g at some
 * 15 kJ/g in an 18650), whose amount does not depend on SOC, so the flame energy is held at the
 * full-charge figure at every SOC (our assumption; the SOC enters through the reactions).
 * Calibrated, not measured: the radiant fraction 0.4 (top of the SFPE Handbook's 0.2-0.4 for sooty
 * flames) and the burning time 300 s (the time over which the burning neighbour's flame, ejecta
 * and hot gases deliver that heat) are the two values that put Niu et al. 2020's reference row
 * (3 mm gaps, 100 % SOC, room temperature) inside both of its figures, propagation speed and
 * critical surface temperature; the trends with ambient, SOC and gap are then predictions
 * (docs/safety-physics.md section 6). */
function flameLco18650(): FlameParams {
  return {
    energyPerStoredJ: 97.5e3 / (2.2 * 3600 * 3.7),
    durationS: 300,
    radiantFraction: 0.4,
    source: 'Liu et al. 2015 J. Power Sources 280:516 (97.5 kJ / 2.2 Ah LCO 18650 at 100 % SOC); radiant fraction 0.4 and 300 s burning time calibrated on Niu et al. 2020 (Fire Technol. 56:2491) row at 3 mm, 100 % SOC, 25 degC',
  };
}

const RHO_HK07 = 2580; // kg/m3, converts the CSV's per-volume amounts to mass fractions

function vent18650(): VentParams {
  return {
    headspaceM3: 1.0e-6,
    ventPressurePa: 1.5e6,
    yDmc: 0.7,
    gasPerLiSei: 1.25,
    gasPerLiNe: 0.5,
    gasPerSolvent: 1,
    solventKgPerMol: 0.09,
    source:
      'Proxy: P = air (T-scaled) + n_gas R T / V_head + Raoult vapour pressure (Antoine DMC [6.4338 1413 -44.25], EC [6.4897 1836.57 -102.23], log10 kPa, y_DMC 0.7: Tran 2024 ESC model, CSV CAI19 venting row). ' +
      'Gas yields from the usual reaction stoichiometry: SEI (CH2OCO2Li)2 -> Li2CO3 + C2H4 + CO2 + 1/2 O2 (1.25 mol gas per mol Li), 2 Li + EC -> Li2CO3 + C2H4 (0.5 per Li), 1 mol gas per mol solvent (Coman et al. 2017 assume CO2 from electrolyte decomposition). ' +
      '18650 headspace 1 cm3 and vent opening 1.5 MPa abs are OUR assumptions (typical 18650 vent discs open at 1-2 MPa), not a published fit.',
  };
}

function iscDefault(storedEnergyJ: number, vFullV: number, vEmptyV: number): IscParams {
  return {
    triggerTempK: Infinity,
    eta: 1,
    durationS: 10,
    storedEnergyJ,
    vFullV,
    vEmptyV,
    source:
      'ISC_DEFAULT (Altair AcuSolve NREL abuse model, after Coman 2017): trigger 438.15 K when enabled; energy-limited release eta x E over durationS (eta 1, 10 s: our defaults). Off unless the scenario enables it.',
  };
}

/** HK07_LCO: the published four-reaction LCO/graphite 18650 set. */
export function hk07Lco(): RunawaySet {
  const cell = cell18650();
  return {
    id: 'HK07_LCO',
    chemistry: 'LCO',
    description: 'LiCoO2/graphite 18650, four reactions (Kim 2007 / Hatchard 2001)',
    sei: { A: 1.667e15, EaJPerMol: 1.3508e5, HJPerKg: 2.57e5, massFrac: 610.4 / RHO_HK07, order: 1, x0: 0.15, source: KIM07 },
    ne: { A: 2.5e13, EaJPerMol: 1.3508e5, HJPerKg: 1.714e6, massFrac: 610.4 / RHO_HK07, order: 1, x0: 0.75, z0: 0.033, zRef: 0.033, source: KIM07 },
    pe: { A: 6.667e13, EaJPerMol: 1.396e5, HJPerKg: 3.14e5, massFrac: 1221 / RHO_HK07, order: 1, order2: 1, x0: 0.04, source: KIM07 },
    e: { A: 5.14e25, EaJPerMol: 2.74e5, HJPerKg: 1.55e5, massFrac: 407 / RHO_HK07, order: 1, x0: 1, source: KIM07 + ' (electrolyte set from Spotnitz & Franklin 2003 per Kim)' },
    cell,
    vent: vent18650(),
    // 2.6 Ah x 3.7 V LCO 18650 (typical; our assumption for the electrical energy)
    isc: iscDefault(2.6 * 3600 * 3.7, 4.2, 3.0),
    flame: flameLco18650(),
  };
}

/** Cai 2019 NMC532 pouch (4.6 Ah, 104 g) as used by Tran's ESC model: SEI, anode, cathode (no
 * electrolyte reaction). A_sei 1.667e15 (Coman 2017) rather than the 2.25e15 printed in Cai 2019
 * (Tran: "2.25e15 in Cai 2019 is wrong"; CSV note). Energies given per molecule x N_A. */
export function cai19Nmc(): RunawaySet {
  const massKg = 0.104;
  const mAn = 0.019107 / massKg;
  const mCa = 0.03656 / massKg;
  return {
    id: 'CAI19',
    chemistry: 'NMC',
    description: 'NMC532/graphite 4.6 Ah pouch (Cai 2019; Tran 2024 ESC model)',
    sei: { A: 1.667e15, EaJPerMol: 2.24e-19 * N_A, HJPerKg: 2.57e5, massFrac: mAn, order: 1, x0: 0.15, source: CAI19 + '; A_sei per Coman 2017 (CSV note)' },
    ne: { A: 2.5e13, EaJPerMol: 2.24e-19 * N_A, HJPerKg: 1.714e6, massFrac: mAn, order: 1, x0: 0.75, z0: 0.033, zRef: 0.033, source: CAI19 },
    pe: { A: 2.55e14, EaJPerMol: 2.64e-19 * N_A, HJPerKg: 7.9e5, massFrac: mCa, order: 1, order2: 1, x0: 0.04, source: CAI19 },
    e: null,
    cell: {
      name: 'NMC532 pouch 4.6 Ah (Tran 2024)',
      // volume not published in the script; 104 g at ~2.3 kg/L (our estimate) for the vent/geometry only
      volumeM3: massKg / 2300,
      areaM2: 0.06,
      massKg,
      heatCapJPerK: massKg * 1100,
      hConvWPerM2K: 5,
      emissivity: 0.8,
      block: { thicknessM: 0.0065, widthM: 0.1, heightM: 0.07 },
      source: 'Tran 2024 ESC model main_cell.m: m 0.104 kg, cp 1100 J/(kg K) (without the x1.3 fixture factor), area 0.06 m2, h 5 W/(m2 K); eps 0.8 and the block dimensions are our assumptions',
    },
    vent: {
      ...vent18650(),
      headspaceM3: 6.65e-6,
      ventPressurePa: 158e3,
      source: 'Tran 2024 ESC model: headspace 6.65e-6 m3, P_crit 158 kPa abs, Antoine DMC/EC, y_DMC 0.7 (CSV CAI19 venting row); gas yields as in the 18650 sets',
    },
    isc: iscDefault(4.6 * 3600 * 3.65, 4.2, 3.0),
  };
}

/** CAI19 kinetics with Cai's active-mass fractions placed on the HK07 18650 can (heat capacity,
 * area, h, eps of Hatchard/Kim). Our construct, so LCO, NMC and LFP can be compared in one format
 * (critical ambient ordering, Zhao 2024). */
export function cai19Nmc18650(): RunawaySet {
  const s = cai19Nmc();
  return { ...s, id: 'CAI19_18650', description: 'CAI19 NMC kinetics on the HK07 18650 can (our construct for format-matched comparisons)', cell: cell18650(), vent: vent18650(), isc: iscDefault(2.5 * 3600 * 3.65, 4.2, 3.0) };
}

/** LFP/graphite 18650: graphite-side reactions (SEI, negative-solvent) and electrolyte as HK07;
 * LiFePO4-electrolyte reaction and heat after Peng & Jiang 2016 (Int. J. Heat Mass Transfer
 * 103:1008, "Thermal safety of lithium-ion batteries with various cathode materials"): values as
 * recalled, NOT verified against the paper this session (provisional). The LFP cathode releases
 * little heat and reacts late; the graphite side is unchanged, so this set differs from HK07 only in
 * the positive reaction. */
export function lfpPj16(): RunawaySet {
  const s = hk07Lco();
  return {
    ...s,
    id: 'LFP_PJ16',
    chemistry: 'LFP',
    description: 'LiFePO4/graphite 18650: HK07 graphite + electrolyte reactions, LFP positive after Peng & Jiang 2016 (provisional)',
    pe: {
      A: 2.0e8,
      EaJPerMol: 1.28e5,
      HJPerKg: 1.45e5,
      massFrac: 1221 / RHO_HK07,
      order: 1,
      order2: 1,
      x0: 0.04,
      source: 'Peng & Jiang 2016 IJHMT 103:1008 (LiFePO4-electrolyte), values recalled, unverified',
    },
    isc: iscDefault(1.5 * 3600 * 3.2, 3.6, 2.5),
    // LFP ejecta burn far less than LCO's; no measured figure here, so no flame term
    flame: undefined,
    provisional: true,
  };
}

/** ISC_DEFAULT applied to HK07: the separator collapses at 165 degC and the stored electrical
 * energy is released (Altair AcuSolve default trigger temperature; Coman 2017 energy form). */
export function hk07WithIsc(): RunawaySet {
  const s = hk07Lco();
  return { ...s, id: 'HK07_LCO+ISC_DEFAULT', isc: { ...s.isc, triggerTempK: 438.15 } };
}

const NO_REACTION: ReactionParams = { A: 0, EaJPerMol: 0, HJPerKg: 0, massFrac: 0, order: 1, x0: 0, source: 'none: the heat release comes from the table' };

/** A 60 Ah prismatic metal-can cell of the BatterySafety Modelica library (MetalCan60Ah size and
 * heat-transfer records: m 1 kg, cp 1000 J/(kg K), 0.15 x 0.1 x 0.028 m, lambda 0.8 W/(m K) through
 * the stack) with an ARC self-heating table in place of the four reactions. The library's
 * examples are adiabatic (no convection, no radiation): its scenarios set hConv 0 and emissivity 0;
 * the format's defaults below are for a cell in air. */
function metalCan60Ah(id: string, description: string, table: Omit<HeatReleaseTable, 'heatCapRefJPerK' | 'source'>, src: string): RunawaySet {
  const l = 0.15;
  const h = 0.1;
  const w = 0.028;
  return {
    id,
    chemistry: 'other',
    description,
    sei: NO_REACTION,
    ne: NO_REACTION,
    pe: NO_REACTION,
    e: null,
    cell: {
      name: '60 Ah prismatic metal can (BatterySafety MetalCan60Ah)',
      volumeM3: l * h * w,
      areaM2: 2 * (l * h + l * w + h * w),
      massKg: 1,
      heatCapJPerK: 1000,
      hConvWPerM2K: 5,
      emissivity: 0.8,
      block: { thicknessM: w, widthM: l, heightM: h },
      source: src + '; hConv 5 W/(m2 K) and emissivity 0.8 (cell in still air) are our defaults',
    },
    vent: { ...vent18650(), source: 'not used: the table set releases no gas' },
    isc: iscDefault(60 * 3600 * 3.6, 4.2, 3.0),
    table: { ...table, heatCapRefJPerK: 1000, source: src },
  };
}

/** ST_60AH (CSV rows ST_60AH): BatterySafety MetalCan60Ah, its measured ARC table (650 kJ). */
export function st60Ah(): RunawaySet {
  return metalCan60Ah(
    'ST_60AH',
    '60 Ah metal-can cell, simple-tracing ARC table (Gross & Golubkov 2021, BatterySafety)',
    {
      tempC: [-60, 150, 165, 178, 180, 190, 200, 210, 230, 240, 2000],
      log10KPerS: [-5.2478, -1.5146, -1.248, -0.7626, 0.18495, 1.4357, 1.6115, 1.724, 1.8365, 1.8715, 1.8715],
      energyJ: 650e3,
    },
    'BatterySafety/BatterySafety (Modelica): ParameterSets HeatRelease/Size/Shared/HeatTransfer UseableData.MetalCan60Ah; CSV rows ST_60AH',
  );
}

/** ST_60AH_ESSL (CSV row ST_60AH_ESSL): BatterySafety MetalCan60Ah_essl, the ARC table of cell #2 of
 * doi:10.1149/1945-7111/abbe5a (800 kJ) on the same 60 Ah metal-can cell (the record gives only the
 * heat release; size and heat capacity are the MetalCan60Ah records'). */
export function st60AhEssl(): RunawaySet {
  return metalCan60Ah(
    'ST_60AH_ESSL',
    '60 Ah metal-can cell, ARC table of doi:10.1149/1945-7111/abbe5a cell #2 (BatterySafety MetalCan60Ah_essl)',
    {
      tempC: [-60, 150, 170, 190, 200, 230, 2000],
      log10KPerS: [-5.1608, -1.7065, -1.3775, -0.74351, 1.6079, 2.7198, 2.7198],
      energyJ: 800e3,
    },
    'BatterySafety/BatterySafety (Modelica): HeatReleaseParametersPackage.UseableData.MetalCan60Ah_essl (size / heat transfer: MetalCan60Ah); CSV row ST_60AH_ESSL',
  );
}

const REGISTRY: Record<string, () => RunawaySet> = {
  HK07_LCO: hk07Lco,
  CAI19: cai19Nmc,
  CAI19_18650: cai19Nmc18650,
  LFP_PJ16: lfpPj16,
  'HK07_LCO+ISC_DEFAULT': hk07WithIsc,
  ST_60AH: st60Ah,
  ST_60AH_ESSL: st60AhEssl,
};

export function listRunawaySets(): string[] {
  return Object.keys(REGISTRY);
}

export function getRunawaySet(id: string): RunawaySet {
  const f = REGISTRY[id];
  if (!f) throw new Error(`unknown runaway parameter set '${id}'; known: ${listRunawaySets().join(', ')}`);
  return f();
}

/** Closed-form adiabatic temperature rise if every reaction completes, K:
 * dT = [H_sei m_c c_sei0 + H_ne m_c c_ne0 + H_pe m_p (1 - alpha0) + H_e m_e c_e0] / (m cp). */
export function adiabaticRiseClosedFormK(s: RunawaySet, cell: CellFormat = s.cell): number {
  const m = cell.massKg;
  let e = s.sei.HJPerKg * s.sei.massFrac * m * s.sei.x0;
  e += s.ne.HJPerKg * s.ne.massFrac * m * s.ne.x0;
  e += s.pe.HJPerKg * s.pe.massFrac * m * (1 - s.pe.x0);
  if (s.e) e += s.e.HJPerKg * s.e.massFrac * m * s.e.x0;
  if (s.table) e += s.table.energyJ;
  return e / cell.heatCapJPerK;
}
