#!/usr/bin/env node
// twinbench CLI entry: registers tsx's ESM loader so the TypeScript sources run as they are
// (the same sim/ code as the browser), then hands over to cli/main.ts.
import { register } from 'tsx/esm/api';

register();
const { run } = await import('../cli/main.ts');
process.exitCode = await run(process.argv.slice(2));
