// Browser benchmark (Chromium via playwright-core, Debian's /usr/bin/chromium):
//  - the workbench page's JavaScript: every script the page loads (Next chunks, Monaco's AMD
//    files, the runner worker), bytes as served and gzip-compressed, before and after a run
//    (Plotly is loaded on the first run);
//  - the built-in 1 h, 1 Hz cell scenario (scenarios/cell-1h-cycle.json) run in the worker:
//    wall time from Run to result in the page, and engine time inside the worker, cold and warm.
//  - with --results: the results view's main-thread cost (issue 4: no task over 50 ms). Runs
//    scenarios/oven-18650-150C.json, scenarios/container-hvac-failure-0.5C.json and a v1 run of
//    ~1 million samples (cell-repeated-cycles.json, 80 cycles at 1 s) in the UI
//    (BENCH_RESULT_RUNS times each, default 3) and, on the last result, zooms (drag on a plot),
//    pans, resets the zoom (double click), scrubs (drags the slider) and hovers the plots.
//    Each phase prints the long tasks (PerformanceObserver 'longtask', > 50 ms) that ended in it
//    and the long animation frames ('long-animation-frame', task + rendering, > 50 ms).
//  - with --replay: the replay page (/replay) on a 1 Hz drive cycle, the 10 Hz HPPC test and a
//    synthetic 1,000,000-row record: time from the Replay click to the result, and the long tasks
//    from the click until 3 s after the result; then a zoom on the last result.
//  - both wait, after the editor is ready, for the workbench's idle preload of Plotly (the root's
//    data-plotly = ready; app/plots/usePlotlyPreload.ts) and print how long it took and, with
//    --results, its long tasks (phase "preload"), so the first Run is measured as a user who
//    opened the page and paused before running sees it.
// Prints one JSON object per line. Needs a running production server (TWINBENCH_URL, default
// http://127.0.0.1:3000) or starts one itself on BENCH_PORT (3199) with a temp SQLite file
// (built into TWINBENCH_NEXT_DIST_DIR when set, else .next).
//   npx tsx bench/browser.ts
//   npx tsx bench/browser.ts --results
//   npx tsx bench/browser.ts --replay
import { chromium, type Page, type Request } from 'playwright-core';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

const root = path.resolve(import.meta.dirname ?? '.', '..');
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const RUNS = Number(process.env.BENCH_RUNS ?? 7);

async function reachable(url: string): Promise<boolean> {
  try {
    const r = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
    return r.ok;
  } catch {
    return false;
  }
}

async function startServer(): Promise<{ url: string; child: ChildProcess }> {
  const port = Number(process.env.BENCH_PORT ?? 3199);
  const db = path.join(mkdtempSync(path.join(os.tmpdir(), 'twinbench-bench-')), 'bench.db');
  const child = spawn(process.execPath, ['scripts/start.mjs'], {
    cwd: root,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'production', DATABASE_URL: `file:${db}`, NEXT_TELEMETRY_DISABLED: '1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 600_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    if (await reachable(url)) return { url, child };
    await new Promise((r) => setTimeout(r, 500));
  }
  child.kill('SIGTERM');
  throw new Error('server did not start within 10 minutes');
}

interface ScriptEntry {
  url: string;
  bytes: number;
  gzipBytes: number;
  kind: 'next' | 'plotly' | 'monaco' | 'worker' | 'other';
}

function classify(url: string, req: Request, body: Buffer): ScriptEntry['kind'] {
  if (url.includes('/monaco/')) return 'monaco';
  let inFrame = true;
  try {
    inFrame = req.frame() !== null;
  } catch {
    inFrame = false;
  }
  if (!inFrame || /worker/i.test(url)) return 'worker';
  if (body.length > 500_000 && body.includes('plotly')) return 'plotly';
  if (url.includes('/_next/')) return 'next';
  return 'other';
}

function summarize(all: ScriptEntry[]) {
  // Count each URL once (the runner worker loads some chunks the page also loads).
  const seen = new Set<string>();
  const list = all.filter((e) => (seen.has(e.url) ? false : (seen.add(e.url), true)));
  const by = (k: ScriptEntry['kind']) => list.filter((e) => e.kind === k);
  const sum = (l: ScriptEntry[], f: 'bytes' | 'gzipBytes') => l.reduce((a, e) => a + e[f], 0);
  const out: Record<string, number> = { files: list.length, bytes: sum(list, 'bytes'), gzipBytes: sum(list, 'gzipBytes') };
  for (const k of ['next', 'plotly', 'monaco', 'worker', 'other'] as const) {
    out[`${k}Files`] = by(k).length;
    out[`${k}Bytes`] = sum(by(k), 'bytes');
    out[`${k}GzipBytes`] = sum(by(k), 'gzipBytes');
  }
  return out;
}

interface RunSample {
  elapsedMs: number;
  engineMs: number;
  steps: number;
  wallMs: number;
  /** Main-thread long tasks (> 50 ms) from the click until the plots are drawn. */
  longTasksMs: number[];
  plotDrawMs: number;
}

async function runOnce(page: Page): Promise<RunSample> {
  await page.evaluate(() => {
    (window as unknown as { __lt: number[] }).__lt = [];
  });
  const before = await page.getByTestId('run-summary').getAttribute('data-elapsed-ms');
  const t0 = Date.now();
  await page.getByTestId('run').click();
  await page.waitForFunction(
    (prev) => {
      const el = document.querySelector('[data-testid=run-summary]');
      const v = el?.getAttribute('data-elapsed-ms');
      return !!v && v !== prev;
    },
    before,
    { timeout: 300_000 },
  );
  const wallMs = Date.now() - t0;
  // Wait for the plot of this result (a new draw), then a moment for trailing tasks.
  await page.waitForFunction(
    () => {
      const key = document.querySelector<HTMLElement>('[data-testid=run-summary]')?.dataset.runKey;
      return !!key && document.querySelector<HTMLElement>('[data-testid=plots]')?.dataset.runKey === key;
    },
    null,
    { timeout: 120_000 },
  );
  await page.waitForTimeout(200);
  const el = page.getByTestId('run-summary');
  return {
    elapsedMs: Number(await el.getAttribute('data-elapsed-ms')),
    engineMs: Number(await el.getAttribute('data-engine-ms')),
    steps: Number(await el.getAttribute('data-steps')),
    wallMs,
    longTasksMs: await page.evaluate(() => (window as unknown as { __lt: number[] }).__lt.slice()),
    plotDrawMs: Number(await page.evaluate(() => document.querySelector<HTMLElement>('[data-testid=plots]')?.dataset.drawMs ?? 'NaN')),
  };
}

// ---- --results: main-thread tasks while showing, zooming, panning and scrubbing a result ----

const RESULT_SCENARIOS = ['oven-18650-150C.json', 'container-hvac-failure-0.5C.json'];
/** A v1 run of about a million samples: scenarios/cell-repeated-cycles.json, 80 cycles at 1 s. */
const MILLION = 'cell-repeated-cycles.json x80 @1s';

function millionScenarioText(): string {
  const s = JSON.parse(readFileSync(path.join(root, 'scenarios', 'cell-repeated-cycles.json'), 'utf8')) as {
    name: string;
    sample: { dtS: number };
    experiment: { repeat?: number }[];
    limits?: { maxDurationS?: number };
  };
  s.name = 'Repeated CC-CV cycles, 80 x at 1 s (bench)';
  s.sample.dtS = 1;
  s.experiment[0].repeat = 80;
  // ~1.0e6 s: above the default 7-day limit
  s.limits = { ...s.limits, maxDurationS: 1_500_000 };
  return JSON.stringify(s, null, 2);
}
const RESULT_RUNS = Number(process.env.BENCH_RESULT_RUNS ?? 3);

interface TaskEntry {
  /** start, ms (page clock) */
  s: number;
  /** duration, ms */
  d: number;
}

/** Installs the long-task and long-animation-frame observers and the result-commit mark. */
async function installProbes(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __lt: TaskEntry[]; __loaf: TaskEntry[]; __tResult: number };
    w.__lt = [];
    w.__loaf = [];
    w.__tResult = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__lt.push({ s: e.startTime, d: e.duration });
    }).observe({ type: 'longtask' });
    try {
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.__loaf.push({ s: e.startTime, d: e.duration });
      }).observe({ type: 'long-animation-frame' });
    } catch {
      /* no LoAF in this browser */
    }
    // The task that commits a new result to the page sets data-run-key on the summary.
    const summary = document.querySelector('[data-testid=run-summary]');
    if (summary) {
      new MutationObserver(() => {
        w.__tResult = performance.now();
      }).observe(summary, { attributes: true, attributeFilter: ['data-run-key'] });
    }
  });
}

const now = (page: Page) => page.evaluate(() => performance.now());

/** Waits for the workbench's idle preload of Plotly; its state and the wait (ms from the call). */
async function waitPlotlyPreload(page: Page): Promise<{ plotly: string; waitMs: number }> {
  const t0 = Date.now();
  const state = () => page.evaluate(() => document.querySelector<HTMLElement>('.wb')?.dataset.plotly ?? 'absent');
  await page.waitForFunction(() => /^(ready|failed|absent)$/.test(document.querySelector<HTMLElement>('.wb')?.dataset.plotly ?? 'absent'), null, { timeout: 60_000, polling: 250 }).catch(() => undefined);
  return { plotly: await state(), waitMs: Date.now() - t0 };
}

/** Long tasks and long animation frames that ended within [t0, t1] (page clock). */
async function tasksIn(page: Page, t0: number, t1: number) {
  return page.evaluate(
    ([a, b]) => {
      // (no named inner functions: tsx's keepNames would call a __name helper the page lacks)
      const w = window as unknown as { __lt: TaskEntry[]; __loaf: TaskEntry[] };
      const [lt, lf] = [w.__lt, w.__loaf].map((l) => l.filter((e) => e.s + e.d >= a && e.s + e.d <= b).map((e) => Math.round(e.d)));
      return { longTasksMs: lt, longFramesMs: lf };
    },
    [t0, t1] as [number, number],
  );
}

/** Plots and heat map state: how many draws so far (every panel, heat map) and the last costs. */
async function drawState(page: Page) {
  return page.evaluate(() => {
    const host = document.querySelector<HTMLElement>('[data-testid=plots]');
    const heat = document.querySelector<HTMLElement>('[data-testid=heatmap-canvas]');
    return {
      runKey: host?.dataset.runKey ?? '',
      busy: host?.dataset.busy === 'true',
      draws: Number(host?.dataset.draws ?? 0),
      plotDrawMs: host?.dataset.drawMs ?? '',
      panelDrawMs: host?.dataset.panelDrawMs ?? '',
      decimateMs: host?.dataset.decimateMs ?? '',
      heatDraws: Number(heat?.dataset.draws ?? 0),
      heatDrawMs: heat?.dataset.drawMs ?? '',
    };
  });
}

/** Waits until neither the plots nor the heat map have drawn for `quietMs`. */
async function settle(page: Page, quietMs = 700, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = JSON.stringify(await drawState(page));
  let since = Date.now();
  while (Date.now() < deadline) {
    await page.waitForTimeout(100);
    const st = await drawState(page);
    const cur = JSON.stringify(st);
    if (cur !== last || st.busy) {
      last = cur;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) return;
  }
  throw new Error('plots did not settle');
}

function phaseLine(scenario: string, phase: string, t: { longTasksMs: number[]; longFramesMs: number[] }, extra: Record<string, unknown> = {}) {
  return JSON.stringify({
    bench: 'browser.results',
    scenario: `scenarios/${scenario}`,
    phase,
    maxLongTaskMs: Math.max(0, ...t.longTasksMs),
    longTasksMs: t.longTasksMs,
    maxLongFrameMs: Math.max(0, ...t.longFramesMs),
    longFramesMs: t.longFramesMs,
    ...extra,
    loadavg1: Number(os.loadavg()[0].toFixed(2)),
  });
}

async function dragAcross(page: Page, target: ReturnType<Page['locator']>, fx0: number, fx1: number, steps: number): Promise<void> {
  await target.scrollIntoViewIfNeeded();
  const b = (await target.boundingBox())!;
  const y = b.y + b.height / 2;
  await page.mouse.move(b.x + b.width * fx0, y);
  await page.mouse.down();
  await page.mouse.move(b.x + b.width * fx1, y, { steps });
  await page.mouse.up();
}

async function resultsCase(page: Page): Promise<void> {
  await installProbes(page);
  const tp0 = await now(page);
  const preload = await waitPlotlyPreload(page);
  console.log(phaseLine('(page open)', 'preload', await tasksIn(page, tp0, await now(page)), preload));
  for (const file of [...RESULT_SCENARIOS, MILLION]) {
    if (file === MILLION) {
      await page.evaluate((t) => {
        const monaco = (window as unknown as { monaco: { editor: { getModels(): { setValue(s: string): void }[] } } }).monaco;
        monaco.editor.getModels()[0].setValue(t);
      }, millionScenarioText());
    } else await page.getByLabel('Open a built-in scenario').selectOption(file);
    await page.waitForFunction(() => document.querySelector('[data-testid=problems]')?.textContent?.includes('No problems'), null, { timeout: 60_000 });
    // A run: the phase before the result arrives (worker running, progress renders) and the draw
    // phase (from the task that commits the result until plots and heat map are drawn).
    for (let i = 0; i < RESULT_RUNS; i++) {
      const before = await page.getByTestId('run-summary').getAttribute('data-run-key');
      const t0 = await now(page);
      await page.getByTestId('run').click();
      await page.waitForFunction(
        (prev) => {
          const key = document.querySelector<HTMLElement>('[data-testid=run-summary]')?.dataset.runKey;
          return !!key && key !== prev;
        },
        before,
        { timeout: 600_000 },
      );
      await page.waitForFunction(
        () => {
          const key = document.querySelector<HTMLElement>('[data-testid=run-summary]')?.dataset.runKey;
          const host = document.querySelector<HTMLElement>('[data-testid=plots]');
          return !!key && host?.dataset.runKey === key && host.dataset.busy !== 'true';
        },
        null,
        { timeout: 120_000 },
      );
      await settle(page);
      const t1 = await now(page);
      const tResult = await page.evaluate(() => (window as unknown as { __tResult: number }).__tResult);
      const run = await tasksIn(page, t0, tResult - 1e-6);
      const draw = await tasksIn(page, tResult, t1);
      const st = await drawState(page);
      const samples = Number(await page.getByTestId('run-summary').getAttribute('data-steps'));
      const elapsedMs = Number(await page.getByTestId('run-summary').getAttribute('data-elapsed-ms'));
      const panels = await page.locator('[data-testid=plots] .scatterlayer .trace').count();
      console.log(phaseLine(file, 'run', run, { run: i, first: i === 0, workerElapsedMs: elapsedMs }));
      console.log(
        phaseLine(file, 'draw', draw, {
          run: i,
          first: i === 0,
          steps: samples,
          traces: panels,
          // from the result's commit to the last draw, +- the 100 ms polling of settle()
          commitToDrawnMs: Math.round(t1 - tResult - 700),
          plotDrawMs: st.plotDrawMs,
          panelDrawMs: st.panelDrawMs,
          decimateMs: st.decimateMs,
          heatDrawMs: st.heatDrawMs,
        }),
      );
    }

    // Interactions on the last result.
    const drag = page.locator('[data-testid=plots] .nsewdrag');
    const phases: [string, () => Promise<void>][] = [
      ['zoom', () => dragAcross(page, drag.first(), 0.3, 0.6, 8)],
      ['zoom2', () => dragAcross(page, drag.last(), 0.2, 0.5, 8)],
      [
        'pan',
        async () => {
          await drag.first().hover();
          await page.locator('[data-testid=plots] .modebar-btn[data-val=pan]').first().click();
          await dragAcross(page, drag.first(), 0.6, 0.3, 12);
          await drag.first().hover();
          await page.locator('[data-testid=plots] .modebar-btn[data-val=zoom]').first().click();
        },
      ],
      [
        'reset',
        async () => {
          await drag.first().scrollIntoViewIfNeeded();
          const b = (await drag.first().boundingBox())!;
          await page.mouse.dblclick(b.x + b.width / 2, b.y + b.height / 2);
        },
      ],
      ['scrub', () => dragAcross(page, page.getByTestId('scrubber-input'), 0.05, 0.95, 40)],
      [
        'hover',
        async () => {
          await drag.first().scrollIntoViewIfNeeded();
          const b = (await drag.first().boundingBox())!;
          for (let k = 0; k <= 30; k++) await page.mouse.move(b.x + (b.width * k) / 30, b.y + b.height / 2);
          await page.mouse.move(0, 0);
        },
      ],
    ];
    for (const [phase, act] of phases) {
      const t0 = await now(page);
      await act();
      await settle(page);
      const t1 = await now(page);
      const st = await drawState(page);
      console.log(phaseLine(file, phase, await tasksIn(page, t0, t1), { plotDrawMs: st.plotDrawMs, panelDrawMs: st.panelDrawMs, heatDrawMs: st.heatDrawMs }));
    }
  }
}

// ---- --replay: the replay page on three records ----
async function replayCase(page: Page, url: string): Promise<void> {
  const data = path.resolve(process.env.TWINBENCH_DATA_DIR ?? path.join(root, '..', 'shared', 'data'), 'panasonic-18650pf');
  await page.goto(url + '/replay');
  await installProbes(page);
  await page.waitForFunction(() => /^(ready|failed)$/.test(document.querySelector<HTMLElement>('main')?.dataset.plotly ?? ''), null, { timeout: 60_000, polling: 250 });
  const rows = ['time_s,current_A,voltage_V,ah_Ah,battery_temp_degC'];
  for (let k = 0; k < 1_000_000; k++) rows.push(`${k},${(-1.5 - Math.sin(k / 50)).toFixed(3)},${(3.7 + 0.1 * Math.sin(k / 50)).toFixed(4)},${((-k * 1.5) / 3600 / 400).toFixed(5)},25`);
  const records: [string, Parameters<Page['setInputFiles']>[1], boolean][] = [
    ['25degC_US06.csv (1 Hz)', path.join(data, 'drive_cycles_1hz', '25degC_US06.csv'), false],
    ['25degC_HPPC_native.csv (10 Hz pulses)', path.join(data, 'hppc', '25degC_HPPC_native.csv'), true],
    ['synthetic 1,000,000 rows', { name: 'million.csv', mimeType: 'text/csv', buffer: Buffer.from(rows.join('\n')) }, false],
  ];
  for (const [record, files, merge] of records) {
    await page.getByLabel('merge repeated time stamps').setChecked(merge);
    await page.getByTestId('replay-csv').setInputFiles(files);
    await page.waitForTimeout(500); // the file set by the harness is not the page's work
    const t0 = await now(page);
    await page.getByTestId('replay-run').click();
    await page.getByTestId('replay-metrics').waitFor({ timeout: 300_000 });
    const replayMs = Math.round((await now(page)) - t0);
    await page.waitForTimeout(3000);
    const status = await page.getByTestId('replay-status').innerText();
    const st = await drawState(page);
    console.log(JSON.stringify({ bench: 'browser.replay', record, status, replayMs, ...(await tasksIn(page, t0, await now(page))), panelDrawMs: st.panelDrawMs, decimateMs: st.decimateMs }));
  }
  const box = (await page.locator('.plots-host > .plot-panel').first().boundingBox())!;
  const t0 = await now(page);
  await page.mouse.move(box.x + 300, box.y + 60);
  await page.mouse.down();
  await page.mouse.move(box.x + 700, box.y + 60, { steps: 10 });
  await page.mouse.up();
  await page.waitForTimeout(2000);
  console.log(JSON.stringify({ bench: 'browser.replay', record: 'zoom on the 1,000,000-row result', ...(await tasksIn(page, t0, await now(page))) }));
}

async function main() {
  let url = process.env.TWINBENCH_URL ?? 'http://127.0.0.1:3000';
  let child: ChildProcess | null = null;
  if (!(await reachable(url))) ({ url, child } = await startServer());
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ARGS, headless: true });
  try {
    if (process.argv.includes('--replay')) {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      await replayCase(await context.newPage(), url);
      await context.close();
      return;
    }
    if (process.argv.includes('--results')) {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      const page = await context.newPage();
      await page.goto(url + '/');
      await page.getByTestId('editor').and(page.locator('[data-ready=true]')).waitFor({ timeout: 120_000 });
      await resultsCase(page);
      await context.close();
      return;
    }
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const scripts: ScriptEntry[] = [];
    const pending: Promise<void>[] = [];
    context.on('response', (res) => {
      const req = res.request();
      if (req.resourceType() !== 'script' && !/\.m?js(\?|$)/.test(res.url())) return;
      pending.push(
        res
          .body()
          .then((b) => void scripts.push({ url: res.url(), bytes: b.length, gzipBytes: gzipSync(b, { level: 9 }).length, kind: classify(res.url(), req, b) }))
          .catch(() => undefined),
      );
    });
    const page = await context.newPage();
    const tNav = Date.now();
    await page.goto(url + '/');
    await page.getByTestId('editor').and(page.locator('[data-ready=true]')).waitFor({ timeout: 120_000 });
    const editorReadyMs = Date.now() - tNav;
    const preload = await waitPlotlyPreload(page);
    await page.evaluate(() => {
      const w = window as unknown as { __lt: number[] };
      w.__lt = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.__lt.push(Math.round(e.duration));
      }).observe({ type: 'longtask' });
    });
    await Promise.all(pending);
    const initial = summarize(scripts);
    console.log(JSON.stringify({ bench: 'browser.page_js.initial', ...initial, editorReadyMs, plotlyPreload: preload }));

    const scenario = readFileSync(path.join(root, 'scenarios', 'cell-1h-cycle.json'), 'utf8');
    await page.evaluate((t) => {
      const monaco = (window as unknown as { monaco: { editor: { getModels(): { setValue(s: string): void }[] } } }).monaco;
      monaco.editor.getModels()[0].setValue(t);
    }, scenario);
    await page.waitForFunction(() => document.querySelector('[data-testid=problems]')?.textContent?.includes('No problems'));

    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await runOnce(page));
    await page.getByTestId('plots').and(page.locator('[data-ready=true]')).waitFor({ timeout: 60_000 });
    await Promise.all(pending);
    console.log(JSON.stringify({ bench: 'browser.page_js.after_run', ...summarize(scripts) }));
    console.log(JSON.stringify({ bench: 'browser.page_js.files', files: scripts.map((s) => ({ url: s.url.replace(url, ''), bytes: s.bytes, gzip: s.gzipBytes, kind: s.kind })) }));
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const warm = runs.slice(1);
    const median = warm.length
      ? {
          elapsedMs: med(warm.map((r) => r.elapsedMs)),
          engineMs: med(warm.map((r) => r.engineMs)),
          wallMs: med(warm.map((r) => r.wallMs)),
          plotDrawMs: med(warm.map((r) => r.plotDrawMs)),
          maxLongTaskMs: med(warm.map((r) => Math.max(0, ...r.longTasksMs))),
        }
      : runs[0];
    console.log(
      JSON.stringify({
        bench: 'browser.cell_1h_1hz_worker',
        scenario: 'scenarios/cell-1h-cycle.json',
        steps: runs[0].steps,
        cold: runs[0],
        warmMedian: median,
        runs,
      }),
    );
    await context.close();
  } finally {
    await browser.close();
    if (child) child.kill('SIGTERM');
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
