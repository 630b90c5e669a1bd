// Opens the database: applies pending migrations, then creates a Prisma client (Rust-free query
// compiler + driver adapter) for the configured provider. Both providers use the same models
// (prisma/models.prisma); their generated clients have the same shape, so the rest of the server
// sees one `PrismaClient` type.
import { type DatabaseConfig, type DatabaseKind, describeDatabase, resolveDatabaseConfig } from './config';
import { applyMigrations, type MigrationReport } from './migrate';
import { createScenarioRepository, type ScenarioRepository } from './scenarios';
import type { PrismaClient as SqliteClient } from '../generated/sqlite/client';

/** The model API, identical for both providers. */
export type PrismaClient = SqliteClient;

export interface Database {
  readonly kind: DatabaseKind;
  /** where it is (the live bridge's sample writer opens its own driver connection) */
  readonly config: DatabaseConfig;
  readonly description: string;
  readonly prisma: PrismaClient;
  readonly migrations: MigrationReport;
  readonly scenarios: ScenarioRepository;
  /** true if a trivial query answers within timeoutMs */
  ping(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

const GENERATE_HINT =
  'the Prisma client is not generated: run `npm install` (postinstall) or `node prisma/generate.mjs`';

async function loadClient(kind: DatabaseKind): Promise<new (opts: { adapter: unknown }) => PrismaClient> {
  try {
    const mod =
      kind === 'sqlite'
        ? await import('../generated/sqlite/client')
        : await import('../generated/postgresql/client');
    return mod.PrismaClient as unknown as new (opts: { adapter: unknown }) => PrismaClient;
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') throw new Error(GENERATE_HINT);
    throw err;
  }
}

export interface OpenOptions {
  /** apply pending migrations first (default true; a second connection of a server that did it passes false) */
  migrate?: boolean;
  /** PostgreSQL: connections in the pool (default TWINBENCH_PG_POOL or 10) */
  poolMax?: number;
}

export async function openDatabase(cfg: DatabaseConfig = resolveDatabaseConfig(), opts: OpenOptions = {}): Promise<Database> {
  const migrations: MigrationReport = opts.migrate === false ? { applied: [], total: 0 } /* not looked at */ : await applyMigrations(cfg);
  const Client = await loadClient(cfg.kind);
  let prisma: PrismaClient;
  if (cfg.kind === 'sqlite') {
    const { PrismaBetterSQLite3 } = await import('@prisma/adapter-better-sqlite3');
    prisma = new Client({ adapter: new PrismaBetterSQLite3({ url: `file:${cfg.file}`, timeout: 10_000 }) });
  } else {
    const { PrismaPg } = await import('@prisma/adapter-pg');
    const adapter = new PrismaPg(
      {
        connectionString: cfg.url,
        // unqualified names (raw SQL) resolve in the configured schema too
        options: `-c search_path="${cfg.schema}"`,
        max: opts.poolMax ?? Number(process.env.TWINBENCH_PG_POOL ?? 10),
        connectionTimeoutMillis: 10_000,
      },
      { schema: cfg.schema },
    );
    prisma = new Client({ adapter });
  }
  await prisma.$connect();

  return {
    kind: cfg.kind,
    config: cfg,
    description: describeDatabase(cfg),
    prisma,
    migrations,
    scenarios: createScenarioRepository(prisma),
    async ping(timeoutMs = 2000) {
      let timer: NodeJS.Timeout | undefined;
      try {
        const timeout = new Promise<false>((resolve) => {
          timer = setTimeout(() => resolve(false), timeoutMs);
        });
        const q = prisma.$queryRawUnsafe('SELECT 1').then(
          () => true,
          () => false,
        );
        return await Promise.race([q, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      await prisma.$disconnect();
    },
  };
}
