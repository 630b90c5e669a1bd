// `twinbench device` and `twinbench bridge` argument handling, in-process on a temp SQLite file.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main as bridgeMain } from './bridge';
import { main as deviceMain } from './device';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'tb-cli-device-'));
let out = '';
let err = '';

beforeAll(() => {
  process.env.TWINBENCH_SQLITE_PATH = path.join(tmp, 'tb.db');
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
});
afterAll(() => {
  vi.restoreAllMocks();
  delete process.env.TWINBENCH_SQLITE_PATH;
  rmSync(tmp, { recursive: true, force: true });
});

describe('twinbench device', () => {
  it('adds (token once), lists, refuses a duplicate name, removes', async () => {
    out = '';
    expect(await deviceMain(['add', 'bench', 'rig', '--site', 'lab', '--json'])).toBe(0);
    const added = JSON.parse(out) as { id: string; name: string; site: string; token: string };
    expect(added).toMatchObject({ name: 'bench rig', site: 'lab' });
    expect(added.token).toMatch(new RegExp(`^tbd_${added.id}_[A-Za-z0-9_-]{43}$`));
    out = '';
    expect(await deviceMain(['list', '--json'])).toBe(0);
    const list = JSON.parse(out) as { id: string }[];
    expect(list.map((d) => d.id)).toEqual([added.id]);
    expect(out).not.toContain(added.token.split('_').at(-1));
    await expect(deviceMain(['add', 'bench rig'])).rejects.toThrow(/exists already/);
    out = '';
    expect(await deviceMain(['remove', added.id])).toBe(0);
    err = '';
    expect(await deviceMain(['remove', added.id])).toBe(1);
    expect(err).toMatch(/no device/);
    expect(await deviceMain(['frobnicate'])).toBe(2);
  });
});

describe('twinbench bridge arguments', () => {
  it('names every missing or bad option', async () => {
    err = '';
    expect(await bridgeMain(['--server', 'http://x', '--token', 'nope', '--speed', '0'])).toBe(2);
    expect(err).toMatch(/--token is malformed/);
    expect(err).toMatch(/--source is required/);
    expect(err).toMatch(/--speed must be a positive number/);
    err = '';
    expect(await bridgeMain(['--server', 'http://x', '--token', 'tbd_abc_' + 'a'.repeat(43), '--source', 'serial:/dev/tty0'])).toBe(2);
    expect(err).toMatch(/unknown source/);
  });
});
