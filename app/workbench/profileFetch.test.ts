import { describe, expect, it } from 'vitest';
import { dataUrl, fetchProfiles, type FetchProgress } from './profileFetch';

function fakeFetch(files: Record<string, string>) {
  const asked: string[] = [];
  const f = (async (url: string) => {
    asked.push(url);
    const key = decodeURIComponent(url.slice('/api/data/'.length));
    if (key in files) return new Response(files[key], { status: 200 });
    return new Response(JSON.stringify({ error: 'not found' }), { status: 404 });
  }) as unknown as typeof fetch;
  return { f, asked };
}

describe('fetchProfiles', () => {
  it('encodes each path segment', () => {
    expect(dataUrl('citylearn/Building 1.csv')).toBe('/api/data/citylearn/Building%201.csv');
  });

  it('fetches every key in order and reports progress', async () => {
    const { f, asked } = fakeFetch({ 'a/x.csv': 't\n1\n', 'b/y y.csv': 'v\n2\n' });
    const seen: FetchProgress[] = [];
    const out = await fetchProfiles(['a/x.csv', 'b/y y.csv'], { fetch: f, onProgress: (p) => seen.push(p) });
    expect(out).toEqual({ 'a/x.csv': 't\n1\n', 'b/y y.csv': 'v\n2\n' });
    expect(asked).toEqual(['/api/data/a/x.csv', '/api/data/b/y%20y.csv']);
    expect(seen.map((p) => [p.done, p.total, p.key])).toEqual([
      [0, 2, 'a/x.csv'],
      [1, 2, 'b/y y.csv'],
      [2, 2, ''],
    ]);
    expect(seen[2].bytes).toBe(8);
  });

  it('names the file and the status when the server refuses', async () => {
    const { f } = fakeFetch({});
    await expect(fetchProfiles(['gone/z.csv'], { fetch: f })).rejects.toThrow('profile data:gone/z.csv: the server answered 404 (not found)');
  });
});
