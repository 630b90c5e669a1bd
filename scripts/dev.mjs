#!/usr/bin/env node
// npm run dev: the Twinbench server in development mode (Next.js dev server with HMR, REST,
// Socket.IO; one port). Server code (server/, sim/ used by the API) is not hot-reloaded:
// restart for those changes; pages and components reload through Next.
import { copyAssets, ensurePrismaClient, hasNextApp, runServer } from './serverBoot.mjs';

process.env.NEXT_TELEMETRY_DISABLED = '1';
process.env.NODE_ENV = 'development';

const args = ['--dev', ...process.argv.slice(2)];
ensurePrismaClient();
if (hasNextApp()) copyAssets();
else {
  console.warn('[dev] no app/ directory: serving the REST API and Socket.IO only');
  args.push('--no-next');
}
await runServer(args);
