// Engine benchmarks: one JSON object per line on stdout (numbers are measured, never asserted).
//   npx tsx bench/engine.ts            (or: npm run bench:engine)
// Cases: the built-in 1 h, 1 Hz single-cell scenario (wall time per run), and pack scenarios
// (cells x time steps per second). Each case: one warm-up run, then the median of `runs`.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseScenarioText, validateScenario } from '../sim/scenario/validate';
import { runToEnd, ENGINE_VERSION } from '../sim/engine/run';
import type { Scenario } from '../sim/scenario/schema';

const root = fileURLToPath(new URL('..', import.meta.url));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function bench(name: string, scenario: Scenario, runs: number): void {
  runToEnd(scenario); // warm-up (JIT, table compilation)
  const times: number[] = [];
  let steps = 0, cells = 0, simS = 0;
  for (let k = 0; k < runs; k++) {
    const t0 = performance.now();
    const r = runToEnd(scenario);
    times.push(performance.now() - t0);
    steps = r.steps;
    cells = r.metrics.cells;
    simS = r.durationS;
  }
  const ms = median(times);
  process.stdout.write(
    JSON.stringify({
      case: name,
      engine_version: ENGINE_VERSION,
      cells,
      steps,
      sim_s: simS,
      runs,
      ms_median: Number(ms.toFixed(2)),
      ms_min: Number(Math.min(...times).toFixed(2)),
      steps_per_s: Math.round(steps / (ms / 1000)),
      cell_steps_per_s: Math.round((cells * steps) / (ms / 1000)),
      node: process.version,
    }) + '\n',
  );
}

function must(input: unknown): Scenario {
  const v = validateScenario(input);
  if (!v.ok) throw new Error(JSON.stringify(v.issues));
  return v.scenario as Scenario;
}

const oneHour = parseScenarioText(readFileSync(`${root}/scenarios/cell-1h-cycle.json`, 'utf8'));
if (!oneHour.ok) throw new Error('cell-1h-cycle.json is invalid');
bench('cell-1h-1Hz (scenarios/cell-1h-cycle.json)', oneHour.scenario as Scenario, 9);

for (const [series, parallel, runs] of [[12, 8, 5], [100, 10, 3], [400, 20, 1]] as const) {
  const s = must({
    name: `pack ${series}s${parallel}p`,
    cell: { paramSet: 'panasonic-ncr18650pf' },
    pack: { series, parallel, spread: { capacityRelStd: 0.01, r0RelStd: 0.05 } },
    initial: { soc: 0.9, tempC: 25 },
    experiment: ['Discharge at 1C for 20 minutes', 'Rest for 10 minutes', 'Charge at 0.5C for 20 minutes', 'Rest for 10 minutes'],
  });
  bench(`pack-${series}s${parallel}p-1h-1Hz`, s, runs);
}
