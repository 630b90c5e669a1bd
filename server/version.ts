// Versions reported by /health and the /live hello.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ENGINE_VERSION } from '../sim/engine/run';
import { repoRoot } from './db/config';

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export const SERVER_VERSION = packageVersion();
export { ENGINE_VERSION };
