/**
 * The asset index of a version-2 scenario: every addressable thing with its path, expanded from
 * the written tree (a container expands to rack01/module01/cell01 ..., plus its hvac, air, bms,
 * contactor, gasDetector, and a tsensor and busbar per module; a pack to module01/cell01 ...).
 * One battery asset (container, pack, module or cell) per scenario in this version; it may sit in
 * a site, a vehicle or a chamber.
 */
import type { AssetInput, SystemScenario } from '../scenario/system';
import { indexedName, matchPath, parseSelector } from '../scenario/targets';

export type AssetKind =
  | 'site'
  | 'vehicle'
  | 'chamber'
  | 'container'
  | 'pack'
  | 'module'
  | 'cell'
  | 'rack'
  | 'hvac'
  | 'air'
  | 'bms'
  | 'contactor'
  | 'gasDetector'
  | 'tsensor'
  | 'busbar'
  | 'coolant';

export interface AssetEntry {
  path: string;
  segs: string[];
  kind: AssetKind;
  /** cells: index of the simulated cell (container: the module's equivalent cell) */
  unit?: number;
  /** cells, modules, tsensors, busbars: module index (series order) */
  module?: number;
}

type BatteryInput = Extract<AssetInput, { type: 'container' | 'pack' | 'module' | 'cell' }>;
export type ChamberInput = Extract<AssetInput, { type: 'chamber' }>;

export interface AssetIndex {
  entries: AssetEntry[];
  byPath: Map<string, AssetEntry>;
  battery: { path: string; spec: BatteryInput };
  chamber?: { path: string; spec: ChamberInput };
  vehicle?: { path: string; aux?: string | number };
  site?: { path: string };
  /** modules in series order (paths); a single cell or module counts as one */
  modulePaths: string[];
  /** cell paths in simulated-cell order (container: every member cell, see cellsPerUnit) */
  cellPaths: string[];
  /** simulated units per module and cells per simulated unit (container: cellsPerModule, else 1) */
  cellsPerUnit: number;
  select(selector: string): AssetEntry[];
}

export class AssetError extends Error {
  constructor(
    readonly path: (string | number)[],
    message: string,
  ) {
    super(message);
  }
}

export function buildAssetIndex(s: SystemScenario): AssetIndex {
  const entries: AssetEntry[] = [];
  const add = (segs: string[], kind: AssetKind, extra: Partial<AssetEntry> = {}) => {
    const e: AssetEntry = { path: segs.join('/'), segs, kind, ...extra };
    entries.push(e);
    return e;
  };
  let battery: AssetIndex['battery'] | undefined;
  let chamber: AssetIndex['chamber'];
  let vehicle: AssetIndex['vehicle'];
  let site: AssetIndex['site'];
  const modulePaths: string[] = [];
  const cellPaths: string[] = [];
  let cellsPerUnit = 1;
  const walk = (name: string, a: AssetInput, parent: string[], docPath: (string | number)[]) => {
    const segs = [...parent, name];
    const path = segs.join('/');
    switch (a.type) {
      case 'site':
      case 'vehicle':
      case 'chamber': {
        add(segs, a.type);
        if (a.type === 'site') site = { path };
        if (a.type === 'vehicle') vehicle = { path, aux: a.aux };
        if (a.type === 'chamber') chamber = { path, spec: a };
        for (const [k, c] of Object.entries(a.children)) walk(k, c, segs, [...docPath, 'children', k]);
        return;
      }
      default:
        break;
    }
    if (battery) throw new AssetError(docPath, `only one battery asset (container, pack, module or cell) per scenario in this version; '${battery.path}' is already one`);
    battery = { path, spec: a };
    if (a.type === 'container') {
      add(segs, 'container');
      for (const sub of ['hvac', 'air', 'bms', 'contactor', 'gasDetector'] as const) add([...segs, sub], sub);
      if (a.coolant) add([...segs, 'coolant'], 'coolant');
      cellsPerUnit = a.cellsPerModule;
      let mi = 0;
      for (let r = 1; r <= a.racks; r++) {
        const rs = [...segs, indexedName('rack', r, a.racks)];
        add(rs, 'rack');
        for (let m = 1; m <= a.modulesPerRack; m++, mi++) {
          const ms = [...rs, indexedName('module', m, a.modulesPerRack)];
          add(ms, 'module', { module: mi, unit: mi });
          modulePaths.push(ms.join('/'));
          add([...ms, 'tsensor'], 'tsensor', { module: mi });
          add([...ms, 'busbar'], 'busbar', { module: mi });
          for (let c = 1; c <= a.cellsPerModule; c++) {
            const cs = [...ms, indexedName('cell', c, a.cellsPerModule)];
            add(cs, 'cell', { module: mi, unit: mi });
            cellPaths.push(cs.join('/'));
          }
        }
      }
    } else if (a.type === 'pack') {
      const modules = a.modules ?? 1;
      const parallel = a.parallel ?? 1;
      if (a.series % modules !== 0) throw new AssetError([...docPath, 'modules'], `series (${a.series}) must be a multiple of modules (${modules})`);
      add(segs, 'pack');
      for (const sub of ['bms', 'contactor'] as const) add([...segs, sub], sub);
      const spm = a.series / modules;
      const perModule = spm * parallel;
      for (let k = 0; k < modules; k++) {
        const ms = [...segs, indexedName('module', k + 1, modules)];
        add(ms, 'module', { module: k });
        modulePaths.push(ms.join('/'));
        add([...ms, 'tsensor'], 'tsensor', { module: k });
        add([...ms, 'busbar'], 'busbar', { module: k });
        for (let c = 0; c < perModule; c++) {
          // pack.ts order: cell j of series group g is fleet index g * parallel + j
          const unit = k * perModule + c;
          const cs = [...ms, indexedName('cell', c + 1, perModule)];
          add(cs, 'cell', { module: k, unit });
          cellPaths.push(cs.join('/'));
        }
      }
    } else if (a.type === 'module') {
      add(segs, 'module', { module: 0 });
      modulePaths.push(path);
      add([...segs, 'tsensor'], 'tsensor', { module: 0 });
      for (let c = 0; c < a.cells; c++) {
        const cs = [...segs, indexedName('cell', c + 1, a.cells)];
        add(cs, 'cell', { module: 0, unit: c });
        cellPaths.push(cs.join('/'));
      }
    } else {
      add(segs, 'cell', { module: 0, unit: 0 });
      modulePaths.push(path);
      cellPaths.push(path);
    }
  };
  for (const [k, a] of Object.entries(s.assets)) walk(k, a, [], ['assets', k]);
  if (!battery) throw new AssetError(['assets'], 'no battery asset: add a container, pack, module or cell');
  if (chamber && battery.spec.type !== 'cell' && battery.spec.type !== 'module')
    throw new AssetError(['assets'], 'a chamber (oven / ARC) holds a cell or a module');
  if (vehicle && battery.spec.type !== 'pack') throw new AssetError(['assets'], 'a vehicle holds a pack');
  if (site && battery.spec.type !== 'container') throw new AssetError(['assets'], 'a site holds a container');
  const byPath = new Map(entries.map((e) => [e.path, e]));
  return {
    entries,
    byPath,
    battery,
    chamber,
    vehicle,
    site,
    modulePaths,
    cellPaths,
    cellsPerUnit,
    select(selector: string) {
      const sel = parseSelector(selector);
      if (typeof sel === 'string') throw new Error(sel);
      return entries.filter((e) => matchPath(sel, e.segs));
    },
  };
}

/** "no asset matches 'x' (did you mean ...)": the nearest existing paths for a message. */
export function suggestPaths(index: AssetIndex, selector: string, max = 3): string {
  const head = selector.split('/').filter((s) => s && s !== '**');
  const tops = index.entries.filter((e) => e.segs.length <= Math.max(1, head.length) && e.kind !== 'cell').map((e) => e.path);
  return tops.slice(0, 8 * max).filter((p, i, a) => a.indexOf(p) === i).slice(0, max).join(', ');
}
