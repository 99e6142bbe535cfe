import { readFileSync } from 'node:fs';
import type { FastifyBaseLogger } from 'fastify';

/** Built by scripts/build-web.mjs (part of `npm run build`); the same folder from src/web and dist/web. */
const ASSETS_DIR = new URL('../../dist/assets/', import.meta.url);

export interface Asset {
  type: string;
  body: Buffer;
}

const FILES: Record<string, string> = {
  'web.css': 'text/css; charset=utf-8',
  'checklist.js': 'text/javascript; charset=utf-8',
};

/**
 * The assets, read once. A missing one is logged and answered 404: the pages still
 * work (they need no script), and `npm run build` makes them.
 */
export function loadAssets(log: FastifyBaseLogger): Map<string, Asset> {
  const out = new Map<string, Asset>();
  const missing: string[] = [];
  for (const [name, type] of Object.entries(FILES)) {
    try {
      out.set(name, { type, body: readFileSync(new URL(name, ASSETS_DIR)) });
    } catch {
      missing.push(name);
    }
  }
  if (missing.length > 0) log.warn({ missing }, 'web assets are missing: run npm run build');
  return out;
}
