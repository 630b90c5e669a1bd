// Replay page (/replay) in real Chromium: reached from the workbench toolbar, a measured drive cycle
// is replayed in the worker and shows the same numbers as `twinbench replay-cell --json`, with the
// five stacked plots; a bad CSV names its line and column; a long record shows progress and can be
// cancelled; a measured example from the data folder replays after that.
import { expect, test } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const DATA = path.resolve(process.env.TWINBENCH_DATA_DIR ?? path.join('..', 'shared', 'data'));
const US06 = path.join(DATA, 'panasonic-18650pf', 'drive_cycles_1hz', '25degC_US06.csv');

test('replay page: CLI numbers, plots, line/column errors, progress and cancel', async ({ page }) => {
  const cli = spawnSync(process.execPath, ['bin/twinbench.mjs', 'replay-cell', '--csv', US06, '--params', 'panasonic-ncr18650pf', '--json'], { encoding: 'utf8' });
  expect(cli.status, cli.stderr).toBe(0);
  const expected = JSON.parse(cli.stdout) as Record<string, number>;

  await page.goto('/');
  await page.getByRole('link', { name: 'Replay', exact: true }).click();
  await expect(page).toHaveURL(/\/replay$/);
  await expect(page.getByTestId('replay-set')).toHaveValue('panasonic-ncr18650pf');

  // 1. A measured drive cycle: the CLI's numbers, and the plots.
  await page.getByTestId('replay-csv').setInputFiles(US06);
  await page.getByTestId('replay-run').click();
  await expect(page.getByTestId('replay-metrics')).toBeVisible();
  for (const key of ['voltage_rmse_mv', 'voltage_max_abs_mv', 'soc_rmse_pct', 'soc_max_abs_pct', 'converge_s', 'param_temp_c'])
    await expect(page.getByTestId(`metric-${key}`)).toHaveText(String(expected[key]));
  await expect(page.locator('.plots-host > .plot-panel')).toHaveCount(6);
  await expect(page.getByTestId('replay-status')).toContainText('25degC_US06.csv: 4,812 rows');
  // a click on a plot puts the cursor there and reads every channel at that time
  await expect(page.getByTestId('replay-readout')).toContainText('Click a plot');
  const panel = (await page.locator('.plots-host > .plot-panel').first().boundingBox())!;
  await page.mouse.click(panel.x + panel.width / 2, panel.y + panel.height / 2);
  await expect(page.getByTestId('replay-readout')).toContainText(/t = [\d.]+ min.*measured_V [\d.]+.*model_V [\d.]+.*ekf_soc 0\.\d+.*ekf_resistance_scale [\d.]+/);
  await expect(page.getByTestId('plot-cursor')).toBeVisible();

  // 2. A bad value: the message names the file, line and column; the old results are gone.
  const bad = 'time_s,current_A,voltage_V,ah_Ah,battery_temp_degC\n0,0,4.1,0,25\n1,-1,abc,0,25\n';
  await page.getByTestId('replay-csv').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
  await page.getByTestId('replay-run').click();
  await expect(page.getByTestId('replay-error')).toContainText('bad.csv:3: column "voltage_V"');
  await expect(page.getByTestId('replay-metrics')).toHaveCount(0);

  // 3. A long record (1.2 million rows, 30 MB): progress while it runs, then Cancel.
  const rows = ['time_s,current_A,voltage_V,ah_Ah,battery_temp_degC'];
  for (let k = 0; k < 1_200_000; k++) rows.push(`${k},-0.5,3.9,${(-k * 0.5 / 3600).toFixed(5)},25`);
  await page.getByTestId('replay-csv').setInputFiles({ name: 'long.csv', mimeType: 'text/csv', buffer: Buffer.from(rows.join('\n')) });
  await page.getByTestId('replay-run').click();
  await expect(page.getByTestId('replay-cancel')).toBeEnabled();
  await expect(page.getByTestId('replay-status')).toContainText('%');
  await page.getByTestId('replay-cancel').click();
  await expect(page.getByTestId('replay-status')).toContainText('Cancelled.');
  await expect(page.getByTestId('replay-run')).toBeEnabled();

  // 4. After a cancel, a fresh worker replays again: a measured example fetched from the data folder.
  const udds = path.join(DATA, 'panasonic-18650pf', 'drive_cycles_1hz', '0degC_UDDS.csv');
  const cliUdds = spawnSync(process.execPath, ['bin/twinbench.mjs', 'replay-cell', '--csv', udds, '--params', 'panasonic-ncr18650pf', '--json'], { encoding: 'utf8' });
  expect(cliUdds.status, cliUdds.stderr).toBe(0);
  await page.getByTestId('replay-example').selectOption('0degC_UDDS.csv');
  await page.getByTestId('replay-run').click();
  await expect(page.getByTestId('metric-soc_rmse_pct')).toHaveText(String(JSON.parse(cliUdds.stdout).soc_rmse_pct));
  await expect(page.getByTestId('metric-voltage_rmse_mv')).toHaveText(String(JSON.parse(cliUdds.stdout).voltage_rmse_mv));
  await expect(page.getByTestId('replay-status')).toContainText('0degC_UDDS.csv');
});
