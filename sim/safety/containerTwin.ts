/**
 * Container twin facade (H6): one object that steps a pack (sim/battery/pack.ts), the container
 * thermal network (sim/thermal/container.ts), the runaway chemistry as a heat source at the cells'
 * temperatures (stepChemistryAt) and the BMS monitor, in that order, every step:
 *
 *   1. BMS decision of the previous step: load removed -> pack current 0
 *   2. stepPack(current, ambient = container air)            -> cell heatW (Joule + RC + reversible)
 *   3. cell heat + chemistry heat + internal-short heat -> node heat; stepContainer (implicit)
 *   4. node temperatures -> cells (the ECM's own thermal node is overridden)
 *   5. chemistry advanced at the new temperatures (heat used in the next step, operator split)
 *   6. gas from vents -> container air; BMS on cell V / T, pack current, gas ppm
 *   7. runaway events (vent / short / onset) appended to the same timeline as the BMS events
 *
 * For runaway or propagation studies use one node per cell (nodes = cells); with rack nodes the heat
 * of one failing cell is spread over its rack. Cells of the pack map to nodes in contiguous blocks
 * (cell i -> node floor(i / cellsPerNode)). Fault hooks are the container fields (hvacFailed,
 * capacityFactor, fanFactor, setpointOffsetK, coolantFlowFactor, ...), bms.gasDetectorFailed and
 * startIscResistance / startIscEnergy on `chem`. The short's energy comes from the cell parameters
 * (capacity x mean OCV); its current is not fed back into the ECM (the ECM SOC does not see it).
 */
import type { CellParams } from '../battery/params';
import { createPack, stepPack, type Pack, type PackSpec } from '../battery/pack';
import { createContainer, stepContainer, addGas, type Container, type ContainerSpec } from '../thermal/container';
import { createBmsMonitor, stepBms, bmsLimitsFromCell, type BmsLimits, type BmsMonitor, type BmsEvent } from './bmsMonitor';
import { createRunawayFleet, stepChemistryAt, createRunawayEventTracker, collectRunawayEvents, type RunawayFleet, type RunawayEventTracker, type RunawayEvent } from './runaway';
import type { RunawaySet } from './runawaySets';

export interface ContainerTwinOptions {
  params: CellParams;
  pack: PackSpec;
  container: ContainerSpec;
  runawaySet: RunawaySet;
  init: { soc: number; tempC: number; ambientC: number };
  seed: number;
  bmsLimits?: BmsLimits;
  /** target path prefix, e.g. 'site1/container1' */
  prefix?: string;
  /** chemistry skipped below this cell temperature, degC (default 60) */
  chemistryMinC?: number;
}

export interface ContainerTwin {
  params: CellParams;
  pack: Pack;
  container: Container;
  chem: RunawayFleet;
  bms: BmsMonitor;
  tracker: RunawayEventTracker;
  /** BMS and runaway events in the order they were raised */
  events: (BmsEvent | RunawayEvent)[];
  timeS: number;
  /** last applied pack current, A (0 once the BMS removed the load) */
  currentA: number;
  chemistryMinC: number;
  gasSeenMol: number;
  cellHeat: Float64Array;
  targetOf: (i: number) => string;
}

export function createContainerTwin(o: ContainerTwinOptions): ContainerTwin {
  const n = o.pack.series * o.pack.parallel;
  const cs = o.container;
  if (cs.nodes * cs.cellsPerNode !== n)
    throw new Error(`container twin: the container holds ${cs.nodes} x ${cs.cellsPerNode} = ${cs.nodes * cs.cellsPerNode} cells but the pack has ${n}`);
  const prefix = o.prefix ?? 'container1';
  const targetOf = (i: number) => `${prefix}/cell[${i}]`;
  const pack = createPack(o.params, o.pack, { soc: o.init.soc, tempC: o.init.tempC, rcPairs: 1 }, o.seed);
  const container = createContainer(cs, { tempC: o.init.tempC, ambientC: o.init.ambientC });
  const th = o.params.thermal;
  // stored electrical energy from the cell parameters: capacity x mean OCV over SOC (first temperature row)
  const ocv = o.params.ocvV[0];
  const socs = o.params.socBreakpoints;
  let area = 0;
  for (let k = 1; k < socs.length; k++) area += 0.5 * (ocv[k] + ocv[k - 1]) * (socs[k] - socs[k - 1]);
  const meanOcv = area / (socs[socs.length - 1] - socs[0]);
  const chem = createRunawayFleet(o.runawaySet, n, {
    tempC: o.init.tempC,
    soc: o.init.soc,
    cell: { massKg: th.massKg, heatCapJPerK: th.massKg * th.cpJPerKgK, areaM2: th.areaM2, hConvWPerM2K: th.hConvWPerM2K },
    storedEnergyJ: o.params.capacityAh * 3600 * meanOcv,
    vFullV: o.params.vMaxV,
    vEmptyV: o.params.vMinV,
  });
  const bms = createBmsMonitor(n, o.bmsLimits ?? bmsLimitsFromCell(o.params, { parallel: o.pack.parallel }), { cellTarget: targetOf, packTarget: `${prefix}/bms` });
  return {
    params: o.params,
    pack,
    container,
    chem,
    bms,
    tracker: createRunawayEventTracker(n),
    events: [],
    timeS: 0,
    currentA: 0,
    chemistryMinC: o.chemistryMinC ?? 60,
    gasSeenMol: 0,
    cellHeat: new Float64Array(n),
    targetOf,
  };
}

/** One step of dtS with the requested pack current (A, + = discharge). */
export function stepContainerTwin(tw: ContainerTwin, requestedCurrentA: number, dtS: number): void {
  const { pack, container: c, chem, bms } = tw;
  const f = pack.fleet;
  const n = f.n;
  const i = bms.loadRemoved ? 0 : requestedCurrentA;
  tw.currentA = i;
  stepPack(pack, tw.params, i, c.airC, dtS);
  // node heat = cell heat (ECM) + chemistry + internal short of the previous step
  const q = tw.cellHeat;
  const heat = f.heatW;
  const qr = chem.qRxnW;
  const qi = chem.qIscW;
  for (let k = 0; k < n; k++) q[k] = heat[k] + qr[k] + qi[k];
  const per = c.spec.cellsPerNode;
  const nodeQ = c.nodeHeatW;
  for (let b = 0, k = 0; b < c.spec.nodes; b++) {
    let s = 0;
    for (let e = k + per; k < e; k++) s += q[k];
    nodeQ[b] = s;
  }
  stepContainer(c, dtS);
  const T = f.tempC;
  for (let b = 0, k = 0; b < c.spec.nodes; b++) {
    const t = c.nodeTempC[b];
    for (let e = k + per; k < e; k++) T[k] = t;
  }
  stepChemistryAt(chem, T, dtS, tw.chemistryMinC);
  // gas: everything released by vented cells since the last step
  let gas = 0;
  for (let k = 0; k < n; k++) gas += chem.gasReleasedMol[k];
  if (gas > tw.gasSeenMol) {
    addGas(c, gas - tw.gasSeenMol);
    tw.gasSeenMol = gas;
  }
  tw.timeS += dtS;
  const before = bms.events.length;
  stepBms(bms, { tS: tw.timeS, cellV: f.terminalV, cellTempC: T, packCurrentA: i, gasPpm: c.gasPpm, minV: pack.minCellV, maxV: pack.maxCellV, minT: c.minNodeC, maxT: c.maxNodeC });
  for (let k = before; k < bms.events.length; k++) tw.events.push(bms.events[k]);
  collectRunawayEvents(tw.tracker, chem, tw.targetOf, tw.events as RunawayEvent[]);
}

/** Cells that entered runaway (first dT/dt > 1 K/s), as the run result lists them. */
export function runawayList(tw: ContainerTwin): { target: string; t_s: number }[] {
  const out: { target: string; t_s: number }[] = [];
  for (let k = 0; k < tw.chem.n; k++) if (!Number.isNaN(tw.chem.runawayAtS[k])) out.push({ target: tw.targetOf(k), t_s: tw.chem.runawayAtS[k] });
  return out.sort((a, b) => a.t_s - b.t_s);
}
