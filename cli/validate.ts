// twinbench validate <file...> [--json]
// Prints every problem of each scenario as "path: message (line L, column C)" and exits 1 if any
// file is invalid, 0 if all are valid.
import { parseArgs } from 'node:util';
import { countExpandedSteps } from '../sim/scenario/validate';
import { scenarioHash } from '../sim/scenario/hash';
import { formatIssue, loadScenarioFile } from './scenarioSource';

export const USAGE = `usage: twinbench validate <file.json> [more files] [--json]
  Checks scenario files against the scenario language (schema, step grammar, limits).
  Prints each error as "path: message (line, column)"; exit status 1 if any file is invalid.
  --json   one JSON object per file: { file, ok, issues: [{ path, message, line, column }], scenario_hash }`;

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  } catch (e) {
    process.stderr.write(`twinbench validate: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (positionals.length === 0) {
    process.stderr.write(`twinbench validate: expected a scenario file\n${USAGE}\n`);
    return 2;
  }
  let bad = 0;
  for (const file of positionals) {
    const r = loadScenarioFile(file);
    if (values.json) {
      const issues = r.ok ? [] : r.issues ?? [{ path: [], message: r.message ?? 'invalid' }];
      process.stdout.write(JSON.stringify({ file, ok: r.ok, issues, ...(r.ok ? { scenario_hash: scenarioHash(r.scenario) } : {}) }) + '\n');
      if (!r.ok) bad++;
      continue;
    }
    if (r.ok) {
      const what = 'experiment' in r.scenario ? `${countExpandedSteps(r.scenario.experiment)} experiment step(s)` : 'version 2';
      process.stdout.write(`${file}: valid (${what}, hash ${scenarioHash(r.scenario).slice(0, 16)}…)\n`);
      continue;
    }
    bad++;
    if (r.message) process.stdout.write(`(root): ${r.message}\n`);
    for (const i of r.issues ?? []) process.stdout.write(`${formatIssue(i)}\n`);
    const n = r.issues?.length ?? 1;
    process.stderr.write(`${file}: ${n} error${n === 1 ? '' : 's'}\n`);
  }
  return bad ? 1 : 0;
}
