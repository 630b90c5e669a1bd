// The foundation's acceptance path in real Chromium against the production server:
// type an error and see its marker, fix it, run (progress, cancel), see the plots, save, reload
// and find it in the library, share, open the link in a fresh browser context, run, and compare
// the exported CSV with the first byte for byte. Also takes the README screenshot: into
// test-results/, or over docs/screenshot.png when UPDATE_SCREENSHOT=1.
import { expect, test, type Download, type Page } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const SCREENSHOT = process.env.UPDATE_SCREENSHOT === '1'
  ? path.resolve('docs', 'screenshot.png')
  : path.resolve('test-results', 'workbench.png');

async function openWorkbench(page: Page, url = '/') {
  await page.goto(url);
  await expect(page.getByTestId('editor')).toHaveAttribute('data-ready', 'true', { timeout: 60_000 });
}

async function editorText(page: Page): Promise<string> {
  return page.evaluate(() => (window as unknown as { monaco: typeof import('monaco-editor') }).monaco.editor.getModels()[0].getValue());
}

/** Puts the cursor right after the first match of `re` in the editor and focuses it. */
async function placeCursorAfter(page: Page, re: RegExp): Promise<number> {
  const line = await page.evaluate((src) => {
    const monaco = (window as unknown as { monaco: typeof import('monaco-editor') }).monaco;
    const ed = monaco.editor.getEditors()[0];
    const model = ed.getModel()!;
    const m = new RegExp(src).exec(model.getValue());
    if (!m) throw new Error(`no match for ${src}`);
    const pos = model.getPositionAt(m.index + m[0].length);
    ed.setPosition(pos);
    ed.focus();
    return pos.lineNumber;
  }, re.source);
  return line;
}

async function markers(page: Page) {
  return page.evaluate(() => {
    const monaco = (window as unknown as { monaco: typeof import('monaco-editor') }).monaco;
    return monaco.editor.getModelMarkers({ owner: 'twinbench' }).map((m) => ({ line: m.startLineNumber, message: m.message }));
  });
}

/** Replaces the whole editor text (a paste), keeping undo. */
async function setEditorText(page: Page, text: string) {
  await page.evaluate((t) => {
    const monaco = (window as unknown as { monaco: typeof import('monaco-editor') }).monaco;
    const ed = monaco.editor.getEditors()[0];
    const model = ed.getModel()!;
    ed.executeEdits('e2e', [{ range: model.getFullModelRange(), text: t }]);
  }, text);
}

async function runToDone(page: Page) {
  await page.getByTestId('run').click();
  await expect(page.getByTestId('progress-text')).toContainText('Done', { timeout: 120_000 });
  await expect(page.getByTestId('plots')).toHaveAttribute('data-ready', 'true', { timeout: 60_000 });
}

async function downloadCsv(page: Page): Promise<Buffer> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
  return readDownload(download);
}

async function readDownload(d: Download): Promise<Buffer> {
  const p = await d.path();
  return readFile(p);
}

test('workbench: edit, validate, run, plot, save, share, reproduce', async ({ page, browser }) => {
  const consoleErrors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));

  await openWorkbench(page);
  const original = await editorText(page);
  expect(original).toContain('"experiment"');
  await expect(page.getByTestId('problems')).toContainText('No problems');

  // Schema-driven completion: at the top level, the keys the scenario does not have yet.
  await page.evaluate(() => {
    const ed = (window as unknown as { monaco: typeof import('monaco-editor') }).monaco.editor.getEditors()[0];
    ed.setPosition({ lineNumber: 1, column: 2 });
    ed.focus();
  });
  await page.keyboard.press('Enter');
  await page.keyboard.press('Control+Space');
  await expect(page.locator('.suggest-widget .monaco-list-row').filter({ hasText: 'pack' }).first()).toBeVisible();
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+z');
  await expect.poll(() => editorText(page)).toBe(original);

  // 1. Type an error: the initial SOC 0.9 becomes 70.9 (must be 0..1). A marker sits on that line.
  const socLine = await placeCursorAfter(page, /"soc":\s*/);
  await page.keyboard.type('7');
  const problem = page.getByTestId('problem').first();
  await expect(problem).toContainText('initial.soc');
  await expect(problem).toContainText('between 0 and 1');
  await expect.poll(() => markers(page)).toEqual([expect.objectContaining({ line: socLine })]);
  await expect(page.locator('[data-testid=editor] .squiggly-error').first()).toBeVisible();
  // A syntax error too: a stray character after the last brace.
  await page.keyboard.press('Control+End');
  await page.keyboard.type('x');
  await expect(page.getByTestId('problem')).toHaveCount(1);
  await expect.poll(async () => (await markers(page)).length).toBe(1);
  // Clicking the problem moves the editor selection to it.
  await page.keyboard.press('Backspace');
  await expect(page.getByTestId('problem').first()).toContainText('initial.soc');
  await page.getByTestId('problem').first().click();
  const sel = await page.evaluate(() => (window as unknown as { monaco: typeof import('monaco-editor') }).monaco.editor.getEditors()[0].getSelection()!.startLineNumber);
  expect(sel).toBe(socLine);
  // An invalid scenario never reaches the worker: Run refuses with a message.
  await page.getByTestId('run').click();
  await expect(page.getByTestId('notice')).toContainText('Fix 1 problem');

  // 2. Fix it.
  await placeCursorAfter(page, /"soc":\s*/);
  await page.keyboard.press('Delete');
  await expect(page.getByTestId('problems')).toContainText('No problems');
  await expect.poll(() => markers(page)).toEqual([]);
  expect(await editorText(page)).toBe(original);

  // 3. Progress and Cancel on a long run (the same scenario repeated many times).
  const long = JSON.parse(original) as { experiment: unknown[]; name: string };
  // 10 ms steps for up to 150 h: tens of millions of steps, far longer than the test waits.
  const longText = JSON.stringify({ ...long, name: 'long', sample: { dtS: 0.01 }, experiment: [{ repeat: 150, steps: long.experiment }] }, null, 2);
  await setEditorText(page, longText);
  await expect(page.getByTestId('problems')).toContainText('No problems');
  await page.getByTestId('run').click();
  await expect
    .poll(async () => Number(await page.getByTestId('progress').getAttribute('aria-valuenow')), { timeout: 60_000 })
    .toBeGreaterThan(0);
  await expect(page.getByTestId('progress-text')).toContainText('simulated');
  await page.getByTestId('cancel').click();
  await expect(page.getByTestId('notice')).toContainText('cancelled');
  await expect(page.getByTestId('run')).toBeEnabled();
  await setEditorText(page, original);
  await expect(page.getByTestId('problems')).toContainText('No problems');

  // 4. Run to the end: progress reaches 100 %, the plots appear (4 stacked panels).
  await runToDone(page);
  await expect(page.getByTestId('progress')).toHaveAttribute('aria-valuenow', '100');
  await expect(page.locator('[data-testid=plots] .main-svg').first()).toBeVisible();
  expect(await page.locator('[data-testid=plots] .scatterlayer .trace').count()).toBeGreaterThanOrEqual(4);
  await expect(page.getByTestId('metrics')).toBeVisible();
  const csv1 = await downloadCsv(page);
  expect(csv1.length).toBeGreaterThan(1000);
  expect(csv1.toString('utf8').split('\n')[0]).toContain('time_s');
  await expect(page.getByTestId('run-summary')).toContainText('Cell 1 h cycle');
  // The same bytes as the CLI: `twinbench run scenarios/cell-1h-cycle.json --out file.csv`.
  const cliOut = path.join(mkdtempSync(path.join(os.tmpdir(), 'twinbench-cli-')), 'run.csv');
  const cli = spawnSync(process.execPath, ['bin/twinbench.mjs', 'run', 'scenarios/cell-1h-cycle.json', '--out', cliOut], { encoding: 'utf8' });
  expect(cli.status, cli.stderr).toBe(0);
  expect((await readFile(cliOut)).equals(csv1)).toBe(true);

  // 5. Save, reload, find the scenario (and its run) in the library.
  const name = "NCR18650PF 1 h cycle, 25 °C";
  await page.getByLabel('Scenario name').fill(name);
  await page.getByTestId('save').click();
  await expect(page.getByTestId('notice')).toContainText('Saved');
  await page.reload();
  await expect(page.getByTestId('editor')).toHaveAttribute('data-ready', 'true', { timeout: 60_000 });
  const item = page.getByTestId('library-scenario').filter({ hasText: name });
  await expect(item).toBeVisible();
  // The reloaded editor still knows which library entry it shows (Save updates it).
  await expect(page.locator('.statusbar')).toContainText('library #');
  await expect(page.getByLabel('Scenario name')).toHaveValue(name);
  await item.locator('.lib-main').click();
  await expect.poll(() => editorText(page)).toBe(original);
  const runItem = page.getByTestId('library-run').filter({ hasText: name });
  await expect(runItem).toBeVisible();
  await runItem.locator('.lib-main').click();
  await expect(page.getByTestId('plots')).toHaveAttribute('data-ready', 'true');
  expect((await downloadCsv(page)).equals(csv1)).toBe(true);
  // The README screenshot: a run on screen, with the library holding the scenario and its run.
  await page.mouse.move(0, 0);
  await page.screenshot({ path: SCREENSHOT });

  // 6. Share: a /s/<id> link and (small scenario) a fragment link.
  await page.getByTestId('share').click();
  const shareUrl = await page.getByTestId('share-url').inputValue();
  expect(shareUrl).toMatch(/\/s\/[0-9a-f]{64}$/);
  const fragmentUrl = await page.getByTestId('share-fragment-url').inputValue();
  expect(fragmentUrl).toMatch(/\/#s=/);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('share-panel')).toHaveCount(0);

  // Library: rename a run with F2, delete it (with confirmation); the scenario stays.
  const runRow = page.getByTestId('library-run').first();
  await runRow.locator('.lib-main').focus();
  await page.keyboard.press('F2');
  await page.getByLabel(/^New name for/).fill('baseline run');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('library-run').first()).toContainText('baseline run');
  page.once('dialog', (d) => void d.accept());
  await page.getByRole('button', { name: 'Delete baseline run' }).click();
  await expect(page.getByTestId('library-run')).toHaveCount(0);
  await expect(page.getByTestId('library-scenario')).toHaveCount(1);

  // 7. Open the link in a fresh browser context (no shared storage), run, compare CSV bytes.
  const other = await browser.newContext({ acceptDownloads: true });
  const page2 = await other.newPage();
  await openWorkbench(page2, shareUrl);
  // The server keeps the scenario without "$schema" (an editor hint the hash ignores).
  const { $schema: _hint, ...withoutHint } = JSON.parse(original) as Record<string, unknown>;
  expect(JSON.parse(await editorText(page2))).toEqual(withoutHint);
  await expect(page2.getByTestId('library-scenario')).toHaveCount(0);
  await runToDone(page2);
  const csv2 = await downloadCsv(page2);
  expect(csv2.equals(csv1)).toBe(true);

  // The fragment link opens the same scenario with no server round trip.
  const page3 = await other.newPage();
  await openWorkbench(page3, fragmentUrl);
  await expect.poll(async () => JSON.parse(await editorText(page3))).toEqual(JSON.parse(original));
  await other.close();

  expect(consoleErrors.filter((e) => !/favicon/.test(e))).toEqual([]);
});

test('share links: unknown id, malformed id, damaged fragment', async ({ page }) => {
  await page.goto(`/s/${'0'.repeat(64)}`);
  await expect(page.getByTestId('share-not-found')).toContainText('Scenario not found');
  await page.goto('/s/not-a-hash');
  await expect(page.getByTestId('share-malformed')).toContainText('malformed');
  await openWorkbench(page, '/#s=@@@');
  await expect(page.getByTestId('notice')).toContainText('damaged');
});
