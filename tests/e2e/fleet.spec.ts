// Fleet view acceptance (issue 5, item 5) in real Chromium: a virtual device with a resistance
// fault (r0 x4 at t = 100 s) streams into the e2e server; the live page's twin raises the residual
// alarm, which becomes an alert of the fleet view. There the device shows under its site as
// connected with its latest values; the operator acknowledges and resolves the alert (who / when /
// note), and after a reload it is in the history.
import { expect, test } from '@playwright/test';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

const PORT = Number(process.env.E2E_PORT ?? 3100);
let bridge: ChildProcess | null = null;

test.afterAll(() => {
  bridge?.kill('SIGTERM');
});

test('fleet: a faulty virtual device raises an alert; acknowledge, resolve, history after reload', async ({ page }) => {
  const env = { ...process.env, DATABASE_URL: `file:${process.env.TWINBENCH_E2E_DB}` };
  const site = `e2e-site-${Date.now()}`;
  const name = `e2e fleet ${Date.now()}`;
  const add = spawnSync(process.execPath, ['bin/twinbench.mjs', 'device', 'add', name, '--site', site, '--json'], { env, encoding: 'utf8' });
  expect(add.status, add.stderr).toBe(0);
  const { id, token } = JSON.parse(add.stdout) as { id: string; token: string };
  bridge = spawn(
    process.execPath,
    ['bin/twinbench.mjs', 'bridge', '--server', `http://127.0.0.1:${PORT}`, '--token', token, '--source', 'virtual', '--speed', '5', '--fault', 'r0:4@100'],
    { env, stdio: 'ignore' },
  );

  // the fleet shows the device under its site, connected, with its latest values
  await page.goto('/fleet');
  const card = page.getByTestId(`fleet-device-${id}`);
  await expect(page.getByTestId(`fleet-site-${site}`)).toContainText(name, { timeout: 30_000 });
  await expect(card).toHaveAttribute('data-status', 'connected', { timeout: 30_000 });
  await expect(card).toContainText('cell voltage');
  await expect(card).toContainText(/\d\.\d{3} V/);
  await expect(card).toContainText('no active alerts');

  // the twin on the live page (linked from the card) raises the residual alarm after the fault
  await card.getByRole('link', { name }).click();
  await expect(page).toHaveURL(new RegExp(`/live\\?device=${id}`));
  await expect(page.getByTestId('live-device')).toHaveValue(id);
  await expect(page.getByTestId('live-alarm')).toHaveAttribute('data-alarm', 'on', { timeout: 90_000 });

  // ... and the fleet view lists it as an alert of that device
  await page.getByTestId('live-fleet-link').click();
  await expect(page).toHaveURL(/\/fleet$/);
  const alert = page.getByTestId('fleet-alerts-active').locator('li[data-code="RESIDUAL_V"]').filter({ hasText: name });
  await expect(alert).toHaveCount(1, { timeout: 30_000 });
  await expect(alert).toContainText('twin residual');
  await expect(alert).toHaveAttribute('data-state', 'open');
  await expect(card.getByTestId('device-alerts')).toContainText(/[1-9]\d* active alerts?/);

  // acknowledging needs a name
  await page.getByTestId('fleet-operator').fill('');
  await alert.getByRole('button', { name: 'Acknowledge' }).click();
  await expect(page.getByTestId('fleet-action-error')).toContainText('enter your name');
  await page.getByTestId('fleet-operator').fill('E2E Operator');
  await alert.getByRole('button', { name: 'Acknowledge' }).click();
  await expect(alert).toHaveAttribute('data-state', 'acknowledged');
  await expect(alert.getByTestId('alert-ack')).toContainText('acknowledged by E2E Operator');

  // the server's monitor keeps checking the device: pin this alert by its id, so a later occurrence
  // (a new alert after this one is resolved) cannot be mistaken for it
  const alertTestId = await alert.getAttribute('data-testid');
  const thisAlert = page.getByTestId(alertTestId!);
  await thisAlert.getByRole('button', { name: 'Resolve…' }).click();
  await thisAlert.getByTestId('alert-note').fill('contact resistance fixed');
  await thisAlert.getByRole('button', { name: 'Confirm resolve' }).click();
  await expect(thisAlert).toHaveCount(0);

  // kept in the database: after a reload it is in the history, with who and when
  await page.reload();
  await expect(page.getByTestId('fleet-operator')).toHaveValue('E2E Operator');
  await page.getByTestId('fleet-tab-history').click();
  const past = page.getByTestId(alertTestId!.replace(/^alert-/, 'history-'));
  await expect(past).toHaveCount(1);
  await expect(past).toContainText('acknowledged by E2E Operator');
  await expect(past).toContainText('resolved by E2E Operator');
  await expect(past).toContainText('contact resistance fixed');
});
