// Spawns the real CLI (bin/twinbench.mjs -> tsx -> cli/main.ts).
import { describe, it, expect } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runToEnd } from '../sim/engine/run';
import { runToCsv } from '../sim/engine/csv';
import { parseScenarioText } from '../sim/scenario/validate';
import { scenarioHash } from '../sim/scenario/hash';

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
    const u = cli('runn');
    expect(u.stderr).toMatch(/did you mean 'run'/);
    expect(u.status).toBe(2);
    expect(cli('run', 'scenarios/cell-1h-cycle.json', '--seed', '-1').status).toBe(2);
  });

  it('a share id that the server does not have is a clear error', () => {
    const p = cli('run', 'a'.repeat(64), '--server', 'http://127.0.0.1:9');
    expect(p.status).toBe(1);
    expect(p.stderr).toMatch(/cannot reach the server at http:\/\/127\.0\.0\.1:9/);
  });

  it('run <share id> fetches the scenario from the server API and runs it', async () => {
    const v = parseScenarioText(readFileSync(join(root, 'scenarios/cell-1h-cycle.json'), 'utf8'));
    if (!v.ok) throw new Error('invalid');
    const id = scenarioHash(v.scenario);
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(req.url ?? '');
      if (req.url === `/api/scenarios/${id}`) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id, scenario: v.scenario, createdAt: '2026-01-01T00:00:00Z' }));
      } else {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'not found' }));
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const runAsync = (...args: string[]) =>
      new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
        const c = spawn(process.execPath, [bin, ...args], { cwd: root });
        let stdout = '', stderr = '';
        c.stdout.on('data', (d) => (stdout += d));
        c.stderr.on('data', (d) => (stderr += d));
        c.on('close', (status) => resolve({ status, stdout, stderr }));
      });
    try {
      const ok = await runAsync('run', id, '--json', '--server', url);
      expect(ok.status).toBe(0);
      const j = JSON.parse(ok.stdout);
      expect(j.scenario_hash).toBe(id);
      expect(j.share_id).toBe(id);
      expect(j.metrics).toEqual(runToEnd(v.scenario).metrics);
      const missing = await runAsync('run', 'b'.repeat(64), '--server', url);
      expect(missing.status).toBe(1);
      expect(missing.stderr).toMatch(/not found/);
      expect(seen).toContain(`/api/scenarios/${id}`);
    } finally {
      server.close();
    }
  });
});
