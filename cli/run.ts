// twinbench run <file.json|share-id> [--seed N] [--param name=value]... [--out run.csv] [--json] [--server URL]
// Runs a scenario with the same engine as the browser worker and prints its metrics (version 1) or
// its criteria, alarm timeline, signal extremes and runaway onsets (version 2).
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runToEnd, ENGINE_VERSION, type RunResult } from '../sim/engine/run';
import { runToCsv } from '../sim/engine/csv';
import { scenarioHash } from '../sim/scenario/hash';
import { DEFAULT_SERVER, formatIssue, loadScenario } from './scenarioSource';
import { isSystemScenario } from '../sim/scenario/validate';
import { parseParamArgs } from '../sim/scenario/parameters';
import { runSystemToEnd, profileFilesOf } from '../sim/system/run';
import { MAX_PROFILE_BYTES } from '../sim/system/profiles';
import type { SystemRunResult } from '../sim/system/types';
import { dataDir } from './csvTable';

export const USAGE = `usage: twinbench run <file.json|share-id> [--seed N] [--param name=value]... [--out run.csv] [--json] [--server URL]
  <file.json>     a scenario file (docs/scenario-language.md, docs/scenario-language-v2.md; scenarios/)
  <share-id>      64 hex digits: fetched from <server>/api/scenarios/<id>
  --seed N        seed of the random draws (integer 0..4294967295; default: the scenario's, else 1)
  --param k=v     set a parameter of a version-2 scenario (e.g. --param ambient=35degC); repeatable
  --out FILE      write the recorded channels as CSV (same bytes as the browser export)
  --json          print one JSON object (engine_version, scenario_hash, seed, duration_s, steps,
                  metrics, signals, warnings, step_log; version 2 adds criteria, events, runaway,
                  faults, parameters) instead of the text summary
  --server URL    server for share ids (default ${DEFAULT_SERVER}, or TWINBENCH_SERVER)`;

const MAX_STEP_LOG = 1000;

/** What identifies a run (engine, scenario, seed) and where its scenario came from. */
function runIdentity(r: RunResult, extra: { source: string; shareId?: string }) {
  return {
    engine_version: r.engineVersion,
    scenario_hash: r.scenarioHash,
    seed: r.seed,
    name: r.name,
    source: extra.source,
    ...(extra.shareId ? { share_id: extra.shareId } : {}),
  };
}

/** The --json object. Keys are snake_case; numbers as JSON prints them (NaN/Infinity -> null). */
export function runJson(r: RunResult, extra: { source: string; shareId?: string }) {
  const signals: Record<string, { min: number; max: number; final: number }> = {};
  for (const c of r.channels) {
    if (c.name === 'time_s' || c.name === 'step_index') continue;
    let min = Infinity, max = -Infinity;
    for (let i = 0; i < c.data.length; i++) {
      const v = c.data[i];
      if (v < min) min = v;
      if (v > max) max = v;
    }
    signals[c.name] = { min, max, final: c.data[c.data.length - 1] };
  }
  return {
    ...runIdentity(r, extra),
    duration_s: r.durationS,
    steps: r.steps,
    completed: r.completed,
    metrics: r.metrics,
    signals,
    warnings: r.warnings,
    step_log: r.stepLog.slice(0, MAX_STEP_LOG).map((e) => ({
      index: e.index, label: e.label, text: e.text, start_s: e.startS, end_s: e.endS, end: e.end,
    })),
    ...(r.stepLog.length > MAX_STEP_LOG ? { step_log_truncated: r.stepLog.length } : {}),
  };
}

const f = (v: number, d: number) => (Number.isFinite(v) ? v.toFixed(d) : String(v));

export function summaryText(r: RunResult): string {
  const m = r.metrics;
  const lines = [
    `${r.name}`,
    `  scenario ${r.scenarioHash.slice(0, 16)}…  seed ${r.seed}  engine ${r.engineVersion}`,
    `  duration ${f(r.durationS, 1)} s (${f(r.durationS / 3600, 3)} h), ${r.steps} time steps, ${m.experiment_steps}/${m.experiment_steps_planned} experiment steps, ${m.cells} cell(s)`,
    `  discharged ${f(m.discharged_Ah, 4)} Ah / ${f(m.discharged_Wh, 3)} Wh, charged ${f(m.charged_Ah, 4)} Ah / ${f(m.charged_Wh, 3)} Wh`,
    `  voltage ${f(m.min_voltage_V, 4)}..${f(m.max_voltage_V, 4)} V` +
      (m.cells > 1 ? ` (cells ${f(m.min_cell_voltage_V, 4)}..${f(m.max_cell_voltage_V, 4)} V)` : '') +
      `, max temperature ${f(m.max_temp_C, 2)} degC`,
    `  final: SOC ${f(m.final_soc * 100, 2)} %, ${f(m.final_voltage_V, 4)} V, ${f(m.final_temp_C, 2)} degC`,
  ];
  for (const w of r.warnings) lines.push(`  warning: ${w}`);
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        seed: { type: 'string' },
        out: { type: 'string' },
        json: { type: 'boolean' },
        server: { type: 'string' },
        param: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    process.stderr.write(`twinbench run: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (positionals.length !== 1) {
    process.stderr.write(`twinbench run: expected one scenario file or share id, got ${positionals.length}\n${USAGE}\n`);
    return 2;
  }
  let seed: number | undefined;
  if (values.seed !== undefined) {
    const s = values.seed.trim();
    seed = /^\d+$/.test(s) ? Number(s) : NaN;
    if (!Number.isSafeInteger(seed) || seed < 0 || seed > 4294967295) {
      process.stderr.write(`twinbench run: --seed must be an integer 0..4294967295, got '${values.seed}'\n`);
      return 2;
    }
  }
  const pa = parseParamArgs(values.param ?? []);
  if (!pa.ok) {
    process.stderr.write(`twinbench run: ${pa.message}\n`);
    return 2;
  }
  const server = values.server ?? process.env.TWINBENCH_SERVER ?? DEFAULT_SERVER;
  const loaded = await loadScenario(positionals[0], server, { params: pa.values });
  if (!loaded.ok) {
    if (loaded.message) process.stderr.write(`twinbench run: ${loaded.message}\n`);
    for (const i of loaded.issues ?? []) process.stderr.write(`${formatIssue(i)}\n`);
    if (loaded.issues?.length) process.stderr.write(`${loaded.source}: ${loaded.issues.length} error(s); nothing was run\n`);
    return 1;
  }
  if (loaded.shareId && scenarioHash(loaded.scenario) !== loaded.shareId) {
    process.stderr.write(`twinbench run: note: the scenario's hash differs from the share id ${loaded.shareId} (engine ${ENGINE_VERSION})\n`);
  }
  if (isSystemScenario(loaded.scenario)) {
    const profiles = new Map<string, string>();
    for (const key of profileFilesOf(loaded.scenario, pa.values)) {
      const text = readDataFile(key);
      if (typeof text !== 'string') {
        process.stderr.write(`twinbench run: ${text.error}\n`);
        return 1;
      }
      profiles.set(key, text);
    }
    let sr: SystemRunResult;
    try {
      sr = runSystemToEnd(loaded.scenario, { seed, params: pa.values, profiles });
    } catch (e) {
      process.stderr.write(`twinbench run: ${(e as Error).message}\n`);
      return 1;
    }
    if (values.out) {
      writeFileSync(values.out, runToCsv(sr));
      process.stderr.write(`wrote ${values.out} (${sr.channels[0].data.length} rows, ${sr.channels.length} columns)\n`);
    }
    if (values.json) process.stdout.write(JSON.stringify(systemRunJson(sr, { source: loaded.source, shareId: loaded.shareId })) + '\n');
    else process.stdout.write(systemSummaryText(sr) + '\n');
    return 0;
  }
  const result = runToEnd(loaded.scenario, seed === undefined ? {} : { seed });
  if (values.out) {
    writeFileSync(values.out, runToCsv(result));
    const msg = `wrote ${values.out} (${result.channels[0].data.length} rows, ${result.channels.length} columns)\n`;
    if (values.json) process.stderr.write(msg);
    else process.stdout.write(msg);
  }
  if (values.json) process.stdout.write(JSON.stringify(runJson(result, { source: loaded.source, shareId: loaded.shareId })) + '\n');
  else process.stdout.write(summaryText(result) + '\n');
  return 0;
}

/** Read a profile file under the data folder (../shared/data or TWINBENCH_DATA_DIR), size-limited. */
function readDataFile(key: string): string | { error: string } {
  const root = dataDir();
  const full = path.resolve(root, key);
  if (!full.startsWith(root + path.sep)) return { error: `profile path '${key}' leaves the data folder` };
  if (!existsSync(full)) return { error: `profile data:${key} not found under ${root} (set TWINBENCH_DATA_DIR)` };
  const text = readFileSync(full, 'utf8');
  if (text.length > MAX_PROFILE_BYTES) return { error: `profile data:${key} is larger than ${MAX_PROFILE_BYTES} bytes` };
  return text;
}

/** The --json object of a version-2 run: criteria, events, signals, runaway are contracts. */
export function systemRunJson(r: SystemRunResult, extra: { source: string; shareId?: string }) {
  const signals: Record<string, { min: number | null; max: number | null; final: number | null; unit: string }> = {};
  const num = (v: number) => (Number.isFinite(v) ? v : null);
  for (const [k, v] of Object.entries(r.signalStats)) signals[k] = { min: num(v.min), max: num(v.max), final: num(v.final), unit: v.unit };
  return {
    ...runIdentity(r, extra),
    parameters: r.parameters,
    duration_s: r.durationS,
    steps: r.steps,
    completed: r.completed,
    ...(r.stoppedBy ? { stopped_by: r.stoppedBy } : {}),
    criteria: r.criteria.map((c) => ({ id: c.id, result: c.result, t_s: c.t_s, text: c.text, detail: c.detail })),
    events: r.events.map((e) => ({ t_s: e.t_s, severity: e.severity, code: e.code, target: e.target, ...(e.value !== undefined ? { value: e.value } : {}), ...(e.message ? { message: e.message } : {}), ...(e.fault ? { fault: e.fault } : {}) })),
    runaway: r.runaway,
    faults: r.faults,
    signals,
    metrics: r.metrics,
    warnings: r.warnings,
  };
}

export function systemSummaryText(r: SystemRunResult): string {
  const lines = [
    `${r.name}`,
    `  scenario ${r.scenarioHash.slice(0, 16)}…  seed ${r.seed}  engine ${r.engineVersion}`,
    `  simulated ${f(r.durationS, 1)} s (${f(r.durationS / 3600, 3)} h) in ${r.steps} steps, ${r.metrics.cells} cell(s)${r.stoppedBy ? `; stopped: ${r.stoppedBy}` : ''}`,
  ];
  const pv = Object.entries(r.parameters);
  if (pv.length) lines.push(`  parameters: ${pv.map(([k, v]) => `${k}=${v}`).join(', ')}`);
  for (const c of r.criteria) lines.push(`  [${c.result.toUpperCase()}] ${c.id}: ${c.text}${c.t_s !== null ? ` (t = ${f(c.t_s, 1)} s)` : ''} - ${c.detail}`);
  const shown = r.events.filter((e) => e.severity !== 'info').slice(0, 20);
  for (const e of shown) lines.push(`  ${f(e.t_s, 1).padStart(10)} s  ${e.severity.padEnd(7)} ${e.code.padEnd(14)} ${e.target}${e.message ? `  ${e.message}` : ''}`);
  if (r.events.length > shown.length) lines.push(`  ... ${r.events.length} events in all`);
  lines.push(`  cells in thermal runaway: ${r.runaway.length}${r.runaway.length ? ` (first ${r.runaway[0].target} at ${f(r.runaway[0].t_s, 1)} s)` : ''}`);
  for (const w of r.warnings) lines.push(`  warning: ${w}`);
  return lines.join('\n');
}
