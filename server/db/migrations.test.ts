// The SQL migrations must describe prisma/models.prisma: after changing a model, run
// `node prisma/migration.mjs <name>` (writes both providers' SQL and the snapshot).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './config';
import { loadMigrations } from './migrate';

describe('migrations', () => {
  it('are up to date with prisma/models.prisma', () => {
    const models = readFileSync(path.join(repoRoot, 'prisma', 'models.prisma'), 'utf8');
    const snapshot = readFileSync(path.join(repoRoot, 'prisma', 'migrations', 'models.snapshot.prisma'), 'utf8');
    expect(snapshot, 'models changed without a migration: run node prisma/migration.mjs <name>').toBe(models);
  });

  it('exist with the same names for both providers', () => {
    const names = (k: 'sqlite' | 'postgresql') => loadMigrations(k).map((m) => m.name);
    expect(names('sqlite').length).toBeGreaterThan(0);
    expect(names('postgresql')).toEqual(names('sqlite'));
  });
});
