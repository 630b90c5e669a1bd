// Prisma CLI configuration (Prisma 6.19, Rust-free: JS schema engine + driver adapters; see
// ../shared/design/PLATFORM.md). The schema is composed per provider from prisma/models.prisma
// by prisma/generate.mjs (postinstall). The CLI targets the same database the server uses:
// DATABASE_URL=postgresql://... -> PostgreSQL (pg adapter), otherwise the embedded SQLite file
// data/twinbench.db (override with TWINBENCH_SQLITE_PATH).
//
// The server does not need the CLI at run time: it applies prisma/migrations/<provider>/*.sql
// itself (server/db/migrate.ts). Use the CLI for `npx prisma studio`, `npx prisma migrate diff`.
import path from 'node:path';
import { defineConfig } from 'prisma/config';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';

const url = process.env.DATABASE_URL ?? '';
const isPg = /^postgres(ql)?:\/\//.test(url);
const provider = isPg ? 'postgresql' : 'sqlite';

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join('server', 'generated', 'schema', `${provider}.prisma`),
  async adapter() {
    if (isPg) return new PrismaPg({ connectionString: url });
    const file = process.env.TWINBENCH_SQLITE_PATH ?? path.join('data', 'twinbench.db');
    return new PrismaBetterSQLite3({ url: `file:${path.resolve(file)}` });
  },
});
