#!/usr/bin/env node
// Copies browser assets that must be served as static files (no CDN) into public/.
// - Monaco's AMD build (node_modules/monaco-editor/min/vs) -> public/monaco/vs
//   The workbench loads /monaco/vs/loader.js and requires 'vs/editor/editor.main'; Monaco's
//   own workers start from blob: URLs that importScripts() files under /monaco/vs/assets.
// Idempotent: skips the copy when public/monaco/VERSION already names the installed version.
// Run on postinstall / predev / prebuild (and by the e2e web server through `npm start`).
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function copyMonaco() {
  const pkgDir = path.join(root, 'node_modules', 'monaco-editor');
  const pkgJson = path.join(pkgDir, 'package.json');
  if (!existsSync(pkgJson)) {
    console.warn('[copy-assets] monaco-editor is not installed; skipping');
    return;
  }
  const { version } = JSON.parse(readFileSync(pkgJson, 'utf8'));
  const outRoot = path.join(root, 'public', 'monaco');
  const stamp = path.join(outRoot, 'VERSION');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === version && existsSync(path.join(outRoot, 'vs', 'loader.js'))) {
    return;
  }
  rmSync(outRoot, { recursive: true, force: true });
  mkdirSync(outRoot, { recursive: true });
  cpSync(path.join(pkgDir, 'min', 'vs'), path.join(outRoot, 'vs'), { recursive: true });
  writeFileSync(stamp, version + '\n');
  console.log(`[copy-assets] monaco-editor ${version} -> public/monaco/vs`);
}

copyMonaco();
