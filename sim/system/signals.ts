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

export function defineSignals(index: AssetIndex, opts: { hasEcm: boolean; hasPeakShave: boolean }): SignalDef[] {
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
  if (!container) {
    const detail = index.cellPaths.length <= MAX_RECORDED_CELL_DETAIL;
    index.cellPaths.forEach((p, i) => {
      add(`${p}.temp_C`, 'degC', Src.UnitT, i, true, true);
      add(`${p}.dTdt_K_per_s`, 'K/s', Src.UnitDTdt, i, detail);
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

export function sampleSignals(defs: readonly SignalDef[], p: Plant, x: SampleExtras, out: Float64Array): void {
  const pack = p.pack;
  const f = pack?.fleet;
  let packMaxT = -Infinity;
  for (let i = 0; i < p.units; i++) if (p.tempC[i] > packMaxT) packMaxT = p.tempC[i];
  const packP = pack ? pack.packV * p.currentA : 0;
  for (let k = 0; k < defs.length; k++) {
    const d = defs[k];
    const i = d.i;
    let v: number;
    switch (d.src) {
      case Src.UnitT: v = p.tempC[i]; break;
      case Src.UnitV: v = f ? f.terminalV[i] : NaN; break;
      case Src.UnitSoc: v = f ? f.soc[i] : NaN; break;
      case Src.UnitDTdt: v = p.chem.dTdtKPerS[i]; break;
      case Src.ModuleMaxT: v = p.moduleMaxC[i]; break;
      case Src.SensorT: v = p.sensorC[i]; break;
      case Src.PackV: v = pack ? pack.packV : NaN; break;
      case Src.PackI: v = p.currentA; break;
      case Src.PackP: v = packP; break;
      case Src.PackSoc: v = pack ? pack.meanSoc : NaN; break;
      case Src.PackMaxT: v = packMaxT; break;
      case Src.AirT: v = p.container ? p.container.airC : NaN; break;
      case Src.HvacW: v = p.container ? p.container.electricW : 0; break;
      case Src.HvacCoolW: v = p.container ? p.container.coolingW : 0; break;
      case Src.GasPpm: v = p.container ? (p.gasDetectorFailed ? 0 : p.container.gasPpm) : 0; break;
      case Src.AmbientT: v = p.ambientC + p.heatWaveK; break;
      case Src.ChamberT: v = p.ovenC; break;
      case Src.SiteLoadW: v = x.siteLoadW; break;
      case Src.SiteGridW: v = x.siteLoadW - packP; break;
      case Src.AuxW: v = x.auxW; break;
      case Src.CoolantT: v = p.container ? p.container.coolantC : NaN; break;
      case Src.ChillerW: v = p.container ? p.container.chillerW : 0; break;
      default: v = NaN;
    }
    out[k] = v;
  }
}
