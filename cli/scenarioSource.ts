// Loading a scenario for the CLI: from a file (size-limited, parsed with line/column issues) or,
// for a 64-hex share id, from the server's GET /api/scenarios/<id>.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { parseScenarioText, validateScenario, MAX_SCENARIO_BYTES, formatIssuePath, type ScenarioIssue } from '../sim/scenario/validate';
import type { AnyScenario as Scenario, ValidateOptions } from '../sim/scenario/validate';

export const DEFAULT_SERVER = 'http://localhost:3000';

export type Loaded =
  | { ok: true; scenario: Scenario; source: string; shareId?: string }
  | { ok: false; source: string; issues?: ScenarioIssue[]; message?: string };

export function isShareId(s: string): boolean {
  return /^[0-9a-f]{64}$/.test(s);
}

/** "experiment[2]: step 3: unknown unit 'mn', expected s, min, h (line 9, column 5)" */
export function formatIssue(i: ScenarioIssue): string {
  const where = i.line !== undefined ? ` (line ${i.line}, column ${i.column})` : '';
  return `${formatIssuePath(i.path)}: ${i.message}${where}`;
}

export function loadScenarioFile(file: string, opts: ValidateOptions = {}): Loaded {
  if (!existsSync(file)) return { ok: false, source: file, message: `${file}: no such file` };
  const st = statSync(file);
  if (st.isDirectory()) return { ok: false, source: file, message: `${file}: is a directory` };
  if (st.size > MAX_SCENARIO_BYTES)
    return { ok: false, source: file, issues: [{ path: [], message: `scenario is too large (${st.size} bytes); the limit is 1 MB (${MAX_SCENARIO_BYTES} bytes)` }] };
  const text = readFileSync(file, 'utf8');
  const r = parseScenarioText(text, opts);
  if (!r.ok) return { ok: false, source: file, issues: r.issues };
  return { ok: true, scenario: r.scenario, source: file };
}

export async function loadScenarioFromServer(id: string, server: string, opts: ValidateOptions = {}): Promise<Loaded> {
  const base = server.replace(/\/+$/, '');
  const url = `${base}/api/scenarios/${id}`;
  let res: Response;
  try {
    res = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(15_000) });
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message;
    return { ok: false, source: url, message: `cannot reach the server at ${base} (${cause}); start it with 'npm start' or pass --server URL` };
  }
  if (res.status === 404) return { ok: false, source: url, message: `scenario ${id} not found on ${base}` };
  if (!res.ok) return { ok: false, source: url, message: `${url}: server answered ${res.status} ${res.statusText}` };
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    return { ok: false, source: url, message: `${url}: the answer is not JSON` };
  }
  const scenario = (body as { scenario?: unknown })?.scenario;
  if (scenario === undefined) return { ok: false, source: url, message: `${url}: the answer has no "scenario" field` };
  const v = validateScenario(scenario, opts);
  if (!v.ok) return { ok: false, source: url, issues: v.issues };
  return { ok: true, scenario: v.scenario, source: url, shareId: id };
}

export async function loadScenario(arg: string, server: string, opts: ValidateOptions = {}): Promise<Loaded> {
  if (isShareId(arg) && !existsSync(arg)) return loadScenarioFromServer(arg, server, opts);
  return loadScenarioFile(arg, opts);
}
