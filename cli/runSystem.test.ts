// `twinbench run` on version-2 scenarios: --param, the --json contract (criteria / events / signals /
// runaway), and errors. Spawns the real CLI.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin', 'twinbench.mjs');
const cli = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });

describe('twinbench run (version 2)', () => {
  it('--param changes the run; --json carries criteria, events, signals and runaway', () => {
    const p = cli('run', 'scenarios/oven-18650-150C.json', '--param', 'oven=155degC', '--json');
    expect(p.stderr).toBe('');
    expect(p.status).toBe(0);
    const j = JSON.parse(p.stdout);
    expect(j.parameters).toEqual({ oven: '155degC', kinetics: 'HK07_LCO' });
    expect(j.criteria.map((c: { id: string; result: string }) => [c.id, c.result])).toEqual([
      ['runs-away', 'pass'],
      ['onset-time', 'pass'],
      ['peak-band', 'pass'],
      ['peak-below', 'fail'], // the 150 degC band's upper edge (497 degC): 155 degC peaks higher
    ]);
    // 155 degC reference run: runaway at 25.0 min +- 5 %, peak 523 degC +- 15 K (the cell's maximum)
    expect(j.runaway).toHaveLength(1);
    expect(j.runaway[0].target).toBe('oven/cell');
    expect(j.runaway[0].t_s / 60).toBeGreaterThan(25 * 0.95);
    expect(j.runaway[0].t_s / 60).toBeLessThan(25 * 1.05);
    expect(j.events.find((e: { code: string }) => e.code === 'CELL_RUNAWAY')).toMatchObject({ severity: 'trip', target: 'oven/cell' });
    expect(j.signals['oven/cell.temp_C']).toMatchObject({ min: 25, unit: 'degC' });
    expect(Math.abs(j.signals['oven/cell.temp_C'].max - 523)).toBeLessThan(15);
    expect(j.signals['oven.temp_C'].final).toBe(155);
    const plain = JSON.parse(cli('run', 'scenarios/oven-18650-150C.json', '--json').stdout);
    expect(plain.scenario_hash).not.toBe(j.scenario_hash);
  });

  it('140 degC: no runaway, the cell settles a few kelvin above the oven', () => {
    const j = JSON.parse(cli('run', 'scenarios/oven-18650-150C.json', '--param', 'oven=140degC', '--json').stdout);
    expect(j.runaway).toEqual([]);
    expect(j.signals['oven/cell.temp_C'].max).toBeGreaterThan(146);
    expect(j.signals['oven/cell.temp_C'].max).toBeLessThan(150);
  });

  it('bad parameters are refused with a reason', () => {
    const a = cli('run', 'scenarios/oven-18650-150C.json', '--param', 'oven');
    expect(a.status).toBe(2);
    expect(a.stderr).toMatch(/name=value/);
    const b = cli('run', 'scenarios/oven-18650-150C.json', '--param', 'ovne=150degC');
    expect(b.status).toBe(1);
    expect(b.stderr).toMatch(/unknown parameter 'ovne' \(this scenario has: oven, kinetics\)/);
    const c = cli('run', 'scenarios/oven-18650-150C.json', '--param', 'oven=150kW');
    expect(c.status).toBe(1);
    expect(c.stderr).toMatch(/assets\.oven\.temperature: '150kW' is a power, expected a temperature/);
  });
});
