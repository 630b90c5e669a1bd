// Twinbench server entry: `tsx server/main.ts [--dev] [--no-next]`
// (npm start -> scripts/start.mjs builds Next when needed, then runs this in production mode;
//  npm run dev -> scripts/dev.mjs runs this with --dev).
//
// Environment:
//   PORT (3000), HOST (0.0.0.0)
//   DATABASE_URL   postgresql://... -> PostgreSQL; unset -> SQLite file data/twinbench.db
//   TWINBENCH_SQLITE_PATH  other SQLite file; TWINBENCH_NO_NEXT=1 same as --no-next
import { performance } from 'node:perf_hooks';
import { createServer, prepareNext, type TwinbenchServer } from './app';
import { openDatabase, type Database } from './db/client';
import { describeDatabase, resolveDatabaseConfig } from './db/config';

const t0 = performance.now();
const argv = process.argv.slice(2);
const dev = argv.includes('--dev');
const withNext = !argv.includes('--no-next') && process.env.TWINBENCH_NO_NEXT !== '1';
process.env.NEXT_TELEMETRY_DISABLED ??= '1';
// Next expects NODE_ENV to match the mode it runs in.
(process.env as Record<string, string>).NODE_ENV ??= dev ? 'development' : 'production';

function parsePort(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 3000;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    console.error(`PORT must be an integer 0..65535, got '${raw}'`);
    process.exit(2);
  }
  return n;
}

async function main(): Promise<void> {
  const port = parsePort(process.env.PORT);
  const host = process.env.HOST || '0.0.0.0';
  const dbConfig = resolveDatabaseConfig();
  const hostname = host === '0.0.0.0' ? 'localhost' : host;
  // Next.js prepares while the database opens.
  const nextReady = withNext ? prepareNext({ dev }, hostname, port) : null;
  nextReady?.catch(() => {}); // reported below

  let db: Database;
  try {
    db = await openDatabase(dbConfig);
  } catch (err) {
    console.error(`[server] cannot open the database (${describeDatabase(dbConfig)}): ${(err as Error).message}`);
    process.exit(1);
  }
  if (db.migrations.applied.length) {
    console.log(`[server] database schema updated: ${db.migrations.applied.join(', ')}`);
  }

  let server: TwinbenchServer;
  try {
    server = await createServer({ next: nextReady ? await nextReady : false, db, hostname, port });
  } catch (err) {
    console.error('[server] failed to start:', err);
    await db.close();
    process.exit(1);
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      console.error(`[server] ${signal} again: exiting now`);
      process.exit(1);
    }
    stopping = true;
    console.log(`[server] ${signal}: shutting down`);
    const hard = setTimeout(() => {
      console.error('[server] shutdown took too long: exiting');
      process.exit(1);
    }, 15_000);
    hard.unref();
    try {
      await server.close(5000);
      await db.close();
    } catch (err) {
      console.error('[server] error during shutdown:', err);
      process.exit(1);
    }
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  try {
    const { url } = await server.listen(port, host);
    const ms = Math.round(performance.now() - t0);
    console.log(
      `[server] Twinbench ${dev ? 'dev' : 'production'} server ready on ${url} ` +
        `(${withNext ? 'Next.js + ' : ''}REST + Socket.IO; database ${db.description}; ${ms} ms)`,
    );
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    console.error(
      e.code === 'EADDRINUSE'
        ? `[server] port ${port} on ${host} is already in use: stop the other process or set PORT`
        : `[server] cannot listen on ${host}:${port}: ${e.message}`,
    );
    await server.close(0);
    await db.close();
    process.exit(1);
  }
}

process.on('unhandledRejection', (err) => {
  console.error('[server] unhandled rejection:', err);
});

void main();
