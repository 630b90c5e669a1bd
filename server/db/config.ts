// Which database the server uses, from the environment.
//   DATABASE_URL=postgresql://user@host:5432/db[?schema=name]  -> PostgreSQL (pg driver adapter)
//   otherwise                                                  -> embedded SQLite file
//     TWINBENCH_SQLITE_PATH (default <repo>/data/twinbench.db); DATABASE_URL=file:<path> also works.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export type DatabaseKind = 'sqlite' | 'postgresql';

export type DatabaseConfig =
  | { kind: 'sqlite'; file: string }
  | {
      kind: 'postgresql';
      /** connection string for `pg`, with the `schema` parameter removed */
      url: string;
      /** PostgreSQL schema holding the tables (from `?schema=`, default public) */
      schema: string;
    };

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export function resolveDatabaseConfig(env: Record<string, string | undefined> = process.env): DatabaseConfig {
  const url = env.DATABASE_URL?.trim();
  if (url && /^postgres(ql)?:\/\//i.test(url)) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new Error('DATABASE_URL is not a valid URL (expected postgresql://user@host:5432/db)');
    }
    const schema = parsed.searchParams.get('schema') ?? 'public';
    if (!SCHEMA_NAME.test(schema)) {
      throw new Error(`DATABASE_URL: invalid schema name '${schema}' (letters, digits, _; max 63)`);
    }
    parsed.searchParams.delete('schema');
    return { kind: 'postgresql', url: parsed.toString(), schema };
  }
  if (url && url.startsWith('file:')) {
    return { kind: 'sqlite', file: path.resolve(repoRoot, url.slice('file:'.length)) };
  }
  if (url) {
    throw new Error(
      'DATABASE_URL must start with postgresql:// (PostgreSQL) or file: (SQLite); ' +
        'leave it unset for the embedded SQLite database under data/',
    );
  }
  const file = env.TWINBENCH_SQLITE_PATH?.trim() || path.join(repoRoot, 'data', 'twinbench.db');
  return { kind: 'sqlite', file: path.resolve(repoRoot, file) };
}

/** The config with credentials removed, for logs. */
export function describeDatabase(cfg: DatabaseConfig): string {
  if (cfg.kind === 'sqlite') return `sqlite ${cfg.file}`;
  const u = new URL(cfg.url);
  u.password = '';
  return `postgresql ${u.host}${u.pathname} schema ${cfg.schema}`;
}
