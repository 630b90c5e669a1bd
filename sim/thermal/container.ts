/**
 * BESS container thermal network (H6), the lumped structure of tum-ees/SimSES
 * `ContainerThermalModel` as summarised in ../shared/reference/README.md:
 *
 *   battery nodes b (per rack or per cell)  --G_ba-->  container air  --h_in A-->  inner wall
 *   inner wall --(L/2k)--> middle (insulation) --(L/2k)--> outer wall --h_out A--> ambient
 *   solar gain alpha_s G_sol A_roof on the outer wall; HVAC on the air node;
 *   optional coolant loop: battery nodes --G_bc--> coolant node --chiller--> (removed)
 *
 *   C_b dT_b/dt = Q_b - G_ba (T_b - T_air) - G_bc (T_b - T_cool)
 *   C_air dT_air/dt = sum G_ba (T_b - T_air) - h_in A (T_air - T_w1) - Q_cool + Q_heat
 *   C_w1 dT_w1/dt = h_in A (T_air - T_w1) - G_12 (T_w1 - T_w2)       (G_12 = A / (L1/2k1 + L2/2k2))
 *   C_w2 dT_w2/dt = G_12 (T_w1 - T_w2) - G_23 (T_w2 - T_w3)
 *   C_w3 dT_w3/dt = G_23 (T_w2 - T_w3) - G_3o (T_w3 - T_amb) + Q_sol  (G_3o = A / (L3/2k3 + 1/h_out))
 *   C_c dT_c/dt = sum G_bc (T_b - T_c) - Q_chill
 *
 * Thin-wall approximation: every layer uses the inner surface area A = 2(LW + LH + WH). With the 40 ft
 * preset (12 x 2.3 x 2.35 m, Al 1 mm / rock wool 50 mm k 0.05 / steel 1.6 mm, h_in = h_out = 30) the
 * envelope UA = A / (1/h_in + sum L/k + 1/h_out) = 114.8 W/K (README: about 115 W/K).
 *
 * Integration: backward Euler for the whole network (unconditionally stable at any step), solved
 * exactly in O(N): every battery node couples only to the air and the coolant node, so it is
 * eliminated (Schur complement) into a dense 5 x 5 system (air, 3 walls, coolant), then
 * back-substituted. No allocation per step.
 *
 * HVAC (SimSES-like thermostat): cooling switches on when the HOTTEST battery node exceeds
 * setpoint + band/2 and off below setpoint - band/2; heating on when the COLDEST node is below
 * heatSetpoint - band/2 and off above heatSetpoint + band/2. Delivered cooling is limited by the
 * capacity (x capacityFactor) and by the air handler: Q_cool <= airflow (x fanFactor) x (T_air -
 * minSupplyC), treated implicitly; electric power = Q_cool / COP_cool + Q_heat / COP_heat + fan power
 * (COP 3 / 2.5 as SimSES). Fault hooks are plain fields: failed, capacityFactor, fanFactor,
 * setpointOffsetK (set-point drift). The chiller of the coolant loop works the same way on the
 * coolant node (flow capacity rate m_dot cp x flowFactor, e.g. a coolant leak lowers it).
 */

export interface WallLayer {
  name: string;
  thicknessM: number;
  kWPerMK: number;
  rhoKgPerM3: number;
  cpJPerKgK: number;
}

export interface HvacSpec {
  coolingCapacityW: number;
  heatingCapacityW: number;
  copCooling: number;
  copHeating: number;
  setpointC: number;
  heatSetpointC: number;
  bandK: number;
  /** air-handler capacity rate m_dot cp, W/K */
  airflowWPerK: number;
  /** lowest supply-air temperature, degC */
  minSupplyC: number;
  /** fan electric power while the unit runs, W */
  fanPowerW: number;
}

export interface CoolantSpec {
  /** coolant + plates heat capacity, J/K */
  heatCapJPerK: number;
  /** per battery node conductance to the coolant, W/K */
  nodeToCoolantWPerK: number;
  /** loop capacity rate m_dot cp, W/K */
  flowWPerK: number;
  chillerCapacityW: number;
  copChiller: number;
  setpointC: number;
  bandK: number;
  minSupplyC: number;
  pumpPowerW: number;
}

export interface ContainerSpec {
  name: string;
  innerLengthM: number;
  innerWidthM: number;
  innerHeightM: number;
  /** [inner, middle, outer] */
  walls: [WallLayer, WallLayer, WallLayer];
  hInWPerM2K: number;
  hOutWPerM2K: number;
  solarAbsorptivity: number;
  /** battery nodes: count and cells per node (contiguous blocks of cells) */
  nodes: number;
  cellsPerNode: number;
  cellHeatCapJPerK: number;
  /** convective conductance cell -> air, W/K (h A of one cell) */
  cellToAirWPerK: number;
  /** volume taken by the batteries, m3 (reduces the air heat capacity) */
  batteryVolumeM3: number;
  hvac: HvacSpec;
  coolant?: CoolantSpec;
  /** air changes per hour for the gas balance (leakage / ventilation) */
  airChangesPerHour: number;
}

const RHO_AIR = 1.2;
const CP_AIR = 1005;
const R_GAS = 8.314462618;

export function innerAreaM2(s: ContainerSpec): number {
  const { innerLengthM: l, innerWidthM: w, innerHeightM: h } = s;
  return 2 * (l * w + l * h + w * h);
}

/** Envelope UA, W/K: A / (1/h_in + sum L/k + 1/h_out). */
export function envelopeUA(s: ContainerSpec): number {
  let r = 1 / s.hInWPerM2K + 1 / s.hOutWPerM2K;
  for (const w of s.walls) r += w.thicknessM / w.kWPerMK;
  return innerAreaM2(s) / r;
}

export function batteryHeatCapJPerK(s: ContainerSpec): number {
  return s.nodes * s.cellsPerNode * s.cellHeatCapJPerK;
}

/** Cool-down time constant with the HVAC off, s: battery heat capacity / envelope UA. */
export function coolDownTimeConstantS(s: ContainerSpec): number {
  return batteryHeatCapJPerK(s) / envelopeUA(s);
}

/** Samsung 94 Ah prismatic (README typical BESS cell: m 2.1 kg, cp 1000 J/(kg K), h 15 W/(m2 K) on
 * 0.070 m2, R_int 0.819 mOhm, 2.7-4.15 V). */
export const CELL_94AH = {
  capacityAh: 94,
  massKg: 2.1,
  cpJPerKgK: 1000,
  hConvWPerM2K: 15,
  areaM2: 0.07,
  rIntOhm: 0.819e-3,
  vMinV: 2.7,
  vMaxV: 4.15,
  // 173 x 45 x 125 mm can (Samsung SDI 94 Ah format; our figure for the air volume only)
  volumeM3: 0.173 * 0.045 * 0.125,
  source: 'README (SimSES typical cell: Samsung 94 Ah prismatic)',
} as const;

/** 40 ft preset of the README: inner 12 x 2.3 x 2.35 m, Al 1 mm / rock wool 50 mm / steel 1.6 mm,
 * h_in = h_out = 30 W/(m2 K), 8,000 Samsung 94 Ah cells, HVAC 30 kW cooling (COP 3), heating
 * (COP 2.5). Node granularity (per rack or per cell) is chosen with `nodes`. */
export function container40ft(opts: { nodes?: number; cells?: number; coolingCapacityW?: number; coolant?: CoolantSpec } = {}): ContainerSpec {
  const cells = opts.cells ?? 8000;
  const nodes = opts.nodes ?? 20;
  if (cells % nodes !== 0) throw new Error(`container40ft: cells (${cells}) must be a multiple of nodes (${nodes})`);
  const cap = opts.coolingCapacityW ?? 30e3;
  return {
    name: '40 ft BESS container (README / SimSES)',
    innerLengthM: 12,
    innerWidthM: 2.3,
    innerHeightM: 2.35,
    walls: [
      // Al, steel: handbook properties (k 237 / 50 W/(m K)); rock wool from the README
      { name: 'aluminium 1 mm', thicknessM: 0.001, kWPerMK: 237, rhoKgPerM3: 2700, cpJPerKgK: 897 },
      { name: 'rock wool 50 mm', thicknessM: 0.05, kWPerMK: 0.05, rhoKgPerM3: 100, cpJPerKgK: 840 },
      { name: 'steel 1.6 mm', thicknessM: 0.0016, kWPerMK: 50, rhoKgPerM3: 7850, cpJPerKgK: 490 },
    ],
    hInWPerM2K: 30,
    hOutWPerM2K: 30,
    solarAbsorptivity: 0.6,
    nodes,
    cellsPerNode: cells / nodes,
    cellHeatCapJPerK: CELL_94AH.massKg * CELL_94AH.cpJPerKgK,
    cellToAirWPerK: CELL_94AH.hConvWPerM2K * CELL_94AH.areaM2,
    batteryVolumeM3: cells * CELL_94AH.volumeM3,
    hvac: {
      coolingCapacityW: cap,
      heatingCapacityW: 10e3,
      copCooling: 3,
      copHeating: 2.5,
      setpointC: 25,
      heatSetpointC: 10,
      bandK: 2,
      airflowWPerK: cap / 8,
      minSupplyC: 12,
      fanPowerW: 1500,
    },
    coolant: opts.coolant,
    airChangesPerHour: 0.5,
  };
}

export interface Container {
  spec: ContainerSpec;
  /** battery node temperatures, degC */
  nodeTempC: Float64Array;
  /** heat into each battery node over the next step, W (fill before stepContainer) */
  nodeHeatW: Float64Array;
  airC: number;
  wallC: Float64Array; // [inner, middle, outer]
  coolantC: number;
  ambientC: number;
  solarWPerM2: number;
  // hooks (fault language sets these)
  hvacFailed: boolean;
  capacityFactor: number;
  fanFactor: number;
  setpointOffsetK: number;
  coolantFlowFactor: number;
  chillerCapacityFactor: number;
  chillerFailed: boolean;
  // thermostat state and outputs of the last step
  coolingOn: boolean;
  heatingOn: boolean;
  chillerOn: boolean;
  coolingW: number;
  heatingW: number;
  chillerW: number;
  electricW: number;
  electricWh: number;
  maxNodeC: number;
  minNodeC: number;
  hotNode: number;
  /** gas in the container air, mol (from vents), and its concentration, ppm by mole */
  gasMol: number;
  gasPpm: number;
  // constants
  cNode: Float64Array;
  gAir: Float64Array;
  gCool: Float64Array;
  cAir: number;
  cWall: Float64Array;
  gAw: number;
  g12: number;
  g23: number;
  g3o: number;
  roofM2: number;
  airVolumeM3: number;
  // scratch
  mat: Float64Array; // 5 x 5
  rhs: Float64Array;
  sol: Float64Array;
  invD: Float64Array;
  /** per-dt coefficients: kT = C/dt / D, kA = G_air / D, kC = G_cool / D; r = scratch */
  kT: Float64Array;
  kA: Float64Array;
  kC: Float64Array;
  r: Float64Array;
  /** per-dt sums (constant while dt and the conductances are unchanged) */
  sums: Float64Array; // [saa, sac, scc, sumGa, sumGc]
  lastDt: number;
}

export function createContainer(spec: ContainerSpec, init: { tempC: number; ambientC?: number }): Container {
  const nb = spec.nodes;
  if (!(Number.isInteger(nb) && nb >= 1)) throw new Error(`container: nodes must be a positive integer, got ${nb}`);
  const a = innerAreaM2(spec);
  const [w1, w2, w3] = spec.walls;
  const airVol = Math.max(1, spec.innerLengthM * spec.innerWidthM * spec.innerHeightM - spec.batteryVolumeM3);
  const cNode = new Float64Array(nb).fill(spec.cellsPerNode * spec.cellHeatCapJPerK);
  const gAir = new Float64Array(nb).fill(spec.cellsPerNode * spec.cellToAirWPerK);
  const gCool = new Float64Array(nb).fill(spec.coolant ? spec.coolant.nodeToCoolantWPerK : 0);
  const layerC = (w: WallLayer) => w.rhoKgPerM3 * w.cpJPerKgK * w.thicknessM * a;
  return {
    spec,
    nodeTempC: new Float64Array(nb).fill(init.tempC),
    nodeHeatW: new Float64Array(nb),
    airC: init.tempC,
    wallC: new Float64Array(3).fill(init.tempC),
    coolantC: init.tempC,
    ambientC: init.ambientC ?? init.tempC,
    solarWPerM2: 0,
    hvacFailed: false,
    capacityFactor: 1,
    fanFactor: 1,
    setpointOffsetK: 0,
    coolantFlowFactor: 1,
    chillerCapacityFactor: 1,
    chillerFailed: false,
    coolingOn: false,
    heatingOn: false,
    chillerOn: false,
    coolingW: 0,
    heatingW: 0,
    chillerW: 0,
    electricW: 0,
    electricWh: 0,
    maxNodeC: init.tempC,
    minNodeC: init.tempC,
    hotNode: 0,
    gasMol: 0,
    gasPpm: 0,
    cNode,
    gAir,
    gCool,
    cAir: RHO_AIR * CP_AIR * airVol,
    cWall: new Float64Array([layerC(w1), layerC(w2), layerC(w3)]),
    gAw: spec.hInWPerM2K * a,
    g12: a / (w1.thicknessM / (2 * w1.kWPerMK) + w2.thicknessM / (2 * w2.kWPerMK)),
    g23: a / (w2.thicknessM / (2 * w2.kWPerMK) + w3.thicknessM / (2 * w3.kWPerMK)),
    g3o: a / (w3.thicknessM / (2 * w3.kWPerMK) + 1 / spec.hOutWPerM2K),
    roofM2: spec.innerLengthM * spec.innerWidthM,
    airVolumeM3: airVol,
    mat: new Float64Array(25),
    rhs: new Float64Array(5),
    sol: new Float64Array(5),
    invD: new Float64Array(nb),
    kT: new Float64Array(nb),
    kA: new Float64Array(nb),
    kC: new Float64Array(nb),
    r: new Float64Array(nb),
    sums: new Float64Array(5),
    lastDt: -1,
  };
}

/** Sum per-cell heat (W) into the node buffer: cell i belongs to node floor(i / cellsPerNode). */
export function aggregateCellHeat(c: Container, cellHeatW: Float64Array): void {
  const per = c.spec.cellsPerNode;
  const q = c.nodeHeatW;
  const nb = c.spec.nodes;
  if (cellHeatW.length < nb * per) throw new Error(`container: ${cellHeatW.length} cell heats for ${nb} nodes x ${per} cells`);
  if (per === 1) {
    q.set(cellHeatW.length === nb ? cellHeatW : cellHeatW.subarray(0, nb));
    return;
  }
  let i = 0;
  for (let b = 0; b < nb; b++) {
    let s = 0;
    const end = i + per;
    for (; i < end; i++) s += cellHeatW[i];
    q[b] = s;
  }
}

/** Write node temperatures back to the cells (each cell takes its node's temperature). */
export function writeCellTemps(c: Container, cellTempC: Float64Array): void {
  const per = c.spec.cellsPerNode;
  const nb = c.spec.nodes;
  if (cellTempC.length < nb * per) throw new Error(`container: ${cellTempC.length} cell temperatures for ${nb} nodes x ${per} cells`);
  if (per === 1) {
    cellTempC.set(c.nodeTempC);
    return;
  }
  let i = 0;
  for (let b = 0; b < nb; b++) {
    const t = c.nodeTempC[b];
    const end = i + per;
    for (; i < end; i++) cellTempC[i] = t;
  }
}

/** Add released gas (mol) to the container air. */
export function addGas(c: Container, mol: number): void {
  if (mol > 0) c.gasMol += mol;
}

/** Recompute the per-dt node coefficients and sums (call after changing cNode / gAir / gCool). */
export function refreshCoefficients(c: Container, dtS: number): void {
  const nb = c.spec.nodes;
  const invDt = 1 / dtS;
  let saa = 0;
  let sac = 0;
  let scc = 0;
  let sumGa = 0;
  let sumGc = 0;
  for (let b = 0; b < nb; b++) {
    const ga = c.gAir[b];
    const gc = c.gCool[b];
    const id = 1 / (c.cNode[b] * invDt + ga + gc);
    c.invD[b] = id;
    c.kT[b] = c.cNode[b] * invDt * id;
    c.kA[b] = ga * id;
    c.kC[b] = gc * id;
    saa += ga * ga * id;
    sac += ga * gc * id;
    scc += gc * gc * id;
    sumGa += ga;
    sumGc += gc;
  }
  c.sums[0] = saa;
  c.sums[1] = sac;
  c.sums[2] = scc;
  c.sums[3] = sumGa;
  c.sums[4] = sumGc;
  c.lastDt = dtS;
}

// Gaussian elimination with partial pivoting on the 5 x 5 scratch (in place).
function solve5(m: Float64Array, b: Float64Array, x: Float64Array, n: number): void {
  for (let k = 0; k < n; k++) {
    let p = k;
    let best = Math.abs(m[k * 5 + k]);
    for (let r = k + 1; r < n; r++) {
      const v = Math.abs(m[r * 5 + k]);
      if (v > best) {
        best = v;
        p = r;
      }
    }
    if (p !== k) {
      for (let c2 = 0; c2 < n; c2++) {
        const t = m[k * 5 + c2];
        m[k * 5 + c2] = m[p * 5 + c2];
        m[p * 5 + c2] = t;
      }
      const t = b[k];
      b[k] = b[p];
      b[p] = t;
    }
    const piv = m[k * 5 + k];
    for (let r = k + 1; r < n; r++) {
      const f = m[r * 5 + k] / piv;
      if (f === 0) continue;
      for (let c2 = k; c2 < n; c2++) m[r * 5 + c2] -= f * m[k * 5 + c2];
      b[r] -= f * b[k];
    }
  }
  for (let k = n - 1; k >= 0; k--) {
    let s = b[k];
    for (let c2 = k + 1; c2 < n; c2++) s -= m[k * 5 + c2] * x[c2];
    x[k] = s / m[k * 5 + k];
  }
}

/**
 * One backward-Euler step of dtS with the heat in c.nodeHeatW. Thermostats decide from the state at
 * the start of the step; the delivered cooling is solved implicitly with its limits.
 */
export function stepContainer(c: Container, dtS: number): void {
  const s = c.spec;
  const nb = s.nodes;
  const hv = s.hvac;
  const cl = s.coolant;
  const half = 0.5 * hv.bandK;
  const sp = hv.setpointC + c.setpointOffsetK;
  const hsp = hv.heatSetpointC + c.setpointOffsetK;
  // thermostats (hottest / coldest node)
  if (c.hvacFailed) {
    c.coolingOn = false;
    c.heatingOn = false;
  } else {
    if (!c.coolingOn && c.maxNodeC > sp + half) c.coolingOn = true;
    else if (c.coolingOn && c.maxNodeC < sp - half) c.coolingOn = false;
    if (!c.heatingOn && c.minNodeC < hsp - half) c.heatingOn = true;
    else if (c.heatingOn && c.minNodeC > hsp + half) c.heatingOn = false;
    if (c.coolingOn) c.heatingOn = false;
  }
  if (cl) {
    const chalf = 0.5 * cl.bandK;
    if (c.chillerFailed) c.chillerOn = false;
    else if (!c.chillerOn && c.maxNodeC > cl.setpointC + c.setpointOffsetK + chalf) c.chillerOn = true;
    else if (c.chillerOn && c.maxNodeC < cl.setpointC + c.setpointOffsetK - chalf) c.chillerOn = false;
  }
  // battery-node elimination sums
  const invDt = 1 / dtS;
  const hasCool = !!cl;
  if (c.lastDt !== dtS) refreshCoefficients(c, dtS);
  // only s0a / s0c depend on the state: r_b = kT T_b + Q_b / D_b
  const T = c.nodeTempC;
  const Q = c.nodeHeatW;
  const kT = c.kT;
  const invD = c.invD;
  const rr = c.r;
  const gA = c.gAir;
  let s0a = 0;
  let s0c = 0;
  if (hasCool) {
    const gC = c.gCool;
    for (let b = 0; b < nb; b++) {
      const r = kT[b] * T[b] + Q[b] * invD[b];
      rr[b] = r;
      s0a += gA[b] * r;
      s0c += gC[b] * r;
    }
  } else {
    for (let b = 0; b < nb; b++) {
      const r = kT[b] * T[b] + Q[b] * invD[b];
      rr[b] = r;
      s0a += gA[b] * r;
    }
  }
  const saa = c.sums[0];
  const sac = c.sums[1];
  const scc = c.sums[2];
  const sumGa = c.sums[3];
  const sumGc = c.sums[4];
  const n = hasCool ? 5 : 4;
  const solarW = s.solarAbsorptivity * c.solarWPerM2 * c.roofM2;
  const capCool = c.coolingOn ? hv.coolingCapacityW * c.capacityFactor : 0;
  const gSup = c.coolingOn ? hv.airflowWPerK * c.fanFactor : 0;
  const qHeat = c.heatingOn ? hv.heatingCapacityW * c.capacityFactor * (c.fanFactor > 0 ? 1 : 0) : 0;
  const capChill = cl && c.chillerOn ? cl.chillerCapacityW * c.chillerCapacityFactor : 0;
  const gChill = cl && c.chillerOn ? cl.flowWPerK * c.coolantFlowFactor : 0;
  // mode 0: implicit supply-limited removal G (T - Tmin); 1: fixed removal at capacity; 2: none
  let modeCool = capCool > 0 && gSup > 0 ? 0 : 2;
  let modeChill = capChill > 0 && gChill > 0 ? 0 : 2;
  const m = c.mat;
  const rhs = c.rhs;
  const x = c.sol;
  for (let pass = 0; pass < 4; pass++) {
    m.fill(0);
    // air row 0
    m[0] = c.cAir * invDt + sumGa - saa + c.gAw;
    m[1] = -c.gAw;
    rhs[0] = c.cAir * invDt * c.airC + s0a + qHeat;
    if (modeCool === 0) {
      m[0] += gSup;
      rhs[0] += gSup * hv.minSupplyC;
    } else if (modeCool === 1) rhs[0] -= capCool;
    // walls rows 1..3
    m[5] = -c.gAw;
    m[6] = c.cWall[0] * invDt + c.gAw + c.g12;
    m[7] = -c.g12;
    rhs[1] = c.cWall[0] * invDt * c.wallC[0];
    m[11] = -c.g12;
    m[12] = c.cWall[1] * invDt + c.g12 + c.g23;
    m[13] = -c.g23;
    rhs[2] = c.cWall[1] * invDt * c.wallC[1];
    m[17] = -c.g23;
    m[18] = c.cWall[2] * invDt + c.g23 + c.g3o;
    rhs[3] = c.cWall[2] * invDt * c.wallC[2] + c.g3o * c.ambientC + solarW;
    if (hasCool && cl) {
      m[4] = -sac;
      m[20] = -sac;
      m[24] = cl.heatCapJPerK * invDt + sumGc - scc;
      rhs[4] = cl.heatCapJPerK * invDt * c.coolantC + s0c;
      if (modeChill === 0) {
        m[24] += gChill;
        rhs[4] += gChill * cl.minSupplyC;
      } else if (modeChill === 1) rhs[4] -= capChill;
    }
    solve5(m, rhs, x, n);
    let again = false;
    if (modeCool === 0) {
      const q = gSup * (x[0] - hv.minSupplyC);
      if (q > capCool) {
        modeCool = 1;
        again = true;
      } else if (q < 0) {
        modeCool = 2;
        again = true;
      }
    }
    if (hasCool && cl && modeChill === 0) {
      const q = gChill * (x[4] - cl.minSupplyC);
      if (q > capChill) {
        modeChill = 1;
        again = true;
      } else if (q < 0) {
        modeChill = 2;
        again = true;
      }
    }
    if (!again) break;
  }
  const tAir = x[0];
  const tCool = hasCool ? x[4] : c.coolantC;
  c.coolingW = modeCool === 0 ? gSup * (tAir - hv.minSupplyC) : modeCool === 1 ? capCool : 0;
  c.heatingW = qHeat;
  c.chillerW = cl ? (modeChill === 0 ? gChill * (tCool - cl.minSupplyC) : modeChill === 1 ? capChill : 0) : 0;
  // back-substitution and extrema
  let mx = -Infinity;
  let mn = Infinity;
  let hot = 0;
  const kA = c.kA;
  const kC = c.kC;
  for (let b = 0; b < nb; b++) {
    const t = rr[b] + kA[b] * tAir + kC[b] * tCool;
    T[b] = t;
    if (t > mx) {
      mx = t;
      hot = b;
    }
    if (t < mn) mn = t;
  }
  c.maxNodeC = mx;
  c.minNodeC = mn;
  c.hotNode = hot;
  c.airC = tAir;
  c.wallC[0] = x[1];
  c.wallC[1] = x[2];
  c.wallC[2] = x[3];
  if (cl) c.coolantC = tCool;
  const running = c.coolingOn || c.heatingOn;
  c.electricW =
    c.coolingW / hv.copCooling +
    c.heatingW / hv.copHeating +
    (running ? hv.fanPowerW * c.fanFactor : 0) +
    (cl ? c.chillerW / cl.copChiller + (c.chillerOn ? cl.pumpPowerW : 0) : 0);
  c.electricWh += (c.electricW * dtS) / 3600;
  // gas: leakage / ventilation (first order, exact) and concentration
  if (c.gasMol > 0) {
    c.gasMol *= Math.exp((-s.airChangesPerHour / 3600) * dtS);
    const nAir = (101325 * c.airVolumeM3) / (R_GAS * (tAir + 273.15));
    c.gasPpm = (c.gasMol / nAir) * 1e6;
  } else c.gasPpm = 0;
}
