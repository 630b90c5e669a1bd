// GET /api/data/<folder>/<file>.csv: the measured CSV files under the data folder (../shared/data
// beside the repo, or TWINBENCH_DATA_DIR), for version-2 scenarios' profile files
// ("data:<folder>/<file>.csv") that the browser runs. Strict: percent-decoded segments of
// [A-Za-z0-9_.- ] only (the scenario language's profile path), no '.' / '..' / empty segment,
// only .csv, the real path (symlinks resolved) must stay inside the data folder, a regular file of
// at most MAX_DATA_FILE_BYTES; anything else is a 404 (400 for a malformed path).
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { repoRoot } from '../db/config';
import { HttpError } from './respond';

export const DATA_ROUTE = '/api/data/';
/** The largest file served (the engine's own profile limit, sim/system/profiles MAX_PROFILE_BYTES). */
export const MAX_DATA_FILE_BYTES = 64 * 1024 * 1024;
const SEGMENT = /^[A-Za-z0-9_.\- ]+$/;
const MAX_PATH_CHARS = 400;

/** The data folder, read per request so tests and deployments can point it elsewhere. */
export function dataRoot(env: NodeJS.ProcessEnv = process.env): string {
  const d = env.TWINBENCH_DATA_DIR?.trim();
  return d ? path.resolve(d) : path.resolve(repoRoot, '..', 'shared', 'data');
}

/** Validates the part of the URL path after /api/data/ and returns its segments (decoded). */
export function parseDataKey(rest: string): string[] {
  if (rest.length === 0 || rest.length > MAX_PATH_CHARS) throw new HttpError(404, 'not found');
  const segments = rest.split('/').map((raw) => {
    let s: string;
    try {
      s = decodeURIComponent(raw);
    } catch {
      throw new HttpError(400, 'malformed percent-encoding in the data path');
    }
    if (s === '' || s === '.' || s === '..' || !SEGMENT.test(s)) throw new HttpError(404, 'not found');
    return s;
  });
  if (!segments[segments.length - 1].toLowerCase().endsWith('.csv')) throw new HttpError(404, 'not found (only .csv files are served)');
  return segments;
}

export async function getDataFile(res: ServerResponse, rest: string, head: boolean, root = dataRoot()): Promise<void> {
  const segments = parseDataKey(rest);
  let realRoot: string;
  let full: string;
  try {
    realRoot = await realpath(root);
    full = await realpath(path.join(realRoot, ...segments));
  } catch {
    throw new HttpError(404, 'not found');
  }
  if (!full.startsWith(realRoot + path.sep)) throw new HttpError(404, 'not found');
  const st = await stat(full).catch(() => null);
  if (!st || !st.isFile()) throw new HttpError(404, 'not found');
  if (st.size > MAX_DATA_FILE_BYTES) throw new HttpError(404, `not served: larger than ${MAX_DATA_FILE_BYTES} bytes`);
  res.writeHead(200, {
    'Content-Type': 'text/csv; charset=utf-8',
    'Content-Length': String(st.size),
    'Cache-Control': 'public, max-age=300',
    'Last-Modified': st.mtime.toUTCString(),
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
    'Cross-Origin-Resource-Policy': 'same-origin',
  });
  if (head) {
    res.end();
    return;
  }
  await new Promise<void>((resolve) => {
    const s = createReadStream(full);
    s.on('error', () => {
      res.destroy();
      resolve();
    });
    s.on('end', resolve);
    s.pipe(res);
  });
}
