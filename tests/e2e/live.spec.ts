// Live bridge acceptance (issue 5) in real Chromium: a virtual device (hidden true parameters,
// sensor noise, resistance fault r0 x4 at t = 100 s) is registered with `twinbench device add`
// and streamed by `twinbench bridge --source virtual` into the e2e server; the /live page shows
// its real and twin traces and the residual, raises the residual alarm after the fault, refuses
// an out-of-range set-point through the interlock, gets an in-range one acked by the device, and
// saves the session as a run in the local library.
import { expect, test } from '@playwright/test';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

const PORT = Number(process.env.E2E_PORT ?? 3100);
let bridge: ChildProcess | null = null;

test.afterAll(() => {
  bridge?.kill('SIGTERM');
});

test('live page: real vs twin, residual alarm from a device fault, commands through the interlock', async ({ page }) => {
  const env = { ...process.env, DATABASE_URL: `file:${process.env.TWINBENCH_E2E_DB}` };
  const name = `e2e virtual ${Date.now()}`;
  const add = spawnSync(process.execPath, ['bin/twinbench.mjs', 'device', 'add', name, '--site', 'e2e', '--json'], { env, encoding: 'utf8' });
  expect(add.status, add.stderr).toBe(0);
  const { id, token } = JSON.parse(add.stdout) as { id: string; token: string };
  bridge = spawn(
    process.execPath,
    ['bin/twinbench.mjs', 'bridge', '--server', `http://127.0.0.1:${PORT}`, '--token', token, '--source', 'virtual', '--speed', '5', '--fault', 'r0:4@100'],
    { env, stdio: 'ignore' },
  );

  await page.goto('/live');
  await expect(page.getByTestId('live-conn')).toHaveText(/connected/);
  await expect(page.locator(`[data-testid=live-device] option[value="${id}"]`)).toHaveText(/online/, { timeout: 30_000 });
  await page.getByTestId('live-device').selectOption(id);
  await expect(page.getByTestId('live-alarm')).toHaveAttribute('data-alarm', 'off');
  // the fault starts at device time 100 s (20 s of wall time at 5x): the alarm follows
  await expect(page.getByTestId('live-alarm')).toHaveAttribute('data-alarm', 'on', { timeout: 90_000 });
  await expect(page.getByTestId('live-events')).toContainText('residual alarm raised');

  // shared cursor readout names real, twin and residual values
  const box = (await page.getByTestId('live-chart').boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.8, box.y + 50);
  await expect(page.getByTestId('live-readout')).toContainText(/voltage real: \d\.\d+ · voltage twin: \d\.\d+/);
  await expect(page.getByTestId('live-readout')).toContainText(/residual: -?\d\.\d+/);

  await page.getByTestId('live-setpoint').fill('50');
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(page.getByTestId('live-command-result')).toContainText(/safety interlock.*outside the device's limits/);
  await page.getByTestId('live-setpoint').fill('1.5');
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(page.getByTestId('live-command-result')).toContainText('acknowledged by the device');

  // the session is recorded as a run in the local library
  await page.getByTestId('live-save').click();
  await expect(page.getByTestId('live-saved')).toContainText(`saved to the library as "live ${name}`);
});
