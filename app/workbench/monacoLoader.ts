// Loads Monaco from our own origin (public/monaco/vs, copied from node_modules by
// scripts/copy-assets.mjs) with its AMD loader. No CDN, and Monaco stays out of the Next bundles
// (its CSS and workers are handled by its own build). Monaco starts its language workers from
// blob: URLs that importScripts() files under /monaco/vs/assets.
import type * as MonacoNs from 'monaco-editor';

export type Monaco = typeof MonacoNs;

interface AmdRequire {
  (deps: string[], ok: (...mods: unknown[]) => void, err?: (e: unknown) => void): void;
  config(c: Record<string, unknown>): void;
}

declare global {
  interface Window {
    monaco?: Monaco;
  }
}

export const MONACO_BASE = '/monaco/vs';
let loading: Promise<Monaco> | null = null;

function injectScript(src: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = src;
    s.async = true;
    s.onload = () => resolve();
    s.onerror = () => reject(new Error(`could not load ${src}`));
    document.head.appendChild(s);
  });
}

export function loadMonaco(): Promise<Monaco> {
  if (loading) return loading;
  loading = (async () => {
    if (window.monaco) return window.monaco;
    const g = window as unknown as { require?: AmdRequire };
    if (typeof g.require?.config !== 'function') await injectScript(`${MONACO_BASE}/loader.js`);
    const req = (window as unknown as { require: AmdRequire }).require;
    req.config({ paths: { vs: MONACO_BASE } });
    return new Promise<Monaco>((resolve, reject) => {
      req(
        ['vs/editor/editor.main'],
        (main: unknown) => resolve((window.monaco ?? main) as Monaco),
        (e: unknown) => reject(e instanceof Error ? e : new Error('Monaco failed to load')),
      );
    });
  })();
  loading.catch(() => {
    loading = null;
  });
  return loading;
}
