// Browser benchmark (Chromium via playwright-core, Debian's /usr/bin/chromium):
//  - the workbench page's JavaScript: every script the page loads (Next chunks, Monaco's AMD
//    files, the runner worker), bytes as served and gzip-compressed, before and after a run
//    (Plotly is loaded on the first run);
//  - the built-in 1 h, 1 Hz cell scenario (scenarios/cell-1h-cycle.json) run in the worker:
//    wall time from Run to result in the page, and engine time inside the worker, cold and warm.
// Prints one JSON object per line. Needs a running production server (TWINBENCH_URL, default
// http://127.0.0.1:3000) or starts one itself on BENCH_PORT (3199) with a temp SQLite file.
//   npx tsx bench/browser.ts
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

async function main() {
  let url = process.env.TWINBENCH_URL ?? 'http://127.0.0.1:3000';
  let child: ChildProcess | null = null;
  if (!(await reachable(url))) ({ url, child } = await startServer());
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ARGS, headless: true });
  try {
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
    await page.evaluate(() => {
      const w = window as unknown as { __lt: number[] };
      w.__lt = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.__lt.push(Math.round(e.duration));
      }).observe({ type: 'longtask' });
    });
    await Promise.all(pending);
    const initial = summarize(scripts);
    console.log(JSON.stringify({ bench: 'browser.page_js.initial', ...initial, editorReadyMs }));

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
