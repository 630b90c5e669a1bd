// tsx bench/pack.ts [--quick]   (npm run bench:pack)
// Pack stepping speed (sim/battery/pack.ts): current sharing + ECM (2RC) + lumped thermal for all
// cells, one thread, dt = 1 s, a pulsed discharge/charge profile. Prints one JSON object per line:
//   case 'pack', config (e.g. '96s4p'), cells, steps (per repetition), reps, seconds (best rep),
//   cell_steps_per_s (best repetition), median_cell_steps_per_s, pack_steps_per_s (best)
// The machine is shared: each case runs `reps` timed repetitions after a warm-up and reports the
// best and the median (docs/performance.md).
// Configurations: 1s1p; 96s1p (no sharing); 96s4p (EV module string); 250s32p = 8,000 cells
// (container-sized BESS string set), each with the Panasonic NCR18650PF set as published (with
// current-dependent R0, two sharing passes) and with it removed ('linear', one pass); plus the
// 8,000-cell pack with balancing on and with the aging accumulator stepped alongside; and the
// container case: 250s32p of the Samsung 94 Ah BESS cell (1 RC, one temperature row) with the
// cell temperatures owned by the caller (cellThermal 'external'), 0.5C.
import { performance } from 'node:perf_hooks';
import { getParamSet } from '../sim/battery/paramSets';
import { createPack, stepPack, type PackSpec } from '../sim/battery/pack';
import { createAging, stepAging } from '../sim/battery/aging';
import { CellParamsSchema, type CellParams } from '../sim/battery/params';
import { samsung94AhParams } from '../sim/thermal/cell94Ah';

const quick = process.argv.includes('--quick');
const base = getParamSet('panasonic-ncr18650pf');
const linear: CellParams = { ...base, currentDependence: undefined };

function bench(p: CellParams, variant: string, spec: PackSpec, opts: { aging?: boolean; soc?: number; current?: (k: number) => number } = {}): void {
  const n = spec.series * spec.parallel;
  const soc0 = opts.soc ?? 0.9;
  const pack = createPack(p, spec, { soc: soc0, tempC: 25 }, 1);
  const st = opts.aging ? createAging(pack.fleet, { chemistry: p.chemistry }) : null;
  const oneC = p.capacityAh * spec.parallel;
  const target = quick ? 2e6 : 1.5e7; // cell-steps per repetition
  const steps = Math.max(50, Math.round(target / n));
  const reps = quick ? 3 : 7;
  const current =
    opts.current ??
    ((k: number) => {
      const ph = k % 120;
      return ph < 60 ? oneC : ph < 70 ? 3 * oneC : ph < 80 ? -oneC : ph < 90 ? 0 : 0.5 * oneC;
    });
  let k = 0;
  const run = (count: number) => {
    for (let e = k + count; k < e; k++) {
      stepPack(pack, p, current(k), 25, 1);
      if (st) stepAging(st, pack.fleet, pack.cellCurrentA, 1);
      if (pack.minSoc < 0.2) {
        // keep the state in range without leaving the loop: recharge instantly
        for (let i = 0; i < n; i++) pack.fleet.soc[i] = soc0;
      }
    }
  };
  run(Math.min(steps, 200)); // warm-up (JIT)
  const secs: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    run(steps);
    secs.push((performance.now() - t0) / 1000);
  }
  secs.sort((a, b) => a - b);
  const best = secs[0];
  const median = secs[Math.floor(secs.length / 2)];
  console.log(
    JSON.stringify({
      case: 'pack',
      config: `${spec.series}s${spec.parallel}p`,
      variant,
      cells: n,
      steps,
      reps,
      seconds: Number(best.toFixed(4)),
      cell_steps_per_s: Math.round((n * steps) / best),
      median_cell_steps_per_s: Math.round((n * steps) / median),
      pack_steps_per_s: Math.round(steps / best),
      fused_share: Number((pack.fusedSteps / k).toFixed(3)),
      pack_v: Number(pack.packV.toFixed(3)),
    }),
  );
}

const spread = { capacityRelStd: 0.02, r0RelStd: 0.05 };
for (const [p, variant] of [
  [base, 'current-dependent'],
  [linear, 'linear'],
] as const) {
  bench(p, variant, { series: 1, parallel: 1 });
  bench(p, variant, { series: 96, parallel: 1, spread });
  bench(p, variant, { series: 96, parallel: 4, spread });
  bench(p, variant, { series: 250, parallel: 32, spread });
}
bench(base, 'current-dependent+balancing', { series: 250, parallel: 32, spread, balancing: { thresholdV: 0.005, bleedOhm: 33 } });
bench(base, 'current-dependent+aging', { series: 250, parallel: 32, spread }, { aging: true });
// the container case of bench/container.ts (stepPack only): 0.5C, 30 min discharge / 30 min charge
const bess = CellParamsSchema.parse(samsung94AhParams());
const bessSpec: PackSpec = { series: 250, parallel: 32, spread: { capacityRelStd: 0.01, r0RelStd: 0.03 }, cellThermal: 'external' };
const half = 0.5 * bess.capacityAh * bessSpec.parallel;
bench(bess, 'bess-94ah-0.5C', bessSpec, { soc: 0.5, current: (k) => (k % 3600 < 1800 ? half : -half) });
