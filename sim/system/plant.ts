/**
 * The physical plant of a version-2 scenario: the battery (its cells' ECM, thermal runaway
 * chemistry and heat exchange), its surroundings (ambient, oven, ARC, container air / walls / HVAC),
 * the BMS safety monitor with its temperature sensors, the contactor and the fault hooks. One step
 * advances everything by dtS with a requested pack current; `save` / `restore` let the run loop
 * re-take a step with a shorter length (triggers and step ends located by bisection).
 *
 * Two thermal hosts (docs/scenario-language-v2.md, "Physics"):
 * - cells (cell / module / pack, alone, in a chamber or a vehicle): every cell its own lumped node
 *   with the four-reaction Arrhenius chemistry, convection and radiation to the surroundings and
 *   conduction + radiation to its neighbours inside a module (sim/safety/runaway.ts,
 *   createRunawayModule geometry); the ECM (sim/battery/pack.ts, cellThermal 'external') gives the
 *   Joule + reversible heat and reads the cell temperatures.
 * - container: the 40 ft network of sim/thermal/container.ts with one battery node per module; a
 *   module is one parallel group of identical cells simulated as ONE equivalent cell (capacity,
 *   heat capacity and area x cells, resistances / cells). That is exact for identical cells at one
 *   node temperature (they share the current equally). Chemistry per equivalent cell at the node
 *   temperature (stepChemistryAt, operator split). A cell singled out by a heat fault
 *   (cell.internalShort, cell.forcedHeating) becomes a hot-spot cell: its own thermal node and
 *   chemistry, tied to its module's node by a conductance (HotCells below).
 */
import type { CellParams } from '../battery/params';
import { CellParamsSchema } from '../battery/params';
import { getParamSet } from '../battery/paramSets';
import { createPack, stepPack, packCurrentForPower, packCurrentForVoltage, type Pack } from '../battery/pack';
import { container40ft, createContainer, stepContainer, addGas, type Container } from '../thermal/container';
import { createBmsMonitor, stepBms, bmsLimitsFromCell, type BmsMonitor, type BmsLimits } from '../safety/bmsMonitor';
import {
  createRunawayFleet,
  createRunawayModule,
  setCellTempK,
  stepRunawayModule,
  stepChemistryAt,
  startIscResistance,
  createRunawayEventTracker,
  collectRunawayEvents,
  type RunawayFleet,
  type RunawayModule,
  type RunawayEvent,
  type RunawayEventTracker,
} from '../safety/runaway';
import { defaultCan, getRunawaySet, type CellFormat } from '../safety/runawaySets';
import { StateSnapshot } from '../engine/snapshot';
import { quantity } from '../scenario/units';
import type { AssetIndex } from './assets';
import type { SystemEvent } from './types';

/** HVAC settings of a container (engine units); absent fields keep the 40 ft preset's values. */
export interface HvacSettings {
  mode?: 'auto' | 'cool' | 'off';
  setpointC?: number;
  heatSetpointC?: number;
  bandK?: number;
  coolingCapacityW?: number;
  heatingCapacityW?: number;
  copCooling?: number;
  copHeating?: number;
}

/** Liquid loop of a container (engine units). */
export interface CoolantSettings {
  chillerCapacityW: number;
  setpointC: number;
  flowWPerK: number;
  /** battery-to-coolant conductance of all modules together, W/K */
  conductanceWPerK: number;
  cop: number;
}

export interface PlantInit {
  /** per simulated unit */
  soc: Float64Array;
  tempC: Float64Array;
}

/** Temperature sensor fault state, one per module (sensors read the hottest cell of the module). */
export interface SensorFaults {
  stuck: Uint8Array;
  stuckC: Float64Array;
  offsetK: Float64Array;
  driftKPerS: Float64Array;
  driftFromS: Float64Array;
  noiseK: Float64Array;
  dropout: Float64Array;
}

/** Default conductance between a hot-spot cell and the rest of its module, W/K: two face
 * neighbours of a 94 Ah prismatic cell (173 x 125 x 45 mm, faces 0.0216 m2), lambda 0.8 W/(m K)
 * through the stack (the BatterySafety MetalCan60Ah value), centre to centre 45 mm: 2 lambda A / w. */
export const CELL_CONTACT_W_PER_K = (2 * 0.8 * 0.0216) / 0.045;

/**
 * Cells of a container singled out by a heat fault (cell.internalShort, cell.forcedHeating). Each
 * is one cell of its module's parallel group with its own lumped node (the cell's heat capacity),
 * its own runaway chemistry, its share 1/g of the group's Joule heat, and a conductance to its
 * module's node; the module node keeps the whole group's heat capacity (1/g too much, 3 % for
 * 32 cells) and receives whatever the hot cell passes on, so the energy balance is exact.
 * Electrically the cell stays part of the group (an internal short is a heat source after the
 * chemistry's short model, as for single cells).
 */
export interface HotCells {
  readonly paths: string[];
  /** module (= unit) of each hot cell */
  readonly module: Int32Array;
  readonly chem: RunawayFleet;
  readonly tempC: Float64Array;
  readonly heaterW: Float64Array;
  readonly heaterUntilS: Float64Array;
  readonly tracker: RunawayEventTracker;
  readonly contactWPerK: number;
  readonly heatCapJPerK: number;
}

const RUNAWAY_MESSAGES: Record<RunawayEvent['code'], (v: number | undefined) => string> = {
  CELL_VENT: (v) => `safety vent opened${v !== undefined ? ` at ${v.toFixed(0)} degC` : ''}: gas released`,
  CELL_ISC: () => 'internal short circuit',
  CELL_RUNAWAY: () => 'thermal runaway: dT/dt above 1 K/s',
};

/** Cells below this temperature are plain thermal nodes (no runaway chemistry), degC. */
export const CHEM_MIN_C = 60;

export class Plant {
  readonly kind: 'cells' | 'container';
  readonly units: number;
  readonly modules: number;
  /** cells per simulated unit (container: cellsPerModule) */
  readonly cellsPerUnit: number;
  /** module index of each unit */
  readonly moduleOf: Int32Array;
  /** first unit of each module and the count */
  readonly moduleStart: Int32Array;
  readonly moduleCount: Int32Array;
  readonly params: CellParams | null;
  readonly pack: Pack | null;
  readonly capacityAh: number;
  readonly chem: RunawayFleet;
  readonly grid: RunawayModule | null;
  readonly container: Container | null;
  /** hot-spot cells of a container (empty elsewhere) */
  readonly hot: HotCells | null;
  readonly bms: BmsMonitor | null;
  readonly tracker: RunawayEventTracker;
  /** unit temperatures, degC (cells: from the chemistry fleet; container: node of the unit) */
  readonly tempC: Float64Array;
  /** can (surface) temperature per unit, degC: equal to tempC unless the cell has a can node */
  readonly surfC: Float64Array;
  /** sensed module temperatures, degC (NaN = no reading) */
  readonly sensorC: Float64Array;
  /** true hottest cell per module, degC */
  readonly moduleMaxC: Float64Array;
  readonly sensorFaults: SensorFaults;
  /** extra heat per unit (heaters), W; heater end time (s, Infinity) */
  readonly heaterW: Float64Array;
  readonly heaterUntilS: Float64Array;
  /** busbar extra resistance per module, Ohm */
  readonly busbarOhm: Float64Array;
  /** ambient (outside) temperature, degC, set by the run loop every step */
  ambientC = 25;
  heatWaveK = 0;
  solarWPerM2 = 0;
  /** chamber */
  readonly chamberMode: 'none' | 'oven' | 'arc';
  ovenC = 25;
  /** ARC controller state */
  arc = { phase: 0 /* 0 wait, 1 seek, 2 tracking, 3 done */, timerS: 0, seekT0K: 0, stepK: 5, waitS: 900, seekS: 600, thrKPerS: 0.02 / 60, maxC: 300, startC: 50, started: 0 };
  contactorOpen = false;
  contactorWelded = false;
  gasDetectorFailed = false;
  /** aux load (vehicle), W */
  auxW = 0;
  /** applied pack current of the last step, A (+ discharge) */
  currentA = 0;
  timeS = 0;
  gasSeenMol = 0;
  /** events raised during the last step (drained by the run loop) */
  readonly pending: SystemEvent[] = [];
  private readonly runawayOut: RunawayEvent[] = [];
  private readonly seed: number;
  private readonly heatScratch: Float64Array;
  readonly unitTarget: (i: number) => string;

  constructor(
    readonly index: AssetIndex,
    init: PlantInit,
    seed: number,
    extra: { bmsLimits?: Partial<BmsLimits>; bmsRates?: { maxDischargeC?: number; maxChargeC?: number }; bmsEnabled: boolean; hvac?: HvacSettings; coolant?: CoolantSettings; chamber?: { mode: 'oven' | 'arc'; temperatureC?: number; hConv?: number; arc?: Record<string, number> }; hotCells?: { paths: string[]; module: number[]; contactWPerK?: number } },
  ) {
    const b = index.battery.spec;
    const set = getRunawaySet(b.cell.runawaySet);
    const fmt: Partial<CellFormat> = {};
    if (b.cell.hConv !== undefined) fmt.hConvWPerM2K = quantity(b.cell.hConv, 'heatTransfer');
    if (b.cell.emissivity !== undefined) fmt.emissivity = b.cell.emissivity;
    if (b.cell.can) {
      const d = defaultCan(set.cell);
      const c = b.cell.can;
      if (!d && (c.heatCapacity === undefined || c.radialConductance === undefined))
        throw new Error(`cell.can: ${set.cell.name} is not a cylinder, give heatCapacity and radialConductance`);
      fmt.can = {
        heatCapJPerK: c.heatCapacity !== undefined ? quantity(c.heatCapacity, 'heatCapacity') : d!.heatCapJPerK,
        radialWPerK: c.radialConductance !== undefined ? quantity(c.radialConductance, 'thermalConductance') : d!.radialWPerK,
        source: c.heatCapacity !== undefined || c.radialConductance !== undefined ? 'scenario' : d!.source,
      };
    }
    if (extra.chamber?.hConv !== undefined) fmt.hConvWPerM2K = extra.chamber.hConv;
    this.chamberMode = extra.chamber?.mode ?? 'none';
    if (this.chamberMode === 'arc') {
      fmt.hConvWPerM2K = 0;
      fmt.emissivity = 0;
    }
    this.seed = seed >>> 0;
    const base = b.cell.paramSet ? getParamSet(b.cell.paramSet) : null;
    this.kind = b.type === 'container' ? 'container' : 'cells';
    let series = 1;
    let parallel = 1;
    if (b.type === 'container') {
      this.cellsPerUnit = b.cellsPerModule;
      series = b.racks * b.modulesPerRack;
      this.units = series;
      this.modules = series;
      if (!base) throw new Error('a container needs cell.paramSet (its cells carry the load)');
      this.params = equivalentCell(base, b.cellsPerModule);
    } else {
      this.cellsPerUnit = 1;
      if (b.type === 'pack') {
        series = b.series;
        parallel = b.parallel ?? 1;
        this.modules = b.modules ?? 1;
      } else this.modules = 1;
      this.units = b.type === 'pack' ? series * parallel : b.type === 'module' ? b.cells : 1;
      this.params = base;
    }
    const n = this.units;
    this.unitTarget = (i) => (this.kind === 'container' ? index.modulePaths[i] : index.cellPaths[i]);
    // modules
    this.moduleOf = new Int32Array(n);
    this.moduleStart = new Int32Array(this.modules);
    this.moduleCount = new Int32Array(this.modules);
    const per = n / this.modules;
    for (let m = 0; m < this.modules; m++) {
      this.moduleStart[m] = m * per;
      this.moduleCount[m] = per;
      for (let k = 0; k < per; k++) this.moduleOf[m * per + k] = m;
    }
    // electrical
    if (this.params) {
      this.pack = createPack(this.params, { series, parallel, cellThermal: 'external' }, { soc: init.soc[0], tempC: init.tempC[0], rcPairs: 1 }, seed);
      const f = this.pack.fleet;
      // per-unit initial SOC / temperature (init by selector)
      const socs = (f as unknown as { soc?: Float64Array }).soc;
      if (socs) socs.set(init.soc);
      f.tempC.set(init.tempC);
      this.capacityAh = parallel * this.params.capacityAh;
    } else {
      this.pack = null;
      this.capacityAh = 0;
    }
    // chemistry + thermal host
    // with an electrical model the cell's own (identified) lumped thermal parameters set mass, heat
    // capacity, area and convection; the runaway set's format gives the rest (geometry, emissivity);
    // the scenario's hConv / emissivity / chamber override both
    const cellForChem: Partial<CellFormat> = {};
    let storedEnergyJ: number | undefined;
    if (this.params) {
      const th = this.params.thermal;
      Object.assign(cellForChem, { massKg: th.massKg, heatCapJPerK: th.massKg * th.cpJPerKgK, areaM2: th.areaM2, hConvWPerM2K: th.hConvWPerM2K });
      storedEnergyJ = this.params.capacityAh * 3600 * meanOcv(this.params);
    }
    Object.assign(cellForChem, fmt);
    const chemInit = { tempC: init.tempC[0], soc: init.soc[0], cell: cellForChem, storedEnergyJ, vFullV: this.params?.vMaxV, vEmptyV: this.params?.vMinV };
    if (this.kind === 'cells') {
      const layout = b.type === 'pack' || b.type === 'module' ? b.layout : undefined;
      const cols = Math.min(layout?.cols ?? per, per);
      if (per % cols !== 0) throw new Error(`layout.cols (${cols}) must divide the cells per module (${per})`);
      const one = createRunawayModule(set, { rows: per / cols, cols, gapM: layout?.gap !== undefined ? quantity(layout.gap, 'length') : 0, contactWPerK: layout?.contact !== undefined ? quantity(layout.contact, 'thermalConductance') : 0, radiation: layout?.radiation ?? true, flame: layout?.flame ?? true }, chemInit);
      this.grid = replicateModule(one, this.modules, set, chemInit);
      this.chem = this.grid.fleet;
      this.chem.chemMinK = CHEM_MIN_C + 273.15;
      this.container = null;
    } else {
      this.grid = null;
      this.chem = createRunawayFleet(set, n, chemInit);
      const b2 = b as Extract<typeof b, { type: 'container' }>;
      const cl = extra.coolant;
      // liquid loop (sim/thermal/container.ts CoolantSpec); heat capacity, band, supply floor and pump
      // power are fixed defaults of a container-size loop (2 MJ/K, 2 K, 15 degC, 2 kW)
      const coolant = cl
        ? { heatCapJPerK: 2e6, nodeToCoolantWPerK: cl.conductanceWPerK / n, flowWPerK: cl.flowWPerK, chillerCapacityW: cl.chillerCapacityW, copChiller: cl.cop, setpointC: cl.setpointC, bandK: 2, minSupplyC: 15, pumpPowerW: 2000 }
        : undefined;
      const spec = container40ft({ nodes: n, cells: n * b2.cellsPerModule, coolant });
      const th = base!.thermal;
      spec.cellHeatCapJPerK = th.massKg * th.cpJPerKgK;
      spec.cellToAirWPerK = th.hConvWPerM2K * th.areaM2;
      if (b2.solarAbsorptivity !== undefined) spec.solarAbsorptivity = b2.solarAbsorptivity;
      const h = extra.hvac ?? {};
      const hv = spec.hvac;
      if (h.setpointC !== undefined) hv.setpointC = h.setpointC;
      if (h.heatSetpointC !== undefined) hv.heatSetpointC = h.heatSetpointC;
      if (h.bandK !== undefined) hv.bandK = h.bandK;
      if (h.coolingCapacityW !== undefined) {
        hv.coolingCapacityW = h.coolingCapacityW;
        hv.airflowWPerK = Math.max(hv.coolingCapacityW / 8, 100);
      }
      if (h.heatingCapacityW !== undefined) hv.heatingCapacityW = h.heatingCapacityW;
      if (h.copCooling !== undefined) hv.copCooling = h.copCooling;
      if (h.copHeating !== undefined) hv.copHeating = h.copHeating;
      if (h.mode === 'cool') hv.heatingCapacityW = 0;
      this.container = createContainer(spec, { tempC: init.tempC[0], ambientC: init.tempC[0] });
      if (h.mode === 'off') this.container.hvacFailed = true;
      this.container.nodeTempC.set(init.tempC);
    }
    const hc = extra.hotCells;
    if (this.container && hc && hc.paths.length > 0) {
      const k = hc.paths.length;
      const th = base!.thermal;
      const heatCapJPerK = th.massKg * th.cpJPerKgK;
      const cellChem = { ...chemInit, cell: { ...cellForChem, massKg: th.massKg, heatCapJPerK, areaM2: th.areaM2 }, storedEnergyJ: base!.capacityAh * 3600 * meanOcv(base!) };
      const chem = createRunawayFleet(set, k, cellChem);
      const tempC = new Float64Array(k);
      for (let j = 0; j < k; j++) {
        tempC[j] = init.tempC[hc.module[j]];
        setCellTempK(chem, j, tempC[j] + 273.15);
        chem.t0K[j] = tempC[j] + 273.15;
      }
      this.hot = {
        paths: hc.paths,
        module: Int32Array.from(hc.module),
        chem,
        tempC,
        heaterW: new Float64Array(k),
        heaterUntilS: new Float64Array(k).fill(Infinity),
        tracker: createRunawayEventTracker(k),
        contactWPerK: hc.contactWPerK ?? CELL_CONTACT_W_PER_K,
        heatCapJPerK,
      };
    } else this.hot = null;
    // per-unit initial temperature into the chemistry
    for (let i = 0; i < n; i++) {
      setCellTempK(this.chem, i, init.tempC[i] + 273.15);
      this.chem.t0K[i] = init.tempC[i] + 273.15;
    }
    this.tempC = new Float64Array(init.tempC);
    this.surfC = new Float64Array(init.tempC);
    this.sensorC = new Float64Array(this.modules);
    this.moduleMaxC = new Float64Array(this.modules);
    this.sensorFaults = {
      stuck: new Uint8Array(this.modules),
      stuckC: new Float64Array(this.modules),
      offsetK: new Float64Array(this.modules),
      driftKPerS: new Float64Array(this.modules),
      driftFromS: new Float64Array(this.modules),
      noiseK: new Float64Array(this.modules),
      dropout: new Float64Array(this.modules),
    };
    this.heaterW = new Float64Array(n);
    this.heaterUntilS = new Float64Array(n).fill(Infinity);
    this.busbarOhm = new Float64Array(this.modules);
    this.heatScratch = new Float64Array(n);
    // BMS
    if (this.params && extra.bmsEnabled) {
      // a container's unit is already a parallel group: its C-rate limits use the group capacity
      const lim = { ...bmsLimitsFromCell(this.params, { parallel, ...(extra.bmsRates ?? {}) }), ...(extra.bmsLimits ?? {}) };
      const batteryPath = index.battery.path;
      // temperatures: one channel per module sensor (the container's module node, a pack module's tsensor)
      const sensorTarget = (m: number) => (b.type === 'cell' ? index.modulePaths[m] : `${index.modulePaths[m]}/tsensor`);
      this.bms = createBmsMonitor(n, lim, { cellTarget: this.unitTarget, packTarget: `${batteryPath}/bms`, tempChannels: this.modules, tempTarget: sensorTarget });
    } else this.bms = null;
    this.tracker = createRunawayEventTracker(n);
    if (extra.chamber) {
      if (extra.chamber.temperatureC !== undefined) this.ovenC = extra.chamber.temperatureC;
      if (extra.chamber.arc) Object.assign(this.arc, extra.chamber.arc);
    }
    this.refreshModuleTemps();
    this.readSensors(); // the sensors read at t = 0 too (not 0 degC before the first step)
    this.savedTracker = new Uint8Array(n);
    this.savedArrays = [new Float64Array(n), new Float64Array(this.modules), new Float64Array(this.modules), new Float64Array(n)];
    this.snapPack = this.pack ? new StateSnapshot(this.pack) : null;
    this.snapChem = new StateSnapshot(this.chem);
    this.snapContainer = this.container ? new StateSnapshot(this.container) : null;
    this.snapHot = this.hot ? [new StateSnapshot(this.hot.chem), new StateSnapshot({ tempC: this.hot.tempC, heaterW: this.hot.heaterW, heaterUntilS: this.hot.heaterUntilS, reported: this.hot.tracker.reported })] : [];
    this.snapBms = this.bms ? new StateSnapshot(this.bms) : null;
    this.snapArc = new StateSnapshot(this.arc);
  }
  private readonly snapPack: StateSnapshot | null;
  private readonly snapChem: StateSnapshot;
  private readonly snapContainer: StateSnapshot | null;
  private readonly snapHot: StateSnapshot[];
  private readonly snapBms: StateSnapshot | null;
  private readonly snapArc: StateSnapshot;
  private savedBmsEvents = 0;
  private readonly savedTracker: Uint8Array;
  /** the plant's own state that changes inside a step: tempC, sensorC, moduleMaxC, and numbers */
  private readonly savedArrays: Float64Array[];
  private savedNums = [0, 0, 0, 0];

  /** Surroundings temperature of the cells, degC. */
  environmentC(): number {
    if (this.chamberMode === 'oven') return this.ovenC;
    if (this.chamberMode === 'arc') return this.ovenC;
    if (this.container) return this.container.airC;
    return this.ambientC + this.heatWaveK;
  }

  packVoltage(): number {
    return this.pack ? this.pack.packV : NaN;
  }

  currentForPower(powerW: number, dtS: number): number {
    return this.pack && this.params ? packCurrentForPower(this.pack, this.params, powerW, dtS) : 0;
  }

  currentForVoltage(v: number, dtS: number): number {
    return this.pack && this.params ? packCurrentForVoltage(this.pack, this.params, v, dtS) : 0;
  }

  /** Is the load connected (contactor closed and not opened by a BMS trip, or welded)? */
  connected(): boolean {
    if (this.contactorWelded) return true;
    if (this.contactorOpen) return false;
    return !(this.bms && this.bms.loadRemoved);
  }

  step(requestedA: number, dtS: number): void {
    const n = this.units;
    const I = this.pack && this.connected() ? requestedA : 0;
    this.currentA = I;
    const envC = this.environmentC();
    const q = this.heatScratch;
    q.fill(0);
    if (this.pack && this.params) {
      const f = this.pack.fleet;
      f.tempC.set(this.tempC);
      stepPack(this.pack, this.params, I, envC, dtS);
      q.set(f.heatW);
      // busbar joints: I_group^2 R per module, spread over its units
      for (let m = 0; m < this.modules; m++) {
        const r = this.busbarOhm[m];
        if (r > 0) {
          const per = this.moduleCount[m];
          const w = (I * I * r) / per;
          for (let k = this.moduleStart[m], e = k + per; k < e; k++) q[k] += w;
        }
      }
    }
    const tEnd = this.timeS + dtS;
    for (let i = 0; i < n; i++) if (this.heaterW[i] > 0 && this.timeS < this.heaterUntilS[i] && Number.isNaN(this.chem.runawayAtS[i])) q[i] += this.heaterW[i];
    if (this.grid) {
      this.grid.userHeatW.set(q);
      if (this.chamberMode === 'arc') this.arcBefore();
      stepRunawayModule(this.grid, dtS, this.chamberMode === 'arc' ? this.tempC[0] : envC);
      const T = this.chem.tempK;
      const S = this.chem.surfK;
      for (let i = 0; i < n; i++) {
        this.tempC[i] = T[i] - 273.15;
        this.surfC[i] = S[i] - 273.15;
      }
      if (this.chamberMode === 'arc') this.arcAfter(dtS);
    } else if (this.container) {
      const c = this.container;
      c.ambientC = this.ambientC + this.heatWaveK;
      c.solarWPerM2 = this.solarWPerM2;
      const chem = this.chem;
      for (let i = 0; i < n; i++) c.nodeHeatW[i] = q[i] + chem.qRxnW[i] + chem.qIscW[i];
      if (this.hot) this.stepHotCells(dtS);
      stepContainer(c, dtS);
      this.tempC.set(c.nodeTempC);
      this.surfC.set(c.nodeTempC);
      stepChemistryAt(chem, this.tempC, dtS, CHEM_MIN_C);
      let gas = 0;
      for (let i = 0; i < n; i++) gas += chem.gasReleasedMol[i];
      if (this.hot) {
        stepChemistryAt(this.hot.chem, this.hot.tempC, dtS, CHEM_MIN_C);
        for (let j = 0; j < this.hot.paths.length; j++) gas += this.hot.chem.gasReleasedMol[j];
      }
      if (gas > this.gasSeenMol) {
        addGas(c, gas - this.gasSeenMol);
        this.gasSeenMol = gas;
      }
    }
    this.timeS = tEnd;
    this.refreshModuleTemps();
    this.readSensors();
    // BMS on cell voltages and the sensed temperatures
    if (this.bms && this.pack) {
      const bms = this.bms;
      bms.gasDetectorFailed = this.gasDetectorFailed;
      const before = bms.events.length;
      stepBms(bms, { tS: tEnd, cellV: this.pack.fleet.terminalV, cellTempC: this.sensorC, packCurrentA: I, gasPpm: this.container ? this.container.gasPpm : 0 });
      for (let k = before; k < bms.events.length; k++) {
        const e = bms.events[k];
        this.pending.push({ t_s: e.t_s, severity: e.severity, code: e.code, target: e.target, value: e.value });
      }
    }
    const ro = this.runawayOut;
    ro.length = 0;
    collectRunawayEvents(this.tracker, this.chem, this.unitTarget, ro);
    if (this.hot) {
      const paths = this.hot.paths;
      collectRunawayEvents(this.hot.tracker, this.hot.chem, (j) => paths[j], ro);
    }
    for (const e of ro) this.pending.push({ t_s: e.t_s, severity: e.severity, code: e.code, target: e.target, value: e.value, message: RUNAWAY_MESSAGES[e.code](e.value) });
  }


  /**
   * Hot-spot cells over one step, before the container network: each node integrated exactly
   * (C dT/dt = Q - G (T - T_module), Q and T_module held over the step), and what it passes on,
   * Q - C dT / dt, added to its module's node heat.
   */
  private stepHotCells(dtS: number): void {
    const h = this.hot!;
    const c = this.container!;
    const g = this.cellsPerUnit;
    const joule = this.pack ? this.pack.fleet.heatW : null;
    const G = h.contactWPerK;
    const C = h.heatCapJPerK;
    const decay = Math.exp((-G * dtS) / C);
    for (let j = 0; j < h.paths.length; j++) {
      const m = h.module[j];
      let qW = h.chem.qRxnW[j] + h.chem.qIscW[j];
      if (h.heaterW[j] > 0 && this.timeS < h.heaterUntilS[j] && Number.isNaN(h.chem.runawayAtS[j])) qW += h.heaterW[j];
      if (joule) {
        // the cell's share of its group's Joule heat leaves the module node
        const share = joule[m] / g;
        qW += share;
        c.nodeHeatW[m] -= share;
      }
      const tOld = h.tempC[j];
      const tInf = c.nodeTempC[m] + qW / G;
      const tNew = tInf + (tOld - tInf) * decay;
      h.tempC[j] = tNew;
      c.nodeHeatW[m] += qW - (C * (tNew - tOld)) / dtS;
    }
  }

  private refreshModuleTemps(): void {
    for (let m = 0; m < this.modules; m++) {
      let mx = -Infinity;
      for (let k = this.moduleStart[m], e = k + this.moduleCount[m]; k < e; k++) if (this.tempC[k] > mx) mx = this.tempC[k];
      this.moduleMaxC[m] = mx;
    }
    const h = this.hot;
    if (h) for (let j = 0; j < h.paths.length; j++) if (h.tempC[j] > this.moduleMaxC[h.module[j]]) this.moduleMaxC[h.module[j]] = h.tempC[j];
  }

  /** Module temperature sensors: hottest cell of the module + faults (stuck, offset, drift, noise, dropout). */
  private readSensors(): void {
    const f = this.sensorFaults;
    for (let m = 0; m < this.modules; m++) {
      if (f.stuck[m]) {
        this.sensorC[m] = f.stuckC[m];
        continue;
      }
      let v = this.moduleMaxC[m] + f.offsetK[m];
      if (f.driftKPerS[m] !== 0) v += f.driftKPerS[m] * (this.timeS - f.driftFromS[m]);
      // noise and dropouts are a function of (seed, sensor, time): the same whatever the step
      // history, so a step re-taken during bisection reads the same values
      const tMs = Math.round(this.timeS * 1000);
      if (f.noiseK[m] > 0) v += f.noiseK[m] * hashNormal(this.seed, m, tMs);
      if (f.dropout[m] > 0 && hashUniform(this.seed ^ 0x9e3779b9, m, tMs) < f.dropout[m]) v = NaN;
      this.sensorC[m] = v;
    }
  }

  /** ARC heat-wait-seek: before the step (heat steps), after the step (seek evaluation). */
  private arcBefore(): void {
    const a = this.arc;
    if (!a.started) {
      a.started = 1;
      for (let i = 0; i < this.units; i++) setCellTempK(this.chem, i, a.startC + 273.15);
      for (let i = 0; i < this.units; i++) this.tempC[i] = a.startC;
      this.pending.push({ t_s: this.timeS, severity: 'info', code: 'ARC_HEAT', target: this.index.chamber?.path ?? 'chamber', value: a.startC });
    }
  }

  private arcAfter(dtS: number): void {
    const a = this.arc;
    const T = this.chem.tempK;
    a.timerS += dtS;
    this.ovenC = this.tempC[0];
    if (a.phase === 0 && a.timerS >= a.waitS) {
      a.phase = 1;
      a.timerS = 0;
      a.seekT0K = T[0];
    } else if (a.phase === 1 && a.timerS >= a.seekS) {
      const rate = (T[0] - a.seekT0K) / a.timerS;
      if (rate > a.thrKPerS) {
        a.phase = 2;
        this.pending.push({ t_s: this.timeS, severity: 'warning', code: 'ARC_EXOTHERM', target: this.index.chamber?.path ?? 'chamber', value: a.seekT0K - 273.15, message: `self-heating ${(rate * 60).toFixed(3)} K/min detected at ${(a.seekT0K - 273.15).toFixed(1)} degC` });
      } else if (this.tempC[0] + a.stepK > a.maxC) {
        a.phase = 3;
      } else {
        for (let i = 0; i < this.units; i++) setCellTempK(this.chem, i, T[i] + a.stepK);
        for (let i = 0; i < this.units; i++) this.tempC[i] = T[i] - 273.15;
        a.phase = 0;
        a.timerS = 0;
        this.pending.push({ t_s: this.timeS, severity: 'info', code: 'ARC_HEAT', target: this.index.chamber?.path ?? 'chamber', value: this.tempC[0] });
      }
    }
  }

  /** Start an internal short in unit i (resistance-based, heat V_oc^2 / R). */
  internalShort(i: number, rOhm: number): void {
    startIscResistance(this.chem, i, rOhm);
  }

  /** Start an internal short in hot-spot cell j of a container. */
  hotCellShort(j: number, rOhm: number): void {
    startIscResistance(this.hot!.chem, j, rOhm);
  }

  save(): void {
    this.savedArrays[0].set(this.tempC);
    this.savedArrays[1].set(this.sensorC);
    this.savedArrays[2].set(this.moduleMaxC);
    this.savedArrays[3].set(this.surfC);
    const sn = this.savedNums;
    sn[0] = this.currentA;
    sn[1] = this.timeS;
    sn[2] = this.gasSeenMol;
    sn[3] = this.ovenC;
    this.snapPack?.save();
    this.snapChem.save();
    this.snapContainer?.save();
    for (const h of this.snapHot) h.save();
    this.snapBms?.save();
    this.snapArc.save();
    if (this.bms) this.savedBmsEvents = this.bms.events.length;
    this.savedTracker.set(this.tracker.reported);
  }

  restore(): void {
    this.tempC.set(this.savedArrays[0]);
    this.sensorC.set(this.savedArrays[1]);
    this.moduleMaxC.set(this.savedArrays[2]);
    this.surfC.set(this.savedArrays[3]);
    const sn = this.savedNums;
    this.currentA = sn[0];
    this.timeS = sn[1];
    this.gasSeenMol = sn[2];
    this.ovenC = sn[3];
    this.snapPack?.restore();
    this.snapChem.restore();
    this.snapContainer?.restore();
    for (const h of this.snapHot) h.restore();
    this.snapBms?.restore();
    this.snapArc.restore();
    if (this.bms) {
      this.bms.events.length = this.savedBmsEvents;
      this.bms.eventCount.clear();
      for (const e of this.bms.events) this.bms.eventCount.set(e.code, (this.bms.eventCount.get(e.code) ?? 0) + 1);
    }
    this.tracker.reported.set(this.savedTracker);
    this.pending.length = 0;
  }
}

/** Uniform [0, 1) from (seed, a, b): a splitmix32-style integer hash (stateless noise). */
export function hashUniform(seed: number, a: number, b: number): number {
  let h = (seed ^ Math.imul(a + 1, 0x85ebca6b) ^ Math.imul(b | 0, 0xc2b2ae35) ^ Math.imul((b / 4294967296) | 0, 0x27d4eb2f)) | 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

/** Standard normal from (seed, a, b) by Box-Muller on two hashed uniforms. */
export function hashNormal(seed: number, a: number, b: number): number {
  const u = Math.max(hashUniform(seed, a, b), 1e-12);
  const v = hashUniform(seed ^ 0x68e31da4, a, b);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

function meanOcv(p: CellParams): number {
  const ocv = p.ocvV[0];
  const socs = p.socBreakpoints;
  let area = 0;
  for (let k = 1; k < socs.length; k++) area += 0.5 * (ocv[k] + ocv[k - 1]) * (socs[k] - socs[k - 1]);
  return area / (socs[socs.length - 1] - socs[0]);
}

/** One parallel group of `g` identical cells as one equivalent cell. */
export function equivalentCell(p: CellParams, g: number): CellParams {
  if (g === 1) return p;
  const sc = (t: number[][] | undefined, k: number) => t?.map((r) => r.map((v) => v * k));
  return CellParamsSchema.parse({
    ...p,
    name: `${p.name} x${g}p equivalent`,
    capacityAh: p.capacityAh * g,
    r0Ohm: sc(p.r0Ohm, 1 / g),
    r1Ohm: sc(p.r1Ohm, 1 / g),
    c1F: sc(p.c1F, g),
    ...(p.r2Ohm ? { r2Ohm: sc(p.r2Ohm, 1 / g), c2F: sc(p.c2F, g) } : {}),
    thermal: { ...p.thermal, massKg: p.thermal.massKg * g, areaM2: p.thermal.areaM2 * g },
  });
}

/** `modules` copies of one module's neighbour network in one fleet (no exchange between modules). */
function replicateModule(one: RunawayModule, modules: number, set: ReturnType<typeof getRunawaySet>, init: Parameters<typeof createRunawayFleet>[2]): RunawayModule {
  if (modules === 1) return one;
  const per = one.fleet.n;
  const n = per * modules;
  const fleet = createRunawayFleet(set, n, init);
  for (let m = 0; m < modules; m++) for (let k = 0; k < per; k++) fleet.viewAmbient[m * per + k] = one.fleet.viewAmbient[k];
  const e = one.ei.length;
  const ei = new Int32Array(e * modules);
  const ej = new Int32Array(e * modules);
  const shapeM = new Float64Array(e * modules);
  const radM2 = new Float64Array(e * modules);
  const flameFrac = new Float64Array(e * modules);
  for (let m = 0; m < modules; m++)
    for (let k = 0; k < e; k++) {
      ei[m * e + k] = one.ei[k] + m * per;
      ej[m * e + k] = one.ej[k] + m * per;
      shapeM[m * e + k] = one.shapeM[k];
      radM2[m * e + k] = one.radM2[k];
      flameFrac[m * e + k] = one.flameFrac[k];
    }
  return { fleet, layout: one.layout, ei, ej, shapeM, radM2, userHeatW: new Float64Array(n), neighbourW: new Float64Array(n), flameFrac };
}
