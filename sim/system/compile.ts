/**
 * compileSystem(scenario) -> plan: the asset index, initial state per simulated unit, loads with
 * their steps parsed, faults with their targets resolved to units / modules and their triggers,
 * the signal definitions, stop conditions and time steps. Every problem is a ScenarioIssue with the
 * path of the field that caused it (unknown targets, a fault aimed at the wrong kind of asset,
 * trigger cycles, conditions on unknown signals or with the wrong unit, bad criteria). The
 * scenario must already have its parameters substituted and be schema-valid.
 */
import type { SystemScenario, FaultSpec, LoadSpec, ProfileRef, FaultType } from '../scenario/system';
import type { ScenarioIssue } from '../scenario/validate';
import { parseStep, type ParsedStep } from '../scenario/steps';
import type { ExperimentItem } from '../scenario/schema';
import { quantity } from '../scenario/units';
import { buildAssetIndex, AssetError, type AssetIndex, type AssetEntry, type AssetKind } from './assets';
import { defineSignals, createSignalTable, type SignalDef } from './signals';
import { bindCondition } from './conditions';
import { createCriteriaEvaluator } from './criteria';
import type { HvacSettings, CoolantSettings } from './plant';

type Path = (string | number)[];

export interface CompiledTrigger {
  kind: 'at' | 'afterFault' | 'afterEvent' | 'when';
  atS: number;
  ref: string;
  delayS: number;
  /** OR of AND groups of condition texts */
  groups: string[][];
  debounceS: number;
}

export interface CompiledFault {
  id: string;
  type: FaultType;
  targetText: string;
  /** matched asset entries */
  targets: AssetEntry[];
  /** resolved unit indices (cells) and module indices */
  units: number[];
  modules: number[];
  /** container heat faults: indices into plan.hotCells (empty otherwise) */
  hotCells: number[];
  spec: FaultSpec;
  trigger: CompiledTrigger;
  path: Path;
}

export interface CompiledStep {
  step: ParsedStep;
  path: Path;
}

export interface CompiledLoad {
  kind: 'steps' | 'profile' | 'peakShave';
  steps: CompiledStep[];
  profile?: ProfileRef;
  peakShave?: { load: ProfileRef; thresholdW: number; rechargeW: number; socMax: number; socMin: number };
  repeat: number;
}

export interface SystemPlan {
  scenario: SystemScenario;
  index: AssetIndex;
  seed: number;
  dtS: number;
  recordS: number;
  stopS: number;
  stopOnTrip: boolean;
  stopRunawayCells: number;
  stopAfterS: number;
  units: number;
  initSoc: Float64Array;
  initTempC: Float64Array;
  ambient: { tempC: number; profile?: ProfileRef; swingK: number; solarPeak: number };
  loads: CompiledLoad[];
  faults: CompiledFault[];
  signals: SignalDef[];
  hasEcm: boolean;
  /** every profile file the run needs (load them before running) */
  profiles: ProfileRef[];
  hvac: HvacSettings;
  coolant?: CoolantSettings;
  chamber?: { mode: 'oven' | 'arc'; temperatureC?: number; hConv?: number; arc?: Record<string, number> };
  bms: { enabled: boolean; limits: Record<string, unknown>; rates: { maxDischargeC?: number; maxChargeC?: number } };
  auxW: number;
  /** container cells singled out by a heat fault (their own node and chemistry) */
  hotCells?: { paths: string[]; module: number[]; contactWPerK?: number };
}

export type CompileResult = { ok: true; plan: SystemPlan } | { ok: false; issues: ScenarioIssue[] };

/** Largest number of recorded rows per channel. */
export const MAX_RECORDED_ROWS = 20_000;
/** Largest number of recorded values (rows x channels, 8 bytes each: 32 MB). */
export const MAX_RECORDED_VALUES = 4_000_000;

const CELL_FAULTS = new Set<FaultType>(['cell.internalShort', 'cell.forcedHeating', 'cell.capacityFade', 'cell.resistanceRise']);
/** cell faults that single a cell of a container module out as a hot-spot cell */
const HOT_CELL_FAULTS = new Set<FaultType>(['cell.internalShort', 'cell.forcedHeating']);
/** at most this many hot-spot cells per container scenario */
export const MAX_HOT_CELLS = 64;

/** The container cells that heat faults target, in the order they are first named. */
function containerHotCells(s: SystemScenario, index: AssetIndex, issues: ScenarioIssue[]): SystemPlan['hotCells'] {
  const b = index.battery.spec;
  if (b.type !== 'container') return undefined;
  const paths: string[] = [];
  const module: number[] = [];
  (s.faults ?? []).forEach((f, k) => {
    if (!HOT_CELL_FAULTS.has(f.type)) return;
    let hit: AssetEntry[];
    try {
      hit = index.select(f.target);
    } catch {
      return; // reported with the fault
    }
    if (hit.some((a) => a.kind !== 'cell'))
      return void issues.push({ path: ['faults', k, 'target'], message: `${f.type} in a container acts on single cells (e.g. '${index.cellPaths[0]}'); '${f.target}' also selects ${hit.find((a) => a.kind !== 'cell')!.kind} assets` });
    for (const a of hit)
      if (!paths.includes(a.path)) {
        paths.push(a.path);
        module.push(a.module!);
      }
  });
  if (paths.length > MAX_HOT_CELLS) issues.push({ path: ['faults'], message: `heat faults single out ${paths.length} container cells; at most ${MAX_HOT_CELLS}` });
  if (paths.length === 0) return undefined;
  return { paths, module, contactWPerK: b.cellContact !== undefined ? quantity(b.cellContact, 'thermalConductance') : undefined };
}
const FAULT_KINDS: Record<string, AssetKind[]> = {
  hvac: ['hvac', 'container'],
  coolant: ['coolant', 'container'],
  cell: ['cell'],
  sensor: ['tsensor', 'module'],
  contactor: ['contactor', 'pack', 'container'],
  busbar: ['busbar', 'module'],
  gasDetector: ['gasDetector', 'container'],
  environment: ['site', 'vehicle', 'chamber', 'container', 'pack', 'module', 'cell'],
};

export function compileSystem(s: SystemScenario, opts: { seed?: number } = {}): CompileResult {
  const issues: ScenarioIssue[] = [];
  let index: AssetIndex;
  try {
    index = buildAssetIndex(s);
  } catch (e) {
    if (e instanceof AssetError) return { ok: false, issues: [{ path: e.path, message: e.message }] };
    throw e;
  }
  const b = index.battery.spec;
  const hasEcm = !!b.cell.paramSet;
  if (b.type === 'container' && !hasEcm) issues.push({ path: ['assets'], message: 'a container needs cell.paramSet (e.g. "samsung-94ah")' });
  if (b.type === 'pack' && !hasEcm) issues.push({ path: ['assets'], message: 'a pack needs cell.paramSet (its cells carry the load)' });
  const dtS = s.sample?.dt !== undefined ? quantity(s.sample.dt, 'time') : 1;
  const stopS = quantity(s.stop.time, 'time');
  let recordS = s.sample?.record !== undefined ? quantity(s.sample.record, 'time') : dtS;
  if (recordS < dtS) issues.push({ path: ['sample', 'record'], message: `the recording period (${recordS} s) is shorter than the time step (${dtS} s)` });
  if (stopS / dtS > 50_000_000) issues.push({ path: ['stop', 'time'], message: `${stopS} s at ${dtS} s steps is more than 50 million steps; use a larger sample.dt` });

  // ---- init per unit
  const units = b.type === 'container' ? b.racks * b.modulesPerRack : b.type === 'pack' ? b.series * (b.parallel ?? 1) : b.type === 'module' ? b.cells : 1;
  const initSoc = new Float64Array(units).fill(hasEcm ? 0.5 : 1);
  const ambC = s.ambient?.temperature !== undefined && typeof s.ambient.temperature !== 'object' ? quantity(s.ambient.temperature, 'temperature') : 25;
  const initTempC = new Float64Array(units).fill(index.chamber?.spec.mode === 'oven' ? 25 : ambC);
  (s.init ?? []).forEach((e, k) => {
    const path: Path = ['init', k, 'target'];
    const hit = selectOrIssue(index, e.target, path, issues);
    if (!hit) return;
    const us = unitsOfHits(index, hit);
    if (us.size === 0) return void issues.push({ path, message: `'${e.target}' matches no cell (init sets cell SOC and temperature)` });
    if (b.type === 'container' && hit.some((a) => a.kind === 'cell')) {
      // a cell of a container is its module's equivalent cell: the whole module must be addressed
      const cellsHit = hit.filter((a) => a.kind === 'cell').length;
      if (cellsHit % b.cellsPerModule !== 0 || cellsHit !== us.size * b.cellsPerModule)
        issues.push({ path, message: `in a container the cells of a module are simulated as one parallel group: init must address whole modules (e.g. '${index.modulePaths[0]}/**')` });
    }
    for (const u of us) {
      if (e.soc !== undefined) initSoc[u] = e.soc;
      if (e.temperature !== undefined) initTempC[u] = quantity(e.temperature, 'temperature');
    }
  });

  // ---- loads
  const profiles: ProfileRef[] = [];
  const loads: CompiledLoad[] = [];
  (s.loads ?? []).forEach((l, k) => {
    const path: Path = ['loads', k];
    const hit = selectOrIssue(index, l.target, [...path, 'target'], issues);
    const carriers = new Set([index.battery.path, index.site?.path, index.vehicle?.path]);
    if (hit && !hit.some((a) => carriers.has(a.path)))
      issues.push({ path: [...path, 'target'], message: `a load acts on the battery '${index.battery.path}'${index.site ? ` or the site '${index.site.path}'` : ''}${index.vehicle ? ` or the vehicle '${index.vehicle.path}'` : ''}, not on '${l.target}'` });
    if (!hasEcm) return void issues.push({ path, message: 'this battery has no electrical model (cell.paramSet): it cannot carry a load' });
    loads.push(compileLoad(l, path, issues, profiles));
  });
  if (loads.length > 1) issues.push({ path: ['loads', 1], message: 'one load per scenario in this version (steps, a profile or peak shaving)' });
  if (s.ambient?.temperature !== undefined && typeof s.ambient.temperature === 'object') profiles.push(s.ambient.temperature);

  // ---- hot-spot cells: cells of a container singled out by a heat fault (before the signals,
  // which include theirs)
  const hotCells = b.type === 'container' ? containerHotCells(s, index, issues) : undefined;

  // ---- signals (needed by conditions and criteria)
  const signals = defineSignals(index, { hasEcm, hasPeakShave: loads.some((l) => l.kind === 'peakShave'), hotCells: hotCells?.paths });
  const table = createSignalTable(signals);
  // keep at most MAX_RECORDED_ROWS rows and MAX_RECORDED_VALUES values (a 2,880-cell pack records
  // every cell's temperature for the heat map): round the period up to a multiple of dt
  const recorded = signals.filter((d) => d.record).length + 1;
  const maxRows = Math.max(100, Math.min(MAX_RECORDED_ROWS, Math.floor(MAX_RECORDED_VALUES / recorded)));
  const minRecord = stopS / maxRows;
  if (recordS < minRecord) recordS = Math.ceil(minRecord / dtS - 1e-9) * dtS;

  // ---- faults
  const faults: CompiledFault[] = [];
  const ids = new Map<string, number>();
  (s.faults ?? []).forEach((f, k) => {
    const path: Path = ['faults', k];
    if (ids.has(f.id)) issues.push({ path: [...path, 'id'], message: `duplicate fault id '${f.id}' (also faults[${ids.get(f.id)}])` });
    ids.set(f.id, k);
    const hit = selectOrIssue(index, f.target, [...path, 'target'], issues) ?? [];
    const family = f.type.split('.')[0];
    const allowed = FAULT_KINDS[family] ?? [];
    const wrong = hit.filter((a) => !allowed.includes(a.kind) && !(family === 'cell' && ['module', 'pack'].includes(a.kind)));
    if (hit.length && wrong.length === hit.length)
      issues.push({ path: [...path, 'target'], message: `${f.type} acts on ${allowed.join(' / ')} assets; '${f.target}' is a ${wrong[0].kind}` });
    if (CELL_FAULTS.has(f.type) && b.type === 'container' && !HOT_CELL_FAULTS.has(f.type))
      issues.push({ path: [...path, 'type'], message: `${f.type}: in a container a module is one parallel group of identical cells, so a single cell's capacity or resistance cannot differ; use a pack, or cell.internalShort / cell.forcedHeating, which single a cell out` });
    if (family === 'hvac' && b.type !== 'container') issues.push({ path: [...path, 'type'], message: `${f.type} needs a container (it has the HVAC)` });
    if ((family === 'sensor' || family === 'busbar') && (b.type === 'cell' || !hasEcm)) issues.push({ path: [...path, 'type'], message: `${f.type} needs a pack or container with a BMS` });
    if (family === 'coolant' && !(b.type === 'container' && b.coolant)) issues.push({ path: [...path, 'type'], message: `${f.type} needs a container with a "coolant" loop` });
    if (family === 'gasDetector' && b.type !== 'container') issues.push({ path: [...path, 'type'], message: `${f.type} needs a container (it has the gas detector)` });
    const unitSet = unitsOfHits(index, hit);
    const moduleSet = new Set<number>();
    for (const a of hit) if (a.module !== undefined) moduleSet.add(a.module);
    if (moduleSet.size === 0) for (const u of unitSet) moduleSet.add(moduleOfUnit(index, u));
    faults.push({
      id: f.id,
      type: f.type,
      targetText: f.target,
      targets: hit,
      hotCells: hotCells && HOT_CELL_FAULTS.has(f.type) ? hit.map((a) => hotCells.paths.indexOf(a.path)).filter((j) => j >= 0) : [],
      units: [...unitSet].sort((x, y) => x - y),
      modules: [...moduleSet].sort((x, y) => x - y),
      spec: f,
      trigger: compileTrigger(f, path, issues, table),
      path,
    });
  });
  // trigger references and cycles
  for (const f of faults) {
    if (f.trigger.kind === 'afterFault' && !ids.has(f.trigger.ref))
      issues.push({ path: [...f.path, 'trigger', 'after', 'fault'], message: `unknown fault '${f.trigger.ref}'${ids.size ? ` (faults: ${[...ids.keys()].join(', ')})` : ''}` });
  }
  const cyc = findTriggerCycle(faults);
  if (cyc) issues.push({ path: [...cyc.path, 'trigger', 'after'], message: `trigger cycle: ${cyc.chain.join(' -> ')}` });

  // ---- criteria
  if (s.criteria?.length) {
    const r = createCriteriaEvaluator(
      s.criteria.map((c) => ({ id: c.id, expect: c.expect })),
      { signals: table, faultIds: [...ids.keys()] },
    );
    if (!r.ok) for (const i of r.issues) issues.push({ path: ['criteria', i.index, 'expect'], message: i.message });
  }

  // ---- stop
  const stopAfterS = s.stop.after !== undefined ? quantity(s.stop.after, 'time') : 600;
  const ch = index.chamber?.spec;
  const chamber = ch
    ? {
        mode: ch.mode,
        temperatureC: ch.temperature !== undefined ? quantity(ch.temperature, 'temperature') : undefined,
        hConv: ch.hConv !== undefined ? quantity(ch.hConv, 'heatTransfer') : undefined,
        arc: ch.arc
          ? {
              ...(ch.arc.start !== undefined ? { startC: quantity(ch.arc.start, 'temperature') } : {}),
              ...(ch.arc.step !== undefined ? { stepK: quantity(ch.arc.step, 'temperatureDelta') } : {}),
              ...(ch.arc.wait !== undefined ? { waitS: quantity(ch.arc.wait, 'time') } : {}),
              ...(ch.arc.seek !== undefined ? { seekS: quantity(ch.arc.seek, 'time') } : {}),
              ...(ch.arc.threshold !== undefined ? { thrKPerS: quantity(ch.arc.threshold, 'temperatureRate') } : {}),
              ...(ch.arc.max !== undefined ? { maxC: quantity(ch.arc.max, 'temperature') } : {}),
            }
          : undefined,
      }
    : undefined;
  const hvacIn = b.type === 'container' ? b.hvac ?? {} : {};
  const hvac: HvacSettings = {};
  if (hvacIn.mode) hvac.mode = hvacIn.mode;
  if (hvacIn.setpoint !== undefined) hvac.setpointC = quantity(hvacIn.setpoint, 'temperature');
  if (hvacIn.heatSetpoint !== undefined) hvac.heatSetpointC = quantity(hvacIn.heatSetpoint, 'temperature');
  if (hvacIn.band !== undefined) hvac.bandK = quantity(hvacIn.band, 'temperatureDelta');
  if (hvacIn.coolingCapacity !== undefined) hvac.coolingCapacityW = quantity(hvacIn.coolingCapacity, 'power');
  if (hvacIn.heatingCapacity !== undefined) hvac.heatingCapacityW = quantity(hvacIn.heatingCapacity, 'power');
  if (hvacIn.copCooling !== undefined) hvac.copCooling = hvacIn.copCooling;
  if (hvacIn.copHeating !== undefined) hvac.copHeating = hvacIn.copHeating;
  const cool = b.type === 'container' ? b.coolant : undefined;
  const coolant: CoolantSettings | undefined = cool && {
    chillerCapacityW: quantity(cool.chillerCapacity, 'power'),
    setpointC: cool.setpoint !== undefined ? quantity(cool.setpoint, 'temperature') : 25,
    flowWPerK: cool.flow !== undefined ? quantity(cool.flow, 'thermalConductance') : 8000,
    conductanceWPerK: cool.conductance !== undefined ? quantity(cool.conductance, 'thermalConductance') : 40000,
    cop: cool.cop ?? 3,
  };
  const bmsIn = b.type !== 'module' ? b.bms ?? {} : {};
  const limits: Record<string, unknown> = {};
  const lv = (t: (string | number)[]) => ({ warning: quantity(t[0], 'temperature'), alarm: quantity(t[1], 'temperature'), trip: quantity(t[2], 'temperature') });
  if (bmsIn.overTempDischarge) limits.overTempDischargeC = lv(bmsIn.overTempDischarge);
  if (bmsIn.overTempCharge) limits.overTempChargeC = lv(bmsIn.overTempCharge);
  const rates: { maxDischargeC?: number; maxChargeC?: number } = {};
  if (bmsIn.maxDischargeC !== undefined) rates.maxDischargeC = quantity(bmsIn.maxDischargeC, 'crate');
  if (bmsIn.maxChargeC !== undefined) rates.maxChargeC = quantity(bmsIn.maxChargeC, 'crate');
  for (const [key, lim] of [['overTempDischarge', limits.overTempDischargeC], ['overTempCharge', limits.overTempChargeC]] as const) {
    const l = lim as { warning: number; alarm: number; trip: number } | undefined;
    if (l && !(l.warning <= l.alarm && l.alarm <= l.trip)) issues.push({ path: ['assets', index.battery.path.split('/')[0], 'bms', key], message: 'warning <= alarm <= trip' });
  }
  if (issues.length) return { ok: false, issues };
  return {
    ok: true,
    plan: {
      scenario: s,
      index,
      seed: opts.seed ?? s.seed ?? 1,
      dtS,
      recordS,
      stopS,
      stopOnTrip: s.stop.onTrip ?? false,
      stopRunawayCells: s.stop.runawayCells ?? 0,
      stopAfterS,
      units,
      initSoc,
      initTempC,
      ambient: {
        tempC: ambC,
        profile: typeof s.ambient?.temperature === 'object' ? s.ambient.temperature : undefined,
        swingK: s.ambient?.dailySwing !== undefined ? quantity(s.ambient.dailySwing, 'temperatureDelta') : 0,
        solarPeak: s.ambient?.solarPeak ?? 0,
      },
      loads,
      faults,
      signals,
      hasEcm,
      profiles,
      hvac,
      coolant,
      chamber,
      bms: { enabled: bmsIn.enabled ?? true, limits, rates },
      auxW: index.vehicle?.aux !== undefined ? quantity(index.vehicle.aux, 'power') : 0,
      hotCells,
    },
  };
}

function selectOrIssue(index: AssetIndex, sel: string, path: Path, issues: ScenarioIssue[]): AssetEntry[] | undefined {
  let hit: AssetEntry[];
  try {
    hit = index.select(sel);
  } catch (e) {
    issues.push({ path, message: (e as Error).message });
    return undefined;
  }
  if (hit.length === 0) {
    const top = index.entries.filter((e) => e.segs.length <= 2).map((e) => e.path).slice(0, 12);
    issues.push({ path, message: `no asset matches '${sel}'; assets include: ${top.join(', ')}${index.entries.length > top.length ? ', ...' : ''}` });
    return undefined;
  }
  return hit;
}

/** Simulated units addressed by a selector's matches: its cells if it matched cells, else the
 * cells under the assets it matched (one pass per non-cell asset). */
function unitsOfHits(index: AssetIndex, hit: AssetEntry[]): Set<number> {
  const us = new Set<number>();
  for (const a of hit) if (a.kind === 'cell' && a.unit !== undefined) us.add(a.unit);
  if (us.size === 0) for (const a of hit) for (const u of unitsUnder(index, a)) us.add(u);
  return us;
}

/** Simulated units under an asset (itself if a cell). */
function unitsUnder(index: AssetIndex, a: AssetEntry): number[] {
  if (a.kind === 'cell' && a.unit !== undefined) return [a.unit];
  const prefix = a.path + '/';
  const out = new Set<number>();
  if (a.path === index.battery.path || index.battery.path.startsWith(prefix) || a.kind === 'site' || a.kind === 'vehicle' || a.kind === 'chamber') {
    const n = index.cellPaths.length / index.cellsPerUnit;
    for (let u = 0; u < n; u++) out.add(u);
    return [...out];
  }
  for (const e of index.entries) if (e.kind === 'cell' && e.unit !== undefined && e.path.startsWith(prefix)) out.add(e.unit);
  return [...out];
}

function moduleOfUnit(index: AssetIndex, u: number): number {
  const n = index.cellPaths.length / index.cellsPerUnit;
  const perModule = n / index.modulePaths.length;
  return Math.floor(u / perModule);
}

function compileLoad(l: LoadSpec, path: Path, issues: ScenarioIssue[], profiles: ProfileRef[]): CompiledLoad {
  const steps: CompiledStep[] = [];
  const walk = (items: readonly ExperimentItem[], prefix: Path) => {
    items.forEach((it, i) => {
      const p = [...prefix, i];
      if (typeof it === 'string') {
        const r = parseStep(it);
        if (!r.ok) issues.push({ path: p, message: r.message });
        else steps.push({ step: r.step, path: p });
      } else {
        for (let k = 0; k < it.repeat; k++) walk(it.steps, [...p, 'steps']);
        if (steps.length > 1_000_000) issues.push({ path: p, message: 'the steps expand to more than 1,000,000 steps' });
      }
    });
  };
  if (l.steps) walk(l.steps, [...path, 'steps']);
  if (l.profile) profiles.push(l.profile);
  let peakShave: CompiledLoad['peakShave'];
  if (l.peakShave) {
    profiles.push(l.peakShave.load);
    peakShave = {
      load: l.peakShave.load,
      thresholdW: quantity(l.peakShave.threshold, 'power'),
      rechargeW: quantity(l.peakShave.rechargePower, 'power'),
      socMax: l.peakShave.socMax ?? 0.9,
      socMin: l.peakShave.socMin ?? 0.1,
    };
  }
  return { kind: l.steps ? 'steps' : l.profile ? 'profile' : 'peakShave', steps, profile: l.profile, peakShave, repeat: l.repeat ?? 1 };
}

function compileTrigger(f: FaultSpec, path: Path, issues: ScenarioIssue[], table: ReturnType<typeof createSignalTable>): CompiledTrigger {
  const t = f.trigger;
  const base: CompiledTrigger = { kind: 'at', atS: 0, ref: '', delayS: 0, groups: [], debounceS: 0 };
  if (t.at !== undefined) return { ...base, atS: quantity(t.at, 'time') };
  if (t.after) {
    const delayS = t.after.delay !== undefined ? quantity(t.after.delay, 'time') : 0;
    if (t.after.fault !== undefined) return { ...base, kind: 'afterFault', ref: t.after.fault, delayS };
    return { ...base, kind: 'afterEvent', ref: t.after.event ?? '', delayS };
  }
  const w = t.when!;
  const groups: string[][] = typeof w === 'string' ? [[w]] : w.map((g) => (typeof g === 'string' ? [g] : g));
  groups.forEach((g, gi) =>
    g.forEach((c, ci) => {
      const r = bindCondition(c, table);
      const p = typeof w === 'string' ? [...path, 'trigger', 'when'] : typeof w[gi] === 'string' ? [...path, 'trigger', 'when', gi] : [...path, 'trigger', 'when', gi, ci];
      if (!r.ok) issues.push({ path: p, message: r.message });
    }),
  );
  return { ...base, kind: 'when', groups, debounceS: t.for !== undefined ? quantity(t.for, 'time') : 0 };
}

function findTriggerCycle(faults: CompiledFault[]): { chain: string[]; path: Path } | undefined {
  const by = new Map(faults.map((f) => [f.id, f]));
  for (const f of faults) {
    const chain = [f.id];
    let cur = f;
    while (cur.trigger.kind === 'afterFault') {
      const next = by.get(cur.trigger.ref);
      if (!next) break;
      chain.push(next.id);
      if (next.id === f.id) return { chain, path: f.path };
      if (chain.length > faults.length + 1) break;
      cur = next;
    }
  }
  return undefined;
}
