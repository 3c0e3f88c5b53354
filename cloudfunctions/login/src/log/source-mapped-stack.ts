/**
 * Stack traces that name `src/*.ts` lines instead of `index.js:1:27430`, for the function's error log.
 *
 * The build (scripts/build.ts) writes `index.js.map` beside the minified bundle and uploads it with
 * the function. Node could apply it to every stack (`--enable-source-maps`,
 * `process.setSourceMapsEnabled(true)`), but switching that on at load adds ~17 ms to every cold start
 * of this bundle (55 -> 72 ms, measured), while errors are rare. So the map is read only when an
 * error is logged, once per instance, and looked up with Node's own `module.SourceMap` (Node 12.17+;
 * CloudBase runs 16 and 18): no dependency, nothing paid at start.
 *
 * Logging must never fail because of this: any problem (no map, a torn map, an unexpected frame)
 * leaves the trace, or the frame, as it was.
 */
import { readFileSync } from 'node:fs';
import type { SourceMap, SourceMapPayload } from 'node:module';
import path from 'node:path';

/** Per bundle path: its parsed map, or null when it has none (so the file is read at most once). */
const maps = new Map<string, SourceMap | null>();

function sourceMapOf(bundlePath: string): SourceMap | null {
  const cached = maps.get(bundlePath);
  if (cached !== undefined) return cached;
  let map: SourceMap | null = null;
  try {
    // node:module is required here, not imported: only a logged error needs it (~0.5 ms at load).
    const { SourceMap: NodeSourceMap } = require('node:module') as typeof import('node:module');
    map = new NodeSourceMap(JSON.parse(readFileSync(`${bundlePath}.map`, 'utf8')) as SourceMapPayload);
  } catch {
    map = null;
  }
  maps.set(bundlePath, map);
  return map;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The parts of `findEntry`'s answer we read; empty (`{}`) when the map has no mapping at all. */
interface Entry {
  generatedLine?: number;
  originalSource?: string;
  originalLine?: number;
  originalColumn?: number;
}

/**
 * `stack` with every `<bundlePath>:line:column` location (also as a `file://` URL) replaced by the
 * original source's `path:line:column`, resolved against the bundle's folder (so `src/handler.ts`
 * becomes `<function dir>/src/handler.ts`). Frames of other files, and positions the map does not
 * cover, are kept as they are. Never throws.
 */
export function mapStack(stack: string, bundlePath: string): string {
  try {
    const map = sourceMapOf(bundlePath);
    if (!map) return stack;
    const bundleDir = path.dirname(bundlePath);
    const location = new RegExp(`(?:file://)?${escapeRegExp(bundlePath)}:(\\d+):(\\d+)`, 'g');
    return stack.replace(location, (whole: string, line: string, column: string) => {
      // Stack positions are 1-based; SourceMap's are 0-based.
      const generatedLine = Number(line) - 1;
      const entry = map.findEntry(generatedLine, Number(column) - 1) as Entry | undefined;
      // findEntry answers the nearest mapping before the position, even on an earlier line: that
      // would name an unrelated source line, so only a mapping on the frame's own line counts.
      if (
        !entry ||
        entry.generatedLine !== generatedLine ||
        typeof entry.originalSource !== 'string' ||
        typeof entry.originalLine !== 'number' ||
        typeof entry.originalColumn !== 'number'
      ) {
        return whole;
      }
      const source = sourcePath(entry.originalSource, bundleDir);
      return `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
    });
  } catch {
    return stack;
  }
}

/** A map's source as a path: relative ones against the bundle's folder; `unbundled:axios` and the like as they are. */
function sourcePath(source: string, bundleDir: string): string {
  if (source.startsWith('file://')) return new URL(source).pathname;
  if (/^[a-z][\w+.-]*:/i.test(source)) return source;
  return path.resolve(bundleDir, source);
}

/** The stack of `error` mapped through the bundle's source map; anything that is not an Error is returned as is. */
export function withSourceMappedStack(error: unknown, bundlePath: string): unknown {
  if (!(error instanceof Error) || typeof error.stack !== 'string') return error;
  const mapped = mapStack(error.stack, bundlePath);
  if (mapped === error.stack) return error;
  // A copy, not a mutation: the caller may still rethrow or inspect the original error.
  const copy = Object.assign(Object.create(Object.getPrototypeOf(error) as object) as Error, error);
  Object.defineProperty(copy, 'message', { value: error.message, enumerable: false, writable: true, configurable: true });
  Object.defineProperty(copy, 'stack', { value: mapped, enumerable: false, writable: true, configurable: true });
  return copy;
}
