// Spawns the real CLI (bin/twinbench.mjs -> tsx -> cli/main.ts).
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runToEnd } from '../sim/engine/run';
import { runToCsv } from '../sim/engine/csv';
import { parseScenarioText } from '../sim/scenario/validate';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin', 'twinbench.mjs');
const cli = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });

describe('twinbench CLI', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'twinbench-cli-'));

  it('run --json prints one JSON object with identity and metrics, equal to the in-process run', () => {
    const out = join(tmp, 'run.csv');
    const p = cli('run', 'scenarios/cell-1h-cycle.json', '--json', '--out', out);
    expect(p.stderr).toMatch(/wrote/);
    expect(p.status).toBe(0);
    const lines = p.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const j = JSON.parse(lines[0]);
    expect(j).toMatchObject({ seed: 1, duration_s: 3600, steps: 3600 });
    expect(j.engine_version).toMatch(/\d+\.\d+\.\d+/);
    expect(j.scenario_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(typeof j.metrics.discharged_Ah).toBe('number');
    expect(j.signals.voltage_V.min).toBeLessThan(j.signals.voltage_V.max);
    // identical numbers and bytes to the engine called in-process (what the browser worker does)
    const v = parseScenarioText(readFileSync(join(root, 'scenarios/cell-1h-cycle.json'), 'utf8'));
    if (!v.ok) throw new Error('invalid');
    const r = runToEnd(v.scenario);
    expect(j.metrics).toEqual(r.metrics);
    expect(readFileSync(out, 'utf8')).toBe(runToCsv(r));
  });

  it('run --seed overrides the seed and prints a text summary without --json', () => {
    const p = cli('run', 'scenarios/pack-4s2p-discharge.json', '--seed', '3');
    expect(p.status).toBe(0);
    expect(p.stdout).toMatch(/seed 3/);
    expect(p.stdout).toMatch(/discharged .* Ah/);
  });

  it('validate lists every error as "path: message" and exits 1', () => {
    const f = join(tmp, 'broken.json');
    writeFileSync(f, '{\n  "name": "b",\n  "cell": {"paramSet": "nope"},\n  "initial": {"soc": 1},\n  "experiment": ["Rest for 10 mn"],\n  "ambiant": {}\n}\n');
    const p = cli('validate', f);
    expect(p.status).toBe(1);
    const lines = p.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^cell\.paramSet: unknown parameter set "nope"/);
    expect(lines[1]).toMatch(/^experiment\[0\]: step 1: unknown unit 'mn', expected s, min, h .*\(line 5, column 18\)$/);
    expect(lines[2]).toMatch(/^ambiant: unknown key 'ambiant'/);
  });

  it('validate exits 0 on the built-ins; run refuses an invalid file with exit 1', () => {
    expect(cli('validate', 'scenarios/cell-1h-cycle.json', 'scenarios/cell-cccv-charge.json').status).toBe(0);
    const f = join(tmp, 'syntax.json');
    writeFileSync(f, '{"name": "x",,}');
    const p = cli('run', f);
    expect(p.status).toBe(1);
    expect(p.stderr).toMatch(/JSON syntax error/);
  });

  it('--help lists the commands; unknown commands and bad options exit 2', () => {
    const h = cli('--help');
    expect(h.status).toBe(0);
    for (const c of ['run', 'validate', 'replay-cell', 'identify']) expect(h.stdout).toContain(c);
    expect(cli('runn').stderr).toMatch(/did you mean 'run'/);
    expect(cli('runn').status).toBe(2);
    expect(cli('run', 'scenarios/cell-1h-cycle.json', '--seed', '-1').status).toBe(2);
  });

  it('a share id that the server does not have is a clear error', () => {
    const p = cli('run', 'a'.repeat(64), '--server', 'http://127.0.0.1:9');
    expect(p.status).toBe(1);
    expect(p.stderr).toMatch(/cannot reach the server at http:\/\/127\.0\.0\.1:9/);
  });
});
