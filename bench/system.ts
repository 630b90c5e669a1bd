// System-engine benchmark (scenario language v2): runs library scenarios in a worker thread, as the
// browser runs them in a Web Worker, and prints one JSON object per line (measured, never asserted):
//   case, cells, simulated_units, sim_s, dt_s, steps, wall_s (best of runs), wall_median_s, runs
//   npx tsx bench/system.ts [--runs 3] [scenario.json ...]     (npm run bench:system)
// Default: the 40 ft container with 8,000 cells for 24 h at 1 s (issue 4 target: under 10 s).
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = fileURLToPath(new URL('..', import.meta.url));

async function inWorker(file: string): Promise<{ wallS: number; steps: number; simS: number; cells: number; units: number }> {
  const { parseScenarioText, isSystemScenario } = await import('../sim/scenario/validate');
  const { runSystemToEnd, profileFilesOf } = await import('../sim/system/run');
  const { dataDir } = await import('../cli/csvTable');
  const v = parseScenarioText(readFileSync(file, 'utf8'));
  if (!v.ok || !isSystemScenario(v.scenario)) throw new Error(`${file}: not a valid version-2 scenario`);
  const profiles = new Map<string, string>();
  for (const k of profileFilesOf(v.scenario)) profiles.set(k, readFileSync(path.join(dataDir(), k), 'utf8'));
  const t0 = performance.now();
  const r = runSystemToEnd(v.scenario, { profiles });
  const wallS = (performance.now() - t0) / 1000;
  return { wallS, steps: r.steps, simS: r.durationS, cells: r.metrics.cells, units: r.metrics.simulated_units };
}

if (!isMainThread) {
  inWorker(workerData.file as string).then(
    (r) => parentPort!.postMessage({ ok: true, r }),
    (e: Error) => parentPort!.postMessage({ ok: false, message: e.message }),
  );
} else {
  const args = process.argv.slice(2);
  const ri = args.indexOf('--runs');
  const runs = ri >= 0 ? Number(args[ri + 1]) : 3;
  const files = args.filter((a, i) => a.endsWith('.json') && args[i - 1] !== '--runs');
  const list = files.length ? files : [path.join(root, 'scenarios/container-hvac-failure-0.5C.json')];
  const runOnce = (file: string) =>
    new Promise<Awaited<ReturnType<typeof inWorker>>>((resolve, reject) => {
      // a worker thread that loads this TypeScript file through tsx's loader
      const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(import.meta.url)}); })`;
      const w = new Worker(boot, { eval: true, workerData: { file } });
      w.once('message', (m: { ok: boolean; r?: Awaited<ReturnType<typeof inWorker>>; message?: string }) => (m.ok ? resolve(m.r!) : reject(new Error(m.message))));
      w.once('error', reject);
    });
  for (const file of list) {
    const walls: number[] = [];
    let last: Awaited<ReturnType<typeof inWorker>> | undefined;
    for (let k = 0; k < runs; k++) {
      last = await runOnce(file);
      walls.push(last.wallS);
    }
    walls.sort((a, b) => a - b);
    const sc = JSON.parse(readFileSync(file, 'utf8')) as { sample?: { dt?: string } };
    console.log(
      JSON.stringify({
        case: path.basename(file, '.json'),
        cells: last!.cells,
        simulated_units: last!.units,
        sim_s: last!.simS,
        dt_s: sc.sample?.dt ?? '1 s',
        steps: last!.steps,
        wall_s: Number(walls[0].toFixed(3)),
        wall_median_s: Number(walls[Math.floor(walls.length / 2)].toFixed(3)),
        runs,
      }),
    );
  }
}
