/**
 * Thermal runaway of many cells (H6): four-reaction Arrhenius kinetics (Hatchard 2001 / Kim 2007,
 * equations in runawaySets.ts) in a lumped energy balance per cell with convection AND radiation,
 *   C dT/dt = sum_j H_j M_j R_j + Q_isc + Q_ext - h A (T - Tamb) - eps sigma A F_amb (T^4 - Tamb^4)
 * (C = rho cp V; dividing by V gives the README form rho cp dT/dt = sum(H W R) - h (A/V)(T - Tamb)
 * - eps sigma (A/V)(T^4 - Tamb^4)); F_amb is the fraction of the surface that sees the ambient (1 for
 * a single cell, less in a module where neighbours block part of the view).
 *
 * Integration (documented choice: adaptive substeps with exact species updates): inside every
 * outer step dtS each cell takes its own substeps h, chosen so that |dT| <= dTMaxK (0.5 K) per
 * substep. In a substep the rate constants are evaluated at the midpoint temperature (Euler
 * predictor), the amounts are advanced EXACTLY for those constants (first order: c e^{-k h};
 * logistic alpha(1-alpha): alpha e^{kh} / (1 - alpha + alpha e^{kh}); general order: the closed-form
 * power law), and the heat released is H M (amount consumed), so reaction energy is conserved to
 * round-off whatever the step (the adiabatic rise equals the consumed amounts exactly). Because the
 * substep length is set by the temperature change and not by dtS, results do not depend on dtS
 * (tested: dt 1 s vs 0.1 s). Losses use the same midpoint temperature (2nd order).
 *
 * Two-node cells (CellFormat.can, e.g. the 18650 can): the reactions and the short heat the jelly
 * roll (C - C_can), which exchanges G (T - T_s) with the can; convection, radiation, neighbours and
 * external heat act on the can (C_can dT_s/dt = Q_ext + G (T - T_s) - losses(T_s)); same substeps,
 * limited by the faster of the two nodes.
 * Onset: first substep whose self-heating rate (reaction + short heat over the heat capacity of the
 * jelly roll, the whole cell when lumped) exceeds 1 K/s, time at the substep midpoint; heat from
 * outside (heater, a neighbour's flame) does not count. The can temperature then is kept too.
 * Internal short: resistance-based (V_oc^2 / R_isc, V_oc linear in the remaining stored energy
 * between vEmpty and vFull) or energy-limited (eta E over durationS, Coman et al. 2017), started by
 * the caller (startIscResistance / startIscEnergy) or by temperature (set.isc.triggerTempK,
 * ISC_DEFAULT 438.15 K). Both stop when the stored electrical energy is spent.
 * Venting: gas moles from reaction progress (stoichiometric yields in set.vent), internal pressure
 * proxy P = p_air T/T0 + n R T / V_head + sum y_i p_i^sat(T) (Raoult, Antoine fits); the vent opens
 * (event, time) when P >= ventPressurePa, releasing the gas accumulated so far and everything
 * generated after. gasReleasedMol is cumulative per cell (for the container gas node / detector).
 *
 * Structure of arrays, no allocation per step.
 */
import type { RunawaySet, CellFormat } from './runawaySets';

export const R_GAS = 8.314462618;
export const SIGMA_SB = 5.670374419e-8;
const P_ATM = 101325;
const M_C6 = 0.072; // kg/mol of LiC6 basis (Tran 2024 ESC model uses 72 g/mol)

export interface RunawayFleet {
  readonly n: number;
  readonly set: RunawaySet;
  tempK: Float64Array;
  cSei: Float64Array;
  cNe: Float64Array;
  zSei: Float64Array;
  alpha: Float64Array;
  cE: Float64Array;
  /** per-cell constants */
  heatCapJPerK: Float64Array;
  areaM2: Float64Array;
  hConvWPerM2K: Float64Array;
  emissivity: Float64Array;
  /** fraction of the surface radiating to ambient (1 alone; < 1 in a module) */
  viewAmbient: Float64Array;
  /** reactant masses, kg (carbon, positive active, electrolyte) */
  massC: Float64Array;
  massP: Float64Array;
  massE: Float64Array;
  /** external heat input held over the step, W (heater, neighbours, Joule heat from the ECM) */
  extHeatW: Float64Array;
  /** internal short: 0 none, 1 resistance, 2 energy-limited */
  iscMode: Uint8Array;
  iscOhm: Float64Array;
  iscPowerW: Float64Array;
  /** remaining stored electrical energy, J */
  elecEnergyJ: Float64Array;
  elecEnergy0J: Float64Array;
  /** outputs (last outer step): mean reaction and ISC heat, W; max substep dT/dt, K/s */
  qRxnW: Float64Array;
  qIscW: Float64Array;
  dTdtKPerS: Float64Array;
  maxTempK: Float64Array;
  /** onset of runaway: first time the self-heating rate (reaction + internal-short heat over the
   * heat capacity of the node that holds them) exceeds 1 K/s, s (NaN until then) */
  runawayAtS: Float64Array;
  /** can (surface) temperature at the onset, K (NaN until then) */
  runawaySurfK: Float64Array;
  /** two-node cells (CellFormat.can): can temperature, K (equal to tempK for lumped cells), the
   * can's heat capacity (part of heatCapJPerK), J/K, and the radial conductance jelly roll -> can,
   * W/K (0 = lumped) */
  surfK: Float64Array;
  canCapJPerK: Float64Array;
  radialWPerK: Float64Array;
  /** heat of the vent flame (set.flame) the cell releases from its onset, J (0 = none) */
  flameJ: Float64Array;
  /** heat the simple-tracing table (set.table) has still to release, J (0 = none) */
  tableJ: Float64Array;
  /** gas (mol) generated so far, released so far; internal pressure proxy (Pa); vent time (NaN) */
  gasMol: Float64Array;
  gasReleasedMol: Float64Array;
  pressurePa: Float64Array;
  ventAtS: Float64Array;
  /** cell temperature when the vent opened, K (NaN) */
  ventTempK: Float64Array;
  /** ISC start time (NaN) */
  iscAtS: Float64Array;
  /** initial temperature for the air-pressure term, K */
  t0K: Float64Array;
  /** open-circuit voltage full / empty for the resistance-based short, V */
  iscVFullV: number;
  iscVEmptyV: number;
  timeS: number;
  dTMaxK: number;
  /** largest substep, s (keeps the loss terms accurate over long quiet steps) */
  hMaxS: number;
  /** total substeps taken (diagnostics) */
  substeps: number;
  /**
   * Below this temperature (K) a cell with no short and no open vent is stepped as a plain thermal
   * node (no reactions, no gas): the chemistry there releases under ~1 % of 0.5C Joule heat (SEI at
   * 60 degC: k ~ 1e-6 1/s), the same cut stepChemistryAt uses. 0 (the default) never skips.
   */
  chemMinK: number;
}

export interface RunawayInit {
  tempC: number;
  /** override the set's cell format (geometry, heat capacity, h, eps) */
  cell?: Partial<CellFormat>;
  /** scales the intercalated-Li amount c_ne0 and the stored electrical energy (1 = full) */
  soc?: number;
  /** electrical energy of a full cell, J (default set.isc.storedEnergyJ) and the open-circuit
   * voltages full / empty used by the resistance-based short (default set.isc) */
  storedEnergyJ?: number;
  vFullV?: number;
  vEmptyV?: number;
}

export function createRunawayFleet(set: RunawaySet, n: number, init: RunawayInit): RunawayFleet {
  if (!Number.isInteger(n) || n < 1) throw new Error(`runaway: n must be a positive integer, got ${n}`);
  const cell: CellFormat = { ...set.cell, ...(init.cell ?? {}) };
  const soc = init.soc ?? 1;
  const f64 = (v: number) => new Float64Array(n).fill(v);
  const t0 = init.tempC + 273.15;
  const can = cell.can;
  if (can && !(can.heatCapJPerK > 0 && can.heatCapJPerK < cell.heatCapJPerK && can.radialWPerK > 0))
    throw new Error(`runaway: the can's heat capacity must be between 0 and the cell's (${cell.heatCapJPerK} J/K) and its radial conductance > 0`);
  const storedJ = init.storedEnergyJ ?? set.isc.storedEnergyJ;
  return {
    n,
    set,
    tempK: f64(t0),
    cSei: f64(set.sei.x0),
    cNe: f64(set.ne.x0 * soc),
    zSei: f64(set.ne.z0 ?? 0.033),
    alpha: f64(set.pe.x0),
    cE: f64(set.e ? set.e.x0 : 0),
    heatCapJPerK: f64(cell.heatCapJPerK),
    areaM2: f64(cell.areaM2),
    hConvWPerM2K: f64(cell.hConvWPerM2K),
    emissivity: f64(cell.emissivity),
    viewAmbient: f64(1),
    massC: f64(set.sei.massFrac * cell.massKg),
    massP: f64(set.pe.massFrac * cell.massKg),
    massE: f64(set.e ? set.e.massFrac * cell.massKg : 0),
    extHeatW: f64(0),
    iscMode: new Uint8Array(n),
    iscOhm: f64(Infinity),
    iscPowerW: f64(0),
    elecEnergyJ: f64(storedJ * soc),
    elecEnergy0J: f64(storedJ),
    qRxnW: f64(0),
    qIscW: f64(0),
    dTdtKPerS: f64(0),
    maxTempK: f64(t0),
    runawayAtS: f64(NaN),
    runawaySurfK: f64(NaN),
    surfK: f64(t0),
    canCapJPerK: f64(can ? can.heatCapJPerK : 0),
    radialWPerK: f64(can ? can.radialWPerK : 0),
    flameJ: f64(set.flame ? set.flame.energyPerStoredJ * storedJ : 0),
    tableJ: f64(set.table ? set.table.energyJ : 0),
    gasMol: f64(0),
    gasReleasedMol: f64(0),
    pressurePa: f64(P_ATM),
    ventAtS: f64(NaN),
    ventTempK: f64(NaN),
    iscAtS: f64(NaN),
    t0K: f64(t0),
    iscVFullV: init.vFullV ?? set.isc.vFullV,
    iscVEmptyV: init.vEmptyV ?? set.isc.vEmptyV,
    timeS: 0,
    dTMaxK: 0.5,
    hMaxS: 2,
    substeps: 0,
    chemMinK: 0,
  };
}

/** Start a resistance-based internal short in cell i (heat V_oc^2 / R). */
export function startIscResistance(f: RunawayFleet, i: number, rOhm: number): void {
  if (!(rOhm > 0)) throw new Error(`runaway: internal short resistance must be > 0 Ohm, got ${rOhm}`);
  f.iscMode[i] = 1;
  f.iscOhm[i] = rOhm;
  if (Number.isNaN(f.iscAtS[i])) f.iscAtS[i] = f.timeS;
}

/** Start an energy-limited internal short: eta x stored energy released over durationS. */
export function startIscEnergy(f: RunawayFleet, i: number, eta: number, durationS: number): void {
  if (!(durationS > 0)) throw new Error(`runaway: short duration must be > 0 s, got ${durationS}`);
  const e = Math.min(f.elecEnergyJ[i], eta * f.elecEnergy0J[i]);
  f.iscMode[i] = 2;
  f.iscPowerW[i] = e / durationS;
  f.elecEnergyJ[i] = e;
  if (Number.isNaN(f.iscAtS[i])) f.iscAtS[i] = f.timeS;
}

/** Sum of y_i p_sat,i(T) (Pa), Antoine log10(p/kPa) = A - B / (T + C), T in K (Tran 2024). */
export function electrolyteVapourPa(tK: number, yDmc: number): number {
  const pDmc = Math.pow(10, 6.4338 - 1413 / (tK - 44.25));
  const pEc = Math.pow(10, 6.4897 - 1836.57 / (tK - 102.23));
  return 1000 * (yDmc * pDmc + (1 - yDmc) * pEc);
}

// scratch for the per-substep rate evaluation (module level, no allocation per step)
let kSei = 0;
let kNe = 0;
let kPe = 0;
let kE = 0;

function rates(set: RunawaySet, tK: number, z: number): void {
  const invRT = 1 / (R_GAS * tK);
  kSei = set.sei.A * Math.exp(-set.sei.EaJPerMol * invRT);
  kNe = set.ne.A * Math.exp(-set.ne.EaJPerMol * invRT - z / (set.ne.zRef ?? 0.033));
  kPe = set.pe.A * Math.exp(-set.pe.EaJPerMol * invRT);
  kE = set.e ? set.e.A * Math.exp(-set.e.EaJPerMol * invRT) : 0;
}

/** Simple-tracing heat release at tK, W: C_ref 10^g(T), g linear in T between the table's points
 * and extrapolated from the last two (BatterySafety CombiTable1Ds, LastTwoPoints). */
function tableHeatW(tab: NonNullable<RunawaySet['table']>, tK: number): number {
  const x = tab.tempC;
  const y = tab.log10KPerS;
  const tC = tK - 273.15;
  let k = 0;
  while (k < x.length - 2 && tC > x[k + 1]) k++;
  const g = y[k] + ((y[k + 1] - y[k]) * (tC - x[k])) / (x[k + 1] - x[k]);
  return tab.heatCapRefJPerK * Math.pow(10, g);
}

/** amount after h at constant k for dc/dt = -k c^m (exact). */
function decay(c: number, k: number, h: number, m: number): number {
  if (c <= 0) return 0;
  if (m === 1) return c * Math.exp(-k * h);
  if (m === 0) return Math.max(0, c - k * h);
  const base = Math.pow(c, 1 - m) - (1 - m) * k * h;
  if (m < 1) return base <= 0 ? 0 : Math.pow(base, 1 / (1 - m));
  return Math.pow(base, 1 / (1 - m));
}

/** alpha after h for dalpha/dt = k alpha^m1 (1-alpha)^m2 (exact for m1 = m2 = 1). */
function grow(a: number, k: number, h: number, m1: number, m2: number): number {
  if (m1 === 1 && m2 === 1) {
    if (a <= 0) return 0;
    // a e^{kh} / (1 - a + a e^{kh}) written with e^{-kh} so it cannot overflow
    return a / (a + (1 - a) * Math.exp(-k * h));
  }
  const r = k * Math.pow(Math.max(a, 0), m1) * Math.pow(Math.max(1 - a, 0), m2);
  return Math.min(1, a + r * h);
}

function iscPower(f: RunawayFleet, i: number): number {
  const mode = f.iscMode[i];
  if (mode === 0 || f.elecEnergyJ[i] <= 0) return 0;
  if (mode === 2) return f.iscPowerW[i];
  const frac = f.elecEnergy0J[i] > 0 ? f.elecEnergyJ[i] / f.elecEnergy0J[i] : 0;
  const v = f.iscVEmptyV + (f.iscVFullV - f.iscVEmptyV) * (frac < 0 ? 0 : frac > 1 ? 1 : frac);
  return (v * v) / f.iscOhm[i];
}

/**
 * Advance every cell by dtS with ambient ambientC (convection and radiation sink temperature, e.g.
 * the oven wall) and the external heat in f.extHeatW (held constant over the step).
 */
export function stepRunawayFleet(f: RunawayFleet, dtS: number, ambientC: number): void {
  if (!(dtS > 0)) return;
  const set = f.set;
  const taK = ambientC + 273.15;
  const ta4 = taK * taK * taK * taK;
  const seiM = set.sei.order;
  const neM = set.ne.order;
  const peM1 = set.pe.order;
  const peM2 = set.pe.order2 ?? 1;
  const eM = set.e ? set.e.order : 1;
  const hS = set.sei.HJPerKg;
  const hN = set.ne.HJPerKg;
  const hP = set.pe.HJPerKg;
  const hE = set.e ? set.e.HJPerKg : 0;
  const iscTrig = set.isc.triggerTempK;
  const vent = set.vent;
  const nLiPerKgC = 1 / M_C6;
  const nSolvPerKg = 1 / vent.solventKgPerMol;
  const dTMax = f.dTMaxK;
  const hMax = f.hMaxS;
  const t0Step = f.timeS;
  for (let i = 0; i < f.n; i++) {
    let T = f.tempK[i];
    let cs = f.cSei[i];
    let cn = f.cNe[i];
    let z = f.zSei[i];
    let al = f.alpha[i];
    let ce = f.cE[i];
    // two-node cells: the jelly roll (T, reactions, short) behind G from the can (S, surface
    // exchange); lumped cells: S is T and the surface terms act on the one node
    const G = f.radialWPerK[i];
    const two = G > 0;
    const cS = two ? f.canCapJPerK[i] : 0;
    const C = f.heatCapJPerK[i] - cS;
    let S = two ? f.surfK[i] : T;
    const hA = f.hConvWPerM2K[i] * f.areaM2[i];
    const eA = f.emissivity[i] * SIGMA_SB * f.areaM2[i] * f.viewAmbient[i];
    const mC = f.massC[i];
    const mP = f.massP[i];
    const mE = f.massE[i];
    const qExt = f.extHeatW[i];
    let eRxn = 0;
    let eIsc = 0;
    let maxRate = -Infinity;
    let tMax = f.maxTempK[i];
    let gas = f.gasMol[i];
    let t = 0;
    let guard = 0;
    const tab = set.table;
    const cold = T < f.chemMinK && f.iscMode[i] === 0 && Number.isNaN(f.ventAtS[i]) && !tab;
    while (t < dtS && guard++ < 1e7) {
      // internal heat at the start of the substep (none in a cold cell: thermal node only)
      let qIn = 0;
      let qIsc = 0;
      if (!cold) {
        rates(set, T, z);
        const rS = kSei * (seiM === 1 ? cs : Math.pow(cs, seiM));
        const rN = kNe * (neM === 1 ? cn : Math.pow(cn, neM));
        const rP = kPe * (peM1 === 1 && peM2 === 1 ? al * (1 - al) : Math.pow(al, peM1) * Math.pow(1 - al, peM2));
        const rE = kE * (eM === 1 ? ce : Math.pow(ce, eM));
        qIsc = iscPower(f, i);
        qIn = hS * mC * rS + hN * mC * rN + hP * mP * rP + hE * mE * rE + qIsc;
        if (tab && f.tableJ[i] > 0) qIn += tableHeatW(tab, T);
      }
      const qSurf0 = qExt - hA * (S - taK) - eA * (S * S * S * S - ta4);
      const rate0 = two ? (qIn + G * (S - T)) / C : (qIn + qSurf0) / C;
      const rateS0 = two ? (qSurf0 - G * (S - T)) / cS : 0;
      let h = dtS - t;
      if (h > hMax) h = hMax;
      const absRate = Math.max(rate0 < 0 ? -rate0 : rate0, rateS0 < 0 ? -rateS0 : rateS0);
      if (absRate * h > dTMax) h = dTMax / absRate;
      if (h < 1e-9) h = 1e-9;
      // midpoint temperatures (Euler predictor); reactions: rates there, exact amount updates
      const Tm = T + 0.5 * rate0 * h;
      const Sm = two ? S + 0.5 * rateS0 * h : Tm;
      let e = 0;
      let eI = 0;
      let dS = 0;
      let dN = 0;
      let dE = 0;
      if (!cold) {
        rates(set, Tm, z);
        const cs1 = decay(cs, kSei, h, seiM);
        const cn1 = decay(cn, kNe, h, neM);
        const al1 = grow(al, kPe, h, peM1, peM2);
        const ce1 = set.e ? decay(ce, kE, h, eM) : ce;
        dS = cs - cs1;
        dN = cn - cn1;
        dE = ce - ce1;
        e = hS * mC * dS + hN * mC * dN + hP * mP * (al1 - al) + hE * mE * dE;
        if (tab && f.tableJ[i] > 0) {
          const eT = Math.min(f.tableJ[i], tableHeatW(tab, Tm) * h);
          f.tableJ[i] -= eT;
          e += eT;
        }
        // internal short energy (capped by what is stored)
        eI = qIsc * h;
        if (eI > f.elecEnergyJ[i]) eI = f.elecEnergyJ[i];
        if (eI > 0) f.elecEnergyJ[i] -= eI;
        cs = cs1;
        cn = cn1;
        z += dN;
        al = al1;
        ce = ce1;
        eRxn += e;
        eIsc += eI;
      }
      const Sm4 = Sm * Sm * Sm * Sm;
      const qSurf = qExt - hA * (Sm - taK) - eA * (Sm4 - ta4);
      const T1 = two ? T + (e + eI + G * (Sm - Tm) * h) / C : T + (e + eI + qSurf * h) / C;
      if (two) S += ((qSurf - G * (Sm - Tm)) * h) / cS;
      const r = (T1 - T) / h;
      if (r > maxRate) maxRate = r;
      // onset: self-heating rate over 1 K/s (external heat, e.g. a neighbour's flame, does not count)
      if (e + eI > C * h && Number.isNaN(f.runawayAtS[i])) {
        f.runawayAtS[i] = t0Step + t + 0.5 * h;
        f.runawaySurfK[i] = Sm;
      }
      T = T1;
      if (!two) S = T;
      if (T > tMax) tMax = T;
      t += h;
      if (cold) continue;
      // gas and vent
      gas += (vent.gasPerLiSei * dS + vent.gasPerLiNe * dN) * mC * nLiPerKgC + vent.gasPerSolvent * dE * mE * nSolvPerKg;
      if (Number.isNaN(f.ventAtS[i])) {
        const pAir = (P_ATM - electrolyteVapourPa(f.t0K[i], vent.yDmc)) * (T / f.t0K[i]);
        const p = pAir + (gas * R_GAS * T) / vent.headspaceM3 + electrolyteVapourPa(T, vent.yDmc);
        f.pressurePa[i] = p;
        if (p >= vent.ventPressurePa) {
          f.ventAtS[i] = t0Step + t;
          f.ventTempK[i] = T;
        }
      } else {
        f.pressurePa[i] = P_ATM;
      }
      // temperature-triggered short (separator collapse)
      if (f.iscMode[i] === 0 && T >= iscTrig) {
        f.timeS = t0Step + t;
        startIscEnergy(f, i, f.set.isc.eta, f.set.isc.durationS);
        f.timeS = t0Step;
      }
    }
    f.tempK[i] = T;
    f.surfK[i] = S;
    f.cSei[i] = cs;
    f.cNe[i] = cn;
    f.zSei[i] = z;
    f.alpha[i] = al;
    f.cE[i] = ce;
    f.qRxnW[i] = eRxn / dtS;
    f.qIscW[i] = eIsc / dtS;
    f.dTdtKPerS[i] = maxRate;
    f.maxTempK[i] = tMax;
    f.gasMol[i] = gas;
    if (!Number.isNaN(f.ventAtS[i])) f.gasReleasedMol[i] = gas;
    f.substeps += guard;
  }
  f.timeS = t0Step + dtS;
}

/** Reaction energy released so far by cell i, J (from the consumed amounts). */
export function releasedEnergyJ(f: RunawayFleet, i: number): number {
  const s = f.set;
  let e = s.sei.HJPerKg * f.massC[i] * (s.sei.x0 - f.cSei[i]);
  e += s.ne.HJPerKg * f.massC[i] * (s.ne.x0 - f.cNe[i]);
  e += s.pe.HJPerKg * f.massP[i] * (f.alpha[i] - s.pe.x0);
  if (s.e) e += s.e.HJPerKg * f.massE[i] * (s.e.x0 - f.cE[i]);
  if (s.table) e += s.table.energyJ - f.tableJ[i];
  return e;
}

// ---------------------------------------------------------------------------------------------
// Cell-to-cell propagation: a conductance network within a module.
// ---------------------------------------------------------------------------------------------

export interface ModuleLayout {
  rows: number;
  cols: number;
  /** surface-to-surface gap between neighbours, m (0 = touching: use contactWPerK) */
  gapM: number;
  /** contact conductance between touching neighbours (or through a holder / busbar), W/K, added */
  contactWPerK?: number;
  /** gap gas conductivity law k(T) = k0 (T / 273.15)^0.8, W/(m K); default air k0 0.0241 */
  gapGasK0?: number;
  /** radiation between neighbours (default true) */
  radiation?: boolean;
  /** couple neighbours every couplingS seconds at most (default 0.25 s) */
  couplingS?: number;
  /** vent flame of a cell in runaway heats its neighbours (set.flame, cylinders; default true) */
  flame?: boolean;
}

export interface RunawayModule {
  fleet: RunawayFleet;
  layout: Required<ModuleLayout>;
  /** edges: i, j, conduction shape factor (m, times k_gas(T) gives W/K), radiative coefficient (m2) */
  ei: Int32Array;
  ej: Int32Array;
  shapeM: Float64Array;
  radM2: Float64Array;
  /** user heat per cell (heater, Joule), W: added to the neighbour exchange every coupling step */
  userHeatW: Float64Array;
  /** heat exchanged with neighbours in the last coupling step, W (+ = into the cell) */
  neighbourW: Float64Array;
  /** per edge: fraction of a burning cell's flame power that reaches the other cell (0 = none) */
  flameFrac: Float64Array;
}

/**
 * Geometry of the neighbour exchange (documented in docs/safety-physics.md):
 * - cylinders side by side (axes parallel, centre distance d = D + gap): gas conduction with the
 *   conduction shape factor of two parallel cylinders S = 2 pi L / acosh((d^2 - 2 r^2) / (2 r^2))
 *   (Incropera, Table 4.1), G = k_gas(T_mean) S; radiation with the view factor between two parallel
 *   cylinders F = (sqrt(X^2 - 1) + asin(1/X) - X) / pi, X = d / D, and the grey two-surface network
 *   Q = sigma (T1^4 - T2^4) / (2 (1 - eps) / (eps A) + 1 / (A F)), A the lateral area;
 * - blocks (prismatic / pouch) face to face: G = k_gas A_face / gap, parallel plates F = 1:
 *   Q = sigma A (T1^4 - T2^4) / (2 / eps - 1).
 * The lateral area that sees a neighbour no longer radiates to ambient: F_amb = 1 - sum F_ij A_lat / A.
 * Vent flame (set.flame, cylinders only): from its onset a cell releases flameJ at a constant rate over
 * durationS; each neighbour receives radiantFraction x F_ij of it (the flame stands over the burning
 * cell, so its neighbour intercepts about the share the cell's own side sees). Prismatic cells vent
 * upwards, away from the neighbours' faces: no flame term for blocks.
 * Neighbour exchange, like convection and radiation, uses the can temperature of two-node cells.
 */
export function createRunawayModule(set: RunawaySet, layoutIn: ModuleLayout, init: RunawayInit): RunawayModule {
  const layout: Required<ModuleLayout> = {
    contactWPerK: 0,
    gapGasK0: 0.0241,
    radiation: true,
    couplingS: 0.25,
    flame: true,
    ...layoutIn,
  };
  const { rows, cols, gapM } = layout;
  if (!(rows >= 1 && cols >= 1)) throw new Error('runaway module: rows and cols must be >= 1');
  if (!(gapM >= 0)) throw new Error(`runaway module: gapM must be >= 0, got ${gapM}`);
  const n = rows * cols;
  const fleet = createRunawayFleet(set, n, init);
  const cell: CellFormat = { ...set.cell, ...(init.cell ?? {}) };
  const eps = cell.emissivity;
  const pairs: number[][] = [];
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c;
      if (c + 1 < cols) pairs.push([i, i + 1]);
      if (r + 1 < rows) pairs.push([i, i + cols]);
    }
  const m = pairs.length;
  const ei = new Int32Array(m);
  const ej = new Int32Array(m);
  const shapeM = new Float64Array(m);
  const radM2 = new Float64Array(m);
  let fView = 0;
  let aLat = cell.areaM2;
  if (cell.cylinder) {
    const D = cell.cylinder.diameterM;
    const L = cell.cylinder.lengthM;
    const rr = D / 2;
    const d = D + gapM;
    aLat = Math.PI * D * L;
    const arg = (d * d - 2 * rr * rr) / (2 * rr * rr);
    const s = gapM > 0 ? (2 * Math.PI * L) / Math.acosh(arg) : 0;
    const X = d / D;
    fView = (Math.sqrt(X * X - 1) + Math.asin(1 / X) - X) / Math.PI;
    const radCoef = layout.radiation && fView > 0 ? 1 / ((2 * (1 - eps)) / (eps * aLat) + 1 / (aLat * fView)) : 0;
    for (let k = 0; k < m; k++) {
      shapeM[k] = s;
      radM2[k] = radCoef;
    }
  } else {
    const b = cell.block ?? { thicknessM: 0.01, widthM: Math.sqrt(cell.areaM2 / 2), heightM: Math.sqrt(cell.areaM2 / 2) };
    const aFace = b.widthM * b.heightM;
    aLat = aFace;
    fView = 1;
    const s = gapM > 0 ? aFace / gapM : 0;
    const radCoef = layout.radiation ? aFace / (2 / eps - 1) : 0;
    for (let k = 0; k < m; k++) {
      shapeM[k] = s;
      radM2[k] = radCoef;
    }
  }
  for (let k = 0; k < m; k++) {
    ei[k] = pairs[k][0];
    ej[k] = pairs[k][1];
  }
  // view to ambient: lateral fraction blocked by neighbours
  const deg = new Float64Array(n);
  for (let k = 0; k < m; k++) {
    deg[ei[k]]++;
    deg[ej[k]]++;
  }
  for (let i = 0; i < n; i++) fleet.viewAmbient[i] = Math.max(0, 1 - (deg[i] * fView * aLat) / cell.areaM2);
  const flameFrac = new Float64Array(m).fill(layout.flame && set.flame && cell.cylinder ? set.flame.radiantFraction * fView : 0);
  return { fleet, layout, ei, ej, shapeM, radM2, userHeatW: new Float64Array(n), neighbourW: new Float64Array(n), flameFrac };
}

/** Advance the module by dtS: neighbour exchange evaluated every couplingS (held over that
 * interval, explicit), each cell integrated with its own substeps. */
export function stepRunawayModule(mod: RunawayModule, dtS: number, ambientC: number): void {
  const f = mod.fleet;
  // while every cell is below the chemistry cut (chemMinK) nothing is fast: couple once a second
  let maxK = 0;
  for (let i = 0; i < f.n; i++) if (f.tempK[i] > maxK) maxK = f.tempK[i];
  const coupling = maxK < f.chemMinK ? Math.max(mod.layout.couplingS, 1) : mod.layout.couplingS;
  const nSub = Math.max(1, Math.ceil(dtS / coupling - 1e-9));
  const h = dtS / nSub;
  const k0 = mod.layout.gapGasK0;
  const gc = mod.layout.contactWPerK;
  const T = f.surfK;
  const nb = mod.neighbourW;
  const durS = f.set.flame ? f.set.flame.durationS : 1;
  for (let s = 0; s < nSub; s++) {
    nb.fill(0);
    const tNow = f.timeS;
    for (let k = 0; k < mod.ei.length; k++) {
      const i = mod.ei[k];
      const j = mod.ej[k];
      const ti = T[i];
      const tj = T[j];
      const tm = 0.5 * (ti + tj);
      const g = k0 * Math.pow(tm / 273.15, 0.8) * mod.shapeM[k] + gc;
      const ti2 = ti * ti;
      const tj2 = tj * tj;
      const q = g * (ti - tj) + SIGMA_SB * mod.radM2[k] * (ti2 * ti2 - tj2 * tj2);
      nb[i] -= q;
      nb[j] += q;
      const ff = mod.flameFrac[k];
      if (ff > 0) {
        // flame power held over this coupling step: the part of [tNow, tNow + h) inside the burn
        nb[j] += ff * flameWOver(f, i, tNow, h, durS);
        nb[i] += ff * flameWOver(f, j, tNow, h, durS);
      }
    }
    for (let i = 0; i < f.n; i++) f.extHeatW[i] = nb[i] + mod.userHeatW[i];
    stepRunawayFleet(f, h, ambientC);
  }
}

/** Mean flame power of cell i over [t, t + h), W: flameJ / durS while it burns (from its onset). */
function flameWOver(f: RunawayFleet, i: number, t: number, h: number, durS: number): number {
  const t0 = f.runawayAtS[i];
  if (!(t0 < t + h) || f.flameJ[i] <= 0) return 0;
  const a = t > t0 ? t : t0;
  const b = t + h < t0 + durS ? t + h : t0 + durS;
  return b > a ? ((f.flameJ[i] / durS) * (b - a)) / h : 0;
}

/** Propagation speed (cells/min) from the onset times: (N - 1) / (t_last - t_first), NaN if < 2.
 * excludeIndex leaves out the triggered cell (a heater can push its dT/dt over 1 K/s by itself). */
export function propagationCellsPerMin(f: RunawayFleet, excludeIndex = -1): { count: number; cellsPerMin: number; firstS: number; lastS: number } {
  let first = Infinity;
  let last = -Infinity;
  let count = 0;
  for (let i = 0; i < f.n; i++) {
    if (i === excludeIndex) continue;
    const t = f.runawayAtS[i];
    if (Number.isNaN(t)) continue;
    count++;
    if (t < first) first = t;
    if (t > last) last = t;
  }
  return { count, cellsPerMin: count >= 2 ? ((count - 1) * 60) / (last - first) : NaN, firstS: first, lastS: last };
}

/**
 * Operator-split coupling for hosts that own the cell temperature (pack ECM + container network):
 * advance the amounts of every cell at the host's temperature tempC[i] (held over dtS, exact
 * updates, so the energy released can never exceed what is left) and write the reaction heat into
 * f.qRxnW and the internal-short heat into f.qIscW (W, mean over the step) for the host to add to
 * its heat input. Cells below minC (default 60 degC) are skipped: there the chemistry releases
 * under ~1 % of 0.5C Joule heat (SEI at 60 degC: k ~ 1e-6 1/s). Onset (self-heating over 1 K/s),
 * gas and vent as in stepRunawayFleet; the host's temperature is the surface temperature too.
 * For the fast runaway itself the host's step sets the accuracy; use stepRunawayFleet (own
 * temperature, adaptive substeps) when the event itself is the object of study.
 */
export function stepChemistryAt(f: RunawayFleet, tempC: Float64Array, dtS: number, minC = 60): void {
  const set = f.set;
  const vent = f.set.vent;
  const t0 = f.timeS;
  const seiM = set.sei.order;
  const neM = set.ne.order;
  const peM1 = set.pe.order;
  const peM2 = set.pe.order2 ?? 1;
  const eM = set.e ? set.e.order : 1;
  for (let i = 0; i < f.n; i++) {
    const tC = tempC[i];
    const T = tC + 273.15;
    const prev = f.tempK[i];
    f.tempK[i] = T;
    if (T > f.maxTempK[i]) f.maxTempK[i] = T;
    f.dTdtKPerS[i] = (T - prev) / dtS;
    f.surfK[i] = T;
    let qI = 0;
    if (f.iscMode[i] === 0 && T >= set.isc.triggerTempK) startIscEnergy(f, i, set.isc.eta, set.isc.durationS);
    if (f.iscMode[i] !== 0 && f.elecEnergyJ[i] > 0) {
      let e = iscPower(f, i) * dtS;
      if (e > f.elecEnergyJ[i]) e = f.elecEnergyJ[i];
      f.elecEnergyJ[i] -= e;
      qI = e / dtS;
    }
    f.qIscW[i] = qI;
    // simple-tracing table heat (set.table), at every temperature
    let eT = 0;
    if (set.table && f.tableJ[i] > 0) {
      eT = Math.min(f.tableJ[i], tableHeatW(set.table, T) * dtS);
      f.tableJ[i] -= eT;
    }
    if (tC < minC) {
      f.qRxnW[i] = eT / dtS;
      markOnset(f, i, qI + eT / dtS, t0 + dtS, T);
      continue;
    }
    rates(set, T, f.zSei[i]);
    const cs = f.cSei[i];
    const cn = f.cNe[i];
    const al = f.alpha[i];
    const ce = f.cE[i];
    const cs1 = decay(cs, kSei, dtS, seiM);
    const cn1 = decay(cn, kNe, dtS, neM);
    const al1 = grow(al, kPe, dtS, peM1, peM2);
    const ce1 = set.e ? decay(ce, kE, dtS, eM) : ce;
    const mC = f.massC[i];
    const e =
      set.sei.HJPerKg * mC * (cs - cs1) +
      set.ne.HJPerKg * mC * (cn - cn1) +
      set.pe.HJPerKg * f.massP[i] * (al1 - al) +
      (set.e ? set.e.HJPerKg * f.massE[i] * (ce - ce1) : 0) +
      eT;
    f.cSei[i] = cs1;
    f.cNe[i] = cn1;
    f.zSei[i] += cn - cn1;
    f.alpha[i] = al1;
    f.cE[i] = ce1;
    f.qRxnW[i] = e / dtS;
    markOnset(f, i, qI + e / dtS, t0 + dtS, T);
    f.gasMol[i] += (vent.gasPerLiSei * (cs - cs1) + vent.gasPerLiNe * (cn - cn1)) * (mC / M_C6) + (vent.gasPerSolvent * (ce - ce1) * f.massE[i]) / vent.solventKgPerMol;
    if (Number.isNaN(f.ventAtS[i])) {
      const pAir = (P_ATM - electrolyteVapourPa(f.t0K[i], vent.yDmc)) * (T / f.t0K[i]);
      const p = pAir + (f.gasMol[i] * R_GAS * T) / vent.headspaceM3 + electrolyteVapourPa(T, vent.yDmc);
      f.pressurePa[i] = p;
      if (p >= vent.ventPressurePa) {
        f.ventAtS[i] = t0 + dtS;
        f.ventTempK[i] = T;
      }
    }
    if (!Number.isNaN(f.ventAtS[i])) f.gasReleasedMol[i] = f.gasMol[i];
  }
  f.timeS = t0 + dtS;
}

/** Onset for a host-owned temperature: self-heating qSelfW over the cell's heat capacity > 1 K/s. */
function markOnset(f: RunawayFleet, i: number, qSelfW: number, tS: number, surfK: number): void {
  if (qSelfW > f.heatCapJPerK[i] && Number.isNaN(f.runawayAtS[i])) {
    f.runawayAtS[i] = tS;
    f.runawaySurfK[i] = surfK;
  }
}

/** Set a cell's temperature (both nodes of a two-node cell), K: heat-wait-seek steps, initial values. */
export function setCellTempK(f: RunawayFleet, i: number, tK: number): void {
  f.tempK[i] = tK;
  f.surfK[i] = tK;
}

/** Severity / code of the runaway-related events, in the BMS event shape (t_s, severity, code, target). */
export interface RunawayEvent {
  t_s: number;
  severity: 'info' | 'warning' | 'alarm' | 'trip';
  code: 'CELL_VENT' | 'CELL_ISC' | 'CELL_RUNAWAY';
  target: string;
  value?: number;
}

/** Remembers which per-cell events have been reported. */
export interface RunawayEventTracker {
  reported: Uint8Array; // bit 1 vent, 2 isc, 4 runaway
}

export function createRunawayEventTracker(n: number): RunawayEventTracker {
  return { reported: new Uint8Array(n) };
}

/**
 * Append the events that appeared since the last call (vent opened, internal short started, onset
 * dT/dt > 1 K/s) to `out`, stamped with the times the model recorded. O(n) per call; call it once
 * per step (or per recorder interval). Runaway onsets are what `runaway: [{target, t_s}]` lists.
 */
export function collectRunawayEvents(tr: RunawayEventTracker, f: RunawayFleet, targetOf: (i: number) => string, out: RunawayEvent[]): number {
  let added = 0;
  const rep = tr.reported;
  for (let i = 0; i < f.n; i++) {
    const r = rep[i];
    if (r === 7) continue;
    if (!(r & 1) && !Number.isNaN(f.ventAtS[i])) {
      out.push({ t_s: f.ventAtS[i], severity: 'alarm', code: 'CELL_VENT', target: targetOf(i), value: f.ventTempK[i] - 273.15 });
      rep[i] |= 1;
      added++;
    }
    if (!(r & 2) && !Number.isNaN(f.iscAtS[i])) {
      out.push({ t_s: f.iscAtS[i], severity: 'alarm', code: 'CELL_ISC', target: targetOf(i) });
      rep[i] |= 2;
      added++;
    }
    if (!(r & 4) && !Number.isNaN(f.runawayAtS[i])) {
      out.push({ t_s: f.runawayAtS[i], severity: 'trip', code: 'CELL_RUNAWAY', target: targetOf(i), value: f.maxTempK[i] - 273.15 });
      rep[i] |= 4;
      added++;
    }
  }
  return added;
}
