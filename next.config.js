// Next.js configuration (ESM: package.json has "type": "module").
// Built with Turbopack (the Next 16 default) and served by the custom server in server/.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(fileURLToPath(import.meta.url));
const isDev = process.env.NODE_ENV !== 'production';

// Content Security Policy.
// - scripts: self + inline (Next's App Router streams inline bootstrap scripts; nonces would force
//   every page to render dynamically). 'wasm-unsafe-eval' lets WebAssembly compile (tfjs wasm,
//   HiGHS). 'unsafe-eval' only in development (React refresh / eval source maps).
// - workers: self (our Comlink workers) and blob: (Monaco starts its language workers from blob:
//   URLs that importScripts() files under /monaco/vs).
// - styles: inline styles are injected by Monaco and Plotly at run time.
// - connect: self covers fetch, and the Socket.IO websocket on the same origin.
const csp = [
  "default-src 'self'",
  `script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'${isDev ? " 'unsafe-eval'" : ''}`,
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "worker-src 'self' blob:",
  "child-src 'self' blob:",
  `connect-src 'self'${isDev ? ' ws: wss:' : ''}`,
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const securityHeaders = [
  { key: 'Content-Security-Policy', value: csp },
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
  { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
  { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=(), usb=()' },
];

/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  // A separate build directory (e.g. for a second build next to a running server); default .next.
  distDir: process.env.TWINBENCH_NEXT_DIST_DIR || '.next',
  poweredByHeader: false,
  // Native or Node-only packages stay out of the bundles; server/ code loads them at run time.
  serverExternalPackages: [
    'better-sqlite3',
    '@prisma/client',
    '@prisma/adapter-better-sqlite3',
    '@prisma/adapter-pg',
    'prisma',
    'pg',
    '@tensorflow/tfjs-node',
  ],
  turbopack: { root },
  // next build type-checks only what it bundles (app, workers, sim); `npm run typecheck` checks
  // the whole repository (tests, server, CLI) with tsconfig.json.
  typescript: { tsconfigPath: 'tsconfig.next.json' },
  async headers() {
    return [
      { source: '/:path*', headers: securityHeaders },
      // Monaco's AMD files are immutable per installed version (copied by scripts/copy-assets.mjs).
      { source: '/monaco/:path*', headers: [{ key: 'Cache-Control', value: 'public, max-age=86400' }] },
    ];
  },
};

export default nextConfig;
