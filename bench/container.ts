// tsx bench/container.ts [--hours 24] [--nodes 20|8000] [--grouped] [--twin] [--quick]
// 40 ft BESS container, 8,000 Samsung 94 Ah cells (250s32p pack of sim/battery/pack.ts) + the
// container thermal network (sim/thermal/container.ts) + the BMS monitor (sim/safety/bmsMonitor.ts),
// dt = 1 s, one thread, 0.5C continuous cycling on a 35 degC day. Prints one JSON object per case:
//   case, cells, nodes, sim_s, wall_s, and where the time goes (pack_s, thermal_s, bms_s), plus
//   the hottest node, HVAC electric energy and BMS event count as a sanity check.
// --grouped adds the case 'container-40ft-grouped': each 32p group as ONE equivalent cell (capacity
// and heat capacity x 32, resistances / 32) in a 250s1p pack, one container node per group. Same
// physics without cell-to-cell spread inside a group; 32x fewer ECM cells.
// --twin adds 'container-40ft-twin': sim/safety/containerTwin.ts with one node per cell and the
// runaway chemistry (CAI19) as a heat source (skipped below 60 degC), i.e. everything a
// runaway / HVAC-failure scenario needs.
import { performance } from 'node:perf_hooks';
import { createPack, stepPack } from '../sim/battery/pack';
import { CellParamsSchema } from '../sim/battery/params';
import { samsung94AhParams } from '../sim/thermal/cell94Ah';
import { container40ft, createContainer, stepContainer, aggregateCellHeat, writeCellTemps } from '../sim/thermal/container';
import { createBmsMonitor, stepBms, bmsLimitsFromCell } from '../sim/safety/bmsMonitor';
import { createContainerTwin, stepContainerTwin } from '../sim/safety/containerTwin';
import { getRunawaySet } from '../sim/safety/runawaySets';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const quick = process.argv.includes('--quick');
const hours = arg('hours', quick ? 1 : 24);
const nodesList = process.argv.includes('--nodes') ? [arg('nodes', 20)] : [20, 8000];

const p = CellParamsSchema.parse(samsung94AhParams());
const series = 250;
const parallel = 32;

type Pack = ReturnType<typeof createPack>;
type Container = ReturnType<typeof createContainer>;
type Bms = ReturnType<typeof createBmsMonitor>;

/** 0.5C cycling between 10 % and 90 % SOC for `hours`, timing pack, thermal and BMS separately.
 * `couple` moves heat from the pack to the container nodes and temperatures back. */
function simulate(
  pack: Pack,
  params: typeof p,
  c: Container,
  bms: Bms,
  iHalfC: number,
  couple: () => void,
): Record<string, number> {
  let dir = 1;
  const steps = Math.round(hours * 3600);
  let tPack = 0;
  let tTherm = 0;
  let tBms = 0;
  let maxC = -Infinity;
  const t0 = performance.now();
  for (let k = 0; k < steps; k++) {
    if (pack.meanSoc < 0.1) dir = -1;
    else if (pack.meanSoc > 0.9) dir = 1;
    const i = bms.loadRemoved ? 0 : dir * iHalfC;
    const a = performance.now();
    stepPack(pack, params, i, c.airC, 1);
    const b = performance.now();
    couple();
    const d = performance.now();
    stepBms(bms, { tS: k + 1, cellV: pack.fleet.terminalV, cellTempC: pack.fleet.tempC, packCurrentA: i, minV: pack.minCellV, maxV: pack.maxCellV, minT: c.minNodeC, maxT: c.maxNodeC });
    const e = performance.now();
    tPack += b - a;
    tTherm += d - b;
    tBms += e - d;
    if (c.maxNodeC > maxC) maxC = c.maxNodeC;
  }
  const wall = (performance.now() - t0) / 1000;
  return {
    sim_s: steps,
    wall_s: Number(wall.toFixed(3)),
    pack_s: Number((tPack / 1000).toFixed(3)),
    thermal_s: Number((tTherm / 1000).toFixed(3)),
    bms_s: Number((tBms / 1000).toFixed(3)),
    max_node_C: Number(maxC.toFixed(2)),
    hvac_kWh: Number((c.electricWh / 1000).toFixed(1)),
    bms_events: bms.events.length,
  };
}

function runCase(nodes: number): void {
  const n = series * parallel;
  // the container network owns the cell temperatures (writeCellTemps below): skip the ECM's lumped node
  const pack = createPack(p, { series, parallel, spread: { capacityRelStd: 0.01, r0RelStd: 0.03 }, cellThermal: 'external' }, { soc: 0.5, tempC: 25, rcPairs: 1 }, 1);
  const c = createContainer(container40ft({ nodes, cells: n }), { tempC: 25, ambientC: 35 });
  const bms = createBmsMonitor(n, bmsLimitsFromCell(p, { parallel }), { cellTarget: (i) => `container1/cell[${i}]` });
  const r = simulate(pack, p, c, bms, 0.5 * p.capacityAh * parallel, () => {
    aggregateCellHeat(c, pack.fleet.heatW);
    stepContainer(c, 1);
    writeCellTemps(c, pack.fleet.tempC);
  });
  console.log(JSON.stringify({ case: 'container-40ft', cells: n, nodes, ...r }));
}

function runGrouped(): void {
  const g = parallel;
  const scaleT = (t: number[][], k: number) => t.map((r) => r.map((v) => v * k));
  const pg = CellParamsSchema.parse({
    ...p,
    name: p.name + ' x32p equivalent',
    capacityAh: p.capacityAh * g,
    r0Ohm: scaleT(p.r0Ohm, 1 / g),
    r1Ohm: scaleT(p.r1Ohm, 1 / g),
    c1F: scaleT(p.c1F, g),
    thermal: { ...p.thermal, massKg: p.thermal.massKg * g, areaM2: p.thermal.areaM2 * g },
  });
  const pack = createPack(pg, { series, parallel: 1, spread: { capacityRelStd: 0.01, r0RelStd: 0.03 } }, { soc: 0.5, tempC: 25, rcPairs: 1 }, 1);
  const c = createContainer(container40ft({ nodes: series, cells: series * g }), { tempC: 25, ambientC: 35 });
  const bms = createBmsMonitor(series, bmsLimitsFromCell(pg), { cellTarget: (i) => `container1/group[${i}]` });
  const r = simulate(pack, pg, c, bms, 0.5 * pg.capacityAh, () => {
    c.nodeHeatW.set(pack.fleet.heatW);
    stepContainer(c, 1);
    pack.fleet.tempC.set(c.nodeTempC);
  });
  console.log(JSON.stringify({ case: 'container-40ft-grouped', cells: series * g, ecm_cells: series, nodes: series, ...r }));
}

function runTwin(): void {
  const n = series * parallel;
  const tw = createContainerTwin({
    params: p,
    pack: { series, parallel, spread: { capacityRelStd: 0.01, r0RelStd: 0.03 }, cellThermal: 'external' },
    container: container40ft({ nodes: n, cells: n }),
    runawaySet: getRunawaySet('CAI19'),
    init: { soc: 0.5, tempC: 25, ambientC: 35 },
    seed: 1,
  });
  const iHalfC = 0.5 * p.capacityAh * parallel;
  let dir = 1;
  const steps = Math.round(hours * 3600);
  const t0 = performance.now();
  for (let k = 0; k < steps; k++) {
    if (tw.pack.meanSoc < 0.1) dir = -1;
    else if (tw.pack.meanSoc > 0.9) dir = 1;
    stepContainerTwin(tw, dir * iHalfC, 1);
  }
  const wall = (performance.now() - t0) / 1000;
  console.log(
    JSON.stringify({
      case: 'container-40ft-twin',
      cells: n,
      nodes: n,
      sim_s: steps,
      wall_s: Number(wall.toFixed(3)),
      max_node_C: Number(tw.container.maxNodeC.toFixed(2)),
      hvac_kWh: Number((tw.container.electricWh / 1000).toFixed(1)),
      events: tw.events.length,
    }),
  );
}

if (process.argv.includes('--twin') || process.argv.includes('--twin-only')) runTwin();
if (!process.argv.includes('--grouped-only') && !process.argv.includes('--twin-only')) for (const nodes of nodesList) runCase(nodes);
if (process.argv.includes('--grouped') || process.argv.includes('--grouped-only')) runGrouped();
