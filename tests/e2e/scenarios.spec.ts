// Version-2 scenarios in the workbench, in real Chromium against the production server: open the
// 150 degC oven scenario from the Examples menu, run it in the worker, see its four criteria
// pass, click the CELL_RUNAWAY event and see the shared cursor move there (plots, scrubber
// read-out), see the heat map drawn and read it by hovering; save; reload and reopen the saved
// run from the library (no new run) and scrub it. Prints the longest main-thread task seen.
import { expect, test, type Page } from '@playwright/test';

async function openWorkbench(page: Page) {
  await page.goto('/');
  await expect(page.getByTestId('editor')).toHaveAttribute('data-ready', 'true', { timeout: 60_000 });
}

async function editorText(page: Page): Promise<string> {
  return page.evaluate(() => (window as unknown as { monaco: typeof import('monaco-editor') }).monaco.editor.getModels()[0].getValue());
}

/** Opaque pixels in the heat map canvas (it is drawn, not just laid out). */
async function heatPixels(page: Page): Promise<{ opaque: number; total: number }> {
  return page.getByTestId('heatmap-canvas').evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let opaque = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] === 255) opaque++;
    return { opaque, total: d.length / 4 };
  });
}

async function cursorS(page: Page): Promise<number> {
  return Number(await page.getByTestId('cursor-time').getAttribute('data-cursor-s'));
}

test('v2 scenario: run the oven test, criteria, event timeline, cursor, heat map, reopen from the library', async ({ page }) => {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.addInitScript(() => {
    const w = window as unknown as { __longest: number };
    w.__longest = 0;
    try {
      new PerformanceObserver((l) => {
        for (const e of l.getEntries()) w.__longest = Math.max(w.__longest, e.duration);
      }).observe({ type: 'longtask', buffered: true });
    } catch {
      /* no long-task API */
    }
  });
  await openWorkbench(page);

  // 1. Load the oven scenario into the editor (Examples menu) and run it.
  await page.getByLabel('Open a built-in scenario').selectOption('oven-18650-150C.json');
  await expect.poll(() => editorText(page)).toContain('"version": 2');
  expect(await editorText(page)).toContain('Oven test 150 degC');
  await expect(page.getByTestId('problems')).toContainText('No problems');
  await page.evaluate(() => ((window as unknown as { __longest: number }).__longest = 0));
  await page.getByTestId('run').click();
  await expect(page.getByTestId('progress-text')).toContainText('Done', { timeout: 120_000 });
  await expect(page.getByTestId('plots')).toHaveAttribute('data-ready', 'true', { timeout: 60_000 });
  const longestRunMs = await page.evaluate(() => (window as unknown as { __longest: number }).__longest);

  // 2. Criteria: four, all pass, each with a time.
  const criteria = page.getByTestId('criterion');
  await expect(criteria).toHaveCount(4);
  await expect(page.locator('[data-testid=criterion][data-result=pass]')).toHaveCount(4);
  await expect(page.getByTestId('criteria')).toContainText('4 pass');
  await expect(criteria.filter({ hasText: 'runs-away' })).toContainText(/35\.9\d min/);

  // 3. The event timeline: CELL_VENT and CELL_RUNAWAY markers on the plots' axis.
  const runawayMarker = page.locator('[data-testid=event-marker][data-code=CELL_RUNAWAY]');
  await expect(runawayMarker).toHaveCount(1);
  await expect(page.locator('[data-testid=event-marker][data-code=CELL_VENT]')).toHaveCount(1);
  const tRunaway = Number(await runawayMarker.getAttribute('data-t-s'));
  expect(tRunaway).toBeGreaterThan(2000);
  // the marker sits where the plots' axis puts that time: later events further right
  const ventBox = (await page.locator('[data-testid=event-marker][data-code=CELL_VENT]').boundingBox())!;
  const runawayBox = (await runawayMarker.boundingBox())!;
  expect(runawayBox.x).toBeGreaterThan(ventBox.x);
  await expect(page.getByTestId('plot-cursor')).toHaveCount(0);

  // 4. Click the runaway event: the shared cursor moves there (plots line, strip, read-out).
  await runawayMarker.click();
  expect(await cursorS(page)).toBe(tRunaway);
  const line = page.getByTestId('plot-cursor');
  await expect(line).toBeVisible();
  expect(Number(await line.getAttribute('data-cursor-s'))).toBe(tRunaway);
  const lineBox = (await line.boundingBox())!;
  expect(Math.abs(lineBox.x + lineBox.width / 2 - (runawayBox.x + runawayBox.width / 2))).toBeLessThan(3);
  await expect(page.getByTestId('cursor-time')).toContainText('35.9');
  await expect(page.getByTestId('scrubber')).toContainText('oven/cell.temp_C');
  await expect(page.getByTestId('scrubber')).toContainText('°C');

  // The scrubber moves the same cursor.
  await page.getByTestId('scrubber-input').focus();
  await page.keyboard.press('Home');
  expect(await cursorS(page)).toBeLessThan(tRunaway);
  // An event row in the list does too.
  await page.locator('[data-testid=event-row][data-code=CELL_VENT]').click();
  expect(await cursorS(page)).toBe(Number(await page.locator('[data-testid=event-row][data-code=CELL_VENT]').getAttribute('data-t-s')));

  // 5. The heat map: drawn, with a legend in degC, hover reads target / time / value.
  const heat = page.getByTestId('heatmap-canvas');
  await expect(heat).toBeVisible();
  const px = await heatPixels(page);
  expect(px.opaque).toBeGreaterThan(px.total * 0.9);
  await expect(page.getByTestId('heatmap-legend')).toContainText('°C');
  const hb = (await heat.boundingBox())!;
  await page.mouse.move(hb.x + hb.width * 0.98, hb.y + hb.height / 2);
  await expect(page.getByTestId('heatmap-tip')).toContainText('oven/cell');
  await expect(page.getByTestId('heatmap-tip')).toContainText('°C');
  await page.screenshot({ path: 'test-results/scenarios-v2.png' });

  // A second run of the same scenario (Plotly loaded, worker warm): printed, not asserted.
  await page.evaluate(() => ((window as unknown as { __longest: number }).__longest = 0));
  await page.getByTestId('run').click();
  await expect(page.getByTestId('progress-text')).toContainText('Done', { timeout: 120_000 });
  await expect(page.locator('[data-testid=criterion][data-result=pass]')).toHaveCount(4);
  await expect(page.getByTestId('plot-cursor')).toHaveCount(0);
  const longestWarmMs = await page.evaluate(() => (window as unknown as { __longest: number }).__longest);

  // 6. Save with its run; reload; reopen the run from the library without re-running.
  await page.getByLabel('Scenario name').fill('Oven 150 degC e2e');
  await page.getByTestId('save').click();
  await expect(page.getByTestId('notice')).toContainText('with its run');
  await page.reload();
  await expect(page.getByTestId('editor')).toHaveAttribute('data-ready', 'true', { timeout: 60_000 });
  const runItem = page.getByTestId('library-run').filter({ hasText: 'Oven 150 degC e2e' });
  await expect(runItem).toContainText('4 pass');
  await runItem.locator('.lib-main').click();
  await expect(page.getByTestId('run-summary')).toContainText('from library');
  await expect(page.getByTestId('progress-text')).toHaveText('Ready');
  await expect(page.locator('[data-testid=criterion][data-result=pass]')).toHaveCount(4);
  await expect(page.getByTestId('plots')).toHaveAttribute('data-ready', 'true', { timeout: 60_000 });
  await page.locator('[data-testid=event-marker][data-code=CELL_RUNAWAY]').click();
  expect(await cursorS(page)).toBe(tRunaway);
  await expect(page.getByTestId('plot-cursor')).toBeVisible();
  expect((await heatPixels(page)).opaque).toBe(px.opaque);
  await expect(page.getByTestId('progress-text')).toHaveText('Ready');

  console.log(`[scenarios.spec] longest main-thread task: first oven run (incl. loading Plotly) ${longestRunMs.toFixed(0)} ms, second run ${longestWarmMs.toFixed(0)} ms`);
  expect(errors).toEqual([]);
});

test('editor: completes the target paths and signal names that exist in the scenario', async ({ page }) => {
  await openWorkbench(page);
  await page.getByLabel('Open a built-in scenario').selectOption('stuck-sensor-hot-spot.json');
  await expect.poll(() => editorText(page)).toContain('"version": 2');
  // put the cursor right after the opening quote of the busbar fault's target and ask for suggestions
  await page.evaluate(() => {
    const m = (window as unknown as { monaco: typeof import('monaco-editor') }).monaco;
    const model = m.editor.getModels()[0];
    const off = model.getValue().indexOf('"site1/container1/rack03/module07/busbar"') + 1;
    const ed = m.editor.getEditors()[0];
    ed.setPosition(model.getPositionAt(off));
    ed.focus();
    ed.trigger('e2e', 'editor.action.triggerSuggest', {});
  });
  const widget = page.locator('.suggest-widget');
  await expect(widget).toBeVisible();
  await expect(widget).toContainText('site1/container1/hvac');
  await page.keyboard.press('Escape');
  // in a criterion: signal names
  await page.evaluate(() => {
    const m = (window as unknown as { monaco: typeof import('monaco-editor') }).monaco;
    const model = m.editor.getModels()[0];
    const off = model.getValue().indexOf('max(site1/container1/rack01/**.temp_C)') + 4;
    const ed = m.editor.getEditors()[0];
    ed.setPosition(model.getPositionAt(off));
    ed.trigger('e2e', 'editor.action.triggerSuggest', {});
  });
  await expect(widget).toBeVisible();
  await expect(widget).toContainText('.temp_C');
});
