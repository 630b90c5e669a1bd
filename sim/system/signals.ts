/**
 * Signals of a system: names `<asset path>.<signal>` with the unit in the signal name, defined from
 * the asset index alone (so the editor and the validator know them before a run), and sampled
 * from a plant into a Float64Array after every step without allocation.
 */
import type { AssetIndex } from './assets';
import type { Plant } from './plant';
import type { SignalTable } from './types';

export enum Src {
  UnitT,
  UnitV,
  UnitSoc,
  UnitDTdt,
  ModuleMaxT,
  SensorT,
  PackV,
  PackI,
  PackP,
  PackSoc,
  PackMaxT,
  AirT,
  HvacW,
  HvacCoolW,
  GasPpm,
  AmbientT,
  ChamberT,
  SiteLoadW,
  SiteGridW,
  AuxW,
  CoolantT,
  ChillerW,
  UnitSurfT,
  /** hot-spot cells of a container */
  HotT,
  HotDTdt,
}

export interface SignalDef {
  name: string;
  unit: string;
  src: Src;
  i: number;
  /** recorded as a channel (time series) */
  record: boolean;
  /** per-unit temperature shown in the heat map */
  heat?: boolean;
}

/** Per-cell voltage / SOC / dT/dt channels are recorded only for small batteries. */
export const MAX_RECORDED_CELL_DETAIL = 16;

export function defineSignals(index: AssetIndex, opts: { hasEcm: boolean; hasPeakShave: boolean; hotCells?: string[] }): SignalDef[] {
  const out: SignalDef[] = [];
  const add = (name: string, unit: string, src: Src, i = 0, record = true, heat = false) => out.push({ name, unit, src, i, record, heat });
  const b = index.battery;
  const container = b.spec.type === 'container';
  add('ambient.temp_C', 'degC', Src.AmbientT);
  if (index.chamber) add(`${index.chamber.path}.temp_C`, 'degC', Src.ChamberT);
  if (opts.hasEcm) {
    add(`${b.path}.voltage_V`, 'V', Src.PackV);
    add(`${b.path}.current_A`, 'A', Src.PackI);
    add(`${b.path}.power_W`, 'W', Src.PackP);
    add(`${b.path}.soc`, '1', Src.PackSoc);
  }
  add(`${b.path}.temp_max_C`, 'degC', Src.PackMaxT);
  if (container) {
    add(`${b.path}/air.temp_C`, 'degC', Src.AirT);
    add(`${b.path}/hvac.power_W`, 'W', Src.HvacW);
    add(`${b.path}/hvac.cooling_W`, 'W', Src.HvacCoolW);
    add(`${b.path}/gasDetector.ppm`, 'ppm', Src.GasPpm);
    if (b.spec.type === 'container' && b.spec.coolant) {
      add(`${b.path}/coolant.temp_C`, 'degC', Src.CoolantT);
      add(`${b.path}/coolant.chiller_W`, 'W', Src.ChillerW);
    }
  }
  if (index.site && opts.hasPeakShave) {
    add(`${index.site.path}.load_W`, 'W', Src.SiteLoadW);
    add(`${index.site.path}.grid_W`, 'W', Src.SiteGridW);
  }
  if (index.vehicle) add(`${index.vehicle.path}.aux_W`, 'W', Src.AuxW);
  const hasSensors = b.spec.type !== 'cell' && opts.hasEcm;
  index.modulePaths.forEach((p, m) => {
    if (container) {
      add(`${p}.temp_C`, 'degC', Src.UnitT, m, true, true);
      add(`${p}.voltage_V`, 'V', Src.UnitV, m, false);
      add(`${p}.soc`, '1', Src.UnitSoc, m, false);
    } else if (b.spec.type === 'pack') add(`${p}.temp_C`, 'degC', Src.ModuleMaxT, m, true);
    if (hasSensors) add(`${p}/tsensor.temp_C`, 'degC', Src.SensorT, m, true);
  });
  // hot-spot cells of a container (singled out by a heat fault)
  (opts.hotCells ?? []).forEach((p, j) => {
    add(`${p}.temp_C`, 'degC', Src.HotT, j, true);
    add(`${p}.dTdt_K_per_s`, 'K/s', Src.HotDTdt, j, true);
  });
  if (!container) {
    const detail = index.cellPaths.length <= MAX_RECORDED_CELL_DETAIL;
    index.cellPaths.forEach((p, i) => {
      add(`${p}.temp_C`, 'degC', Src.UnitT, i, true, true);
      add(`${p}.dTdt_K_per_s`, 'K/s', Src.UnitDTdt, i, detail);
      if (b.spec.cell.can) add(`${p}.surface_C`, 'degC', Src.UnitSurfT, i, detail);
      if (opts.hasEcm && p !== b.path) {
        add(`${p}.voltage_V`, 'V', Src.UnitV, i, detail);
        add(`${p}.soc`, '1', Src.UnitSoc, i, detail);
      }
    });
  }
  return out;
}

export function createSignalTable(defs: readonly SignalDef[]): SignalTable {
  const names = defs.map((d) => d.name);
  return { names, units: defs.map((d) => d.unit), values: new Float64Array(defs.length), index: new Map(names.map((n, i) => [n, i])) };
}

/** Extra inputs the plant does not hold (site load, grid, aux). */
export interface SampleExtras {
  siteLoadW: number;
  auxW: number;
}

/**
 * Samples a plant into the signal values after every step. Per-element signals (cell and module
 * temperatures, voltages, SOCs...) are grouped by source at creation, so a step is a few tight
 * typed-array gathers instead of a switch per signal.
 */
export class SignalSampler {
  private readonly gathers: { src: Src; out: Int32Array; idx: Int32Array }[] = [];
  private readonly scalars: { src: Src; out: number }[] = [];

  constructor(defs: readonly SignalDef[]) {
    const per = new Map<Src, { out: number[]; idx: number[] }>();
    defs.forEach((d, k) => {
      if (ELEMENT_SOURCES.has(d.src)) {
        let g = per.get(d.src);
        if (!g) per.set(d.src, (g = { out: [], idx: [] }));
        g.out.push(k);
        g.idx.push(d.i);
      } else this.scalars.push({ src: d.src, out: k });
    });
    for (const [src, g] of per) this.gathers.push({ src, out: Int32Array.from(g.out), idx: Int32Array.from(g.idx) });
  }

  sample(p: Plant, x: SampleExtras, out: Float64Array): void {
    const f = p.pack?.fleet;
    for (const g of this.gathers) {
      const src =
        g.src === Src.UnitT ? p.tempC
        : g.src === Src.UnitV ? f?.terminalV
        : g.src === Src.UnitSoc ? f?.soc
        : g.src === Src.UnitDTdt ? p.chem.dTdtKPerS
        : g.src === Src.ModuleMaxT ? p.moduleMaxC
        : g.src === Src.UnitSurfT ? p.surfC
        : g.src === Src.HotT ? p.hot?.tempC
        : g.src === Src.HotDTdt ? p.hot?.chem.dTdtKPerS
        : p.sensorC;
      const o = g.out;
      const ix = g.idx;
      if (!src) for (let k = 0; k < o.length; k++) out[o[k]] = NaN;
      else for (let k = 0; k < o.length; k++) out[o[k]] = src[ix[k]];
    }
    if (this.scalars.length === 0) return;
    const pack = p.pack;
    let packMaxT = -Infinity;
    for (let i = 0; i < p.units; i++) if (p.tempC[i] > packMaxT) packMaxT = p.tempC[i];
    if (p.hot) for (const t of p.hot.tempC) if (t > packMaxT) packMaxT = t;
    const packP = pack ? pack.packV * p.currentA : 0;
    const c = p.container;
    for (const s of this.scalars) {
      let v: number;
      switch (s.src) {
        case Src.PackV: v = pack ? pack.packV : NaN; break;
        case Src.PackI: v = p.currentA; break;
        case Src.PackP: v = packP; break;
        case Src.PackSoc: v = pack ? pack.meanSoc : NaN; break;
        case Src.PackMaxT: v = packMaxT; break;
        case Src.AirT: v = c ? c.airC : NaN; break;
        case Src.HvacW: v = c ? c.electricW : 0; break;
        case Src.HvacCoolW: v = c ? c.coolingW : 0; break;
        case Src.GasPpm: v = c ? (p.gasDetectorFailed ? 0 : c.gasPpm) : 0; break;
        case Src.AmbientT: v = p.ambientC + p.heatWaveK; break;
        case Src.ChamberT: v = p.ovenC; break;
        case Src.SiteLoadW: v = x.siteLoadW; break;
        case Src.SiteGridW: v = x.siteLoadW - packP; break;
        case Src.AuxW: v = x.auxW; break;
        case Src.CoolantT: v = c ? c.coolantC : NaN; break;
        case Src.ChillerW: v = c ? c.chillerW : 0; break;
        default: v = NaN;
      }
      out[s.out] = v;
    }
  }
}

const ELEMENT_SOURCES = new Set<Src>([Src.UnitT, Src.UnitV, Src.UnitSoc, Src.UnitDTdt, Src.ModuleMaxT, Src.SensorT, Src.UnitSurfT, Src.HotT, Src.HotDTdt]);
