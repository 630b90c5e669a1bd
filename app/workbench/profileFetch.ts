// Fetches the profile CSV files a version-2 scenario needs ("data:<folder>/<file>.csv", keys from
// the runner's profileFiles) from GET /api/data/<key>, one after the other, reporting progress.
// Errors name the file and the HTTP status; the texts go to the worker as they are (it parses).

export interface FetchProgress {
  /** files done so far */
  done: number;
  total: number;
  /** the file being fetched */
  key: string;
  bytes: number;
}

/** The URL of a data key (each segment percent-encoded; the server validates again). */
export function dataUrl(key: string): string {
  return `/api/data/${key.split('/').map(encodeURIComponent).join('/')}`;
}

export async function fetchProfiles(
  keys: readonly string[],
  opts: { fetch?: typeof fetch; onProgress?: (p: FetchProgress) => void; signal?: AbortSignal } = {},
): Promise<Record<string, string>> {
  const f = opts.fetch ?? fetch;
  const out: Record<string, string> = {};
  let bytes = 0;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    opts.onProgress?.({ done: i, total: keys.length, key, bytes });
    let res: Response;
    try {
      res = await f(dataUrl(key), { signal: opts.signal });
    } catch (e) {
      if (opts.signal?.aborted) throw e;
      throw new Error(`profile data:${key} could not be fetched (${e instanceof Error ? e.message : String(e)})`);
    }
    if (!res.ok) {
      const body = (await res.json().catch(() => null)) as { error?: string } | null;
      throw new Error(`profile data:${key}: the server answered ${res.status}${body?.error ? ` (${body.error})` : ''}`);
    }
    const text = await res.text();
    bytes += text.length;
    out[key] = text;
  }
  opts.onProgress?.({ done: keys.length, total: keys.length, key: '', bytes });
  return out;
}
