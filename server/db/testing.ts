// Helpers for integration tests: a PostgreSQL URL that answers (or a clear error), unique
// schemas / temp SQLite files so parallel runs never collide.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DatabaseConfig } from './config';

const CANDIDATES = ['postgresql://postgres@127.0.0.1:5432/test', 'postgresql://root@127.0.0.1:5432/test'];

/** First URL of TWINBENCH_TEST_PG_URL / postgres@ / root@ 127.0.0.1:5432/test that answers. */
export async function findTestPostgres(): Promise<string> {
  const { default: pg } = await import('pg');
  const urls = process.env.TWINBENCH_TEST_PG_URL ? [process.env.TWINBENCH_TEST_PG_URL] : CANDIDATES;
  const errors: string[] = [];
  for (const url of urls) {
    const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
    try {
      await c.connect();
      await c.query('SELECT 1');
      return url;
    } catch (err) {
      errors.push(`${url}: ${(err as Error).message}`);
    } finally {
      await c.end().catch(() => {});
    }
  }
  throw new Error(
    `PostgreSQL does not answer; these integration tests need it (trust auth, database 'test' on ` +
      `127.0.0.1:5432; start it, e.g. pg_ctlcluster <version> main start, or set TWINBENCH_TEST_PG_URL).\n` +
      errors.join('\n'),
  );
}

export async function createTestPostgresConfig(): Promise<{
  config: Extract<DatabaseConfig, { kind: 'postgresql' }>;
  cleanup: () => Promise<void>;
}> {
  const url = await findTestPostgres();
  const schema = `tb_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  return {
    config: { kind: 'postgresql', url, schema },
    async cleanup() {
      const { default: pg } = await import('pg');
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await c.end();
      }
    },
  };
}

export function createTestSqliteConfig(): {
  config: Extract<DatabaseConfig, { kind: 'sqlite' }>;
  cleanup: () => void;
} {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'twinbench-test-'));
  return {
    config: { kind: 'sqlite', file: path.join(dir, 'nested', 'twinbench.db') },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A fresh test database of either kind: a temporary SQLite file or a PostgreSQL schema. */
export async function createTestConfig(kind: DatabaseConfig['kind']): Promise<{ config: DatabaseConfig; cleanup: () => unknown }> {
  return kind === 'postgresql' ? createTestPostgresConfig() : createTestSqliteConfig();
}
