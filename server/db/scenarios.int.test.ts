// Repository layer against the embedded SQLite (temp file) AND PostgreSQL (127.0.0.1:5432/test,
// a unique schema per run, dropped afterwards). PostgreSQL not answering is a failure, not a skip.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseConfig } from './config';
import { openDatabase, type Database } from './client';
import { applyMigrations, loadMigrations } from './migrate';
import { createTestPostgresConfig, createTestSqliteConfig } from './testing';

const id = (c: string) => c.repeat(64);

type Setup = { config: DatabaseConfig; cleanup: () => unknown };
const backends: [string, () => Promise<Setup>][] = [
  ['sqlite', async () => createTestSqliteConfig()],
  ['postgresql', () => createTestPostgresConfig()],
];

describe.each(backends)('scenario repository on %s', (kind, setup) => {
  let s: Setup;
  let db: Database;

  beforeAll(async () => {
    s = await setup();
    db = await openDatabase(s.config);
  });
  afterAll(async () => {
    await db?.close();
    await s?.cleanup();
  });

  it('creates the schema on first open (the SQLite file and its folder too)', () => {
    expect(db.kind).toBe(kind);
    expect(db.migrations.applied).toEqual(loadMigrations(db.kind).map((m) => m.name));
    expect(db.migrations.applied.length).toBeGreaterThan(0);
  });

  it('re-applying migrations is a no-op, and a second client opens the same data', async () => {
    expect(await applyMigrations(s.config)).toEqual({ applied: [], total: db.migrations.total });
    await db.scenarios.put({ id: id('1'), json: '{"n":1}' });
    const other = await openDatabase(s.config);
    try {
      expect(other.migrations.applied).toEqual([]);
      expect((await other.scenarios.get(id('1')))?.json).toBe('{"n":1}');
    } finally {
      await other.close();
    }
  });

  it('refuses a migration that was edited after being applied', async () => {
    const changed = loadMigrations(db.kind).map((m, i) => (i === 0 ? { ...m, checksum: 'x'.repeat(64) } : m));
    await expect(applyMigrations(s.config, changed)).rejects.toThrow(/changed after it was applied/);
  });

  it('stores and reads back a scenario with its metadata', async () => {
    const json = '{"name":"Entlädung ⚡","x":[1,2]}';
    const before = Date.now();
    const r = await db.scenarios.put({ id: id('a'), json, name: 'Entlädung ⚡' });
    expect(r.created).toBe(true);
    const got = await db.scenarios.get(id('a'));
    expect(got).not.toBeNull();
    expect(got!.json).toBe(json);
    expect(got!.name).toBe('Entlädung ⚡');
    expect(got!.sizeBytes).toBe(Buffer.byteLength(json, 'utf8'));
    expect(got!.sizeBytes).toBeGreaterThan(json.length);
    expect(got!.createdAt).toBeInstanceOf(Date);
    expect(Math.abs(got!.createdAt.getTime() - before)).toBeLessThan(60_000);
  });

  it('is idempotent: the second put returns the first row unchanged', async () => {
    const first = await db.scenarios.put({ id: id('b'), json: '{"v":1}', name: 'one' });
    const second = await db.scenarios.put({ id: id('b'), json: '{"v":1}', name: 'one' });
    expect(first.created).toBe(true);
    expect(second.created).toBe(false);
    expect(second.record.createdAt.getTime()).toBe(first.record.createdAt.getTime());
  });

  it('concurrent puts of one id create exactly one row', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, () => db.scenarios.put({ id: id('c'), json: '{"race":true}' })),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const n = await db.prisma.scenario.count({ where: { id: id('c') } });
    expect(n).toBe(1);
  });

  it('returns null for an unknown id and truncates over-long names', async () => {
    expect(await db.scenarios.get(id('f'))).toBeNull();
    const r = await db.scenarios.put({ id: id('d'), json: '{}', name: 'n'.repeat(500) });
    expect(r.record.name).toHaveLength(200);
  });

  it('answers ping', async () => {
    expect(await db.ping()).toBe(true);
  });
});
