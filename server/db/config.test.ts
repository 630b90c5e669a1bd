import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeDatabase, repoRoot, resolveDatabaseConfig } from './config';

describe('resolveDatabaseConfig', () => {
  it('defaults to the SQLite file data/twinbench.db', () => {
    expect(resolveDatabaseConfig({})).toEqual({ kind: 'sqlite', file: path.join(repoRoot, 'data', 'twinbench.db') });
  });
  it('takes TWINBENCH_SQLITE_PATH and file: URLs', () => {
    expect(resolveDatabaseConfig({ TWINBENCH_SQLITE_PATH: '/tmp/a.db' })).toEqual({ kind: 'sqlite', file: '/tmp/a.db' });
    expect(resolveDatabaseConfig({ DATABASE_URL: 'file:/tmp/b.db' })).toEqual({ kind: 'sqlite', file: '/tmp/b.db' });
  });
  it('switches to PostgreSQL, taking the schema out of the URL', () => {
    const c = resolveDatabaseConfig({ DATABASE_URL: 'postgresql://u:secret@db:5432/tb?schema=s1&sslmode=disable' });
    expect(c).toEqual({ kind: 'postgresql', url: 'postgresql://u:secret@db:5432/tb?sslmode=disable', schema: 's1' });
    expect(describeDatabase(c)).not.toContain('secret');
    expect(resolveDatabaseConfig({ DATABASE_URL: 'postgres://db/tb' })).toMatchObject({ kind: 'postgresql', schema: 'public' });
  });
  it('refuses unknown URLs and unsafe schema names with a clear message', () => {
    expect(() => resolveDatabaseConfig({ DATABASE_URL: 'mysql://x/y' })).toThrow(/postgresql:\/\/ .* or file:/);
    expect(() => resolveDatabaseConfig({ DATABASE_URL: 'postgresql://db/tb?schema=a";drop' })).toThrow(/invalid schema name/);
  });
});
