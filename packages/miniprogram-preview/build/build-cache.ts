/**
 * Builds of the preview kept by the content of what they were built from, so that several
 * emulators serving the same pages (the browser test files of one run, each in a process of its
 * own) share one build instead of running esbuild each.
 *
 * A folder holds, per mini-program root, a record (`<key>.json`) naming the kept build's folder and
 * the SHA-256 of every file the build read — the pages, the runtime and the packages bundled in.
 * A build is reused only while every one of those files still has that content; otherwise the
 * pages are built into a new folder beside it and the record points there. Records are replaced by
 * a rename, so a reader sees the old record or the new one, never half of one; a build already in
 * use is never overwritten. The folder only grows (one build per change of the pages): it is made
 * for a run of builds (a test run) and removed after it.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildPreview, type BuildPreviewOptions, defaultMiniprogramRoot, type PreviewBuildResult } from './build-preview';

export interface CachedBuildOptions extends Omit<BuildPreviewOptions, 'outDir'> {
  /** The folder of kept builds. */
  cacheDir: string;
}

interface KeptBuild {
  outDir: string;
  files: string[];
  inputs: string[];
  /** File → SHA-256 of its content when it was built ('' for a file looked for and absent, as app.wxss may be). */
  contents: Record<string, string>;
  unsupported: string[];
}

function contentHash(file: string): string {
  try {
    return createHash('sha256').update(readFileSync(file)).digest('hex');
  } catch {
    return '';
  }
}

function recordPath(cacheDir: string, miniprogramRoot: string): string {
  return path.join(cacheDir, `${createHash('sha256').update(miniprogramRoot).digest('hex').slice(0, 16)}.json`);
}

function readKept(file: string): KeptBuild | null {
  try {
    const kept = JSON.parse(readFileSync(file, 'utf8')) as KeptBuild;
    const unchanged = Object.entries(kept.contents).every(([input, hash]) => contentHash(input) === hash);
    const present = kept.files.every((name) => existsSync(path.join(kept.outDir, name)));
    return unchanged && present ? kept : null;
  } catch {
    return null;
  }
}

/**
 * The start of the next millisecond (at most 1 ms away): file times have sub-millisecond precision,
 * so a file written earlier in the current millisecond would otherwise look written after the start.
 */
function nextMillisecond(): number {
  const now = Date.now();
  let next = Date.now();
  while (next === now) next = Date.now();
  return next;
}

/** The kept build of these pages when nothing it read changed; otherwise a new build, kept for the next caller. */
export async function cachedBuildPreview(options: CachedBuildOptions): Promise<PreviewBuildResult> {
  const started = nextMillisecond();
  const miniprogramRoot = path.resolve(options.miniprogramRoot ?? defaultMiniprogramRoot());
  const cacheDir = path.resolve(options.cacheDir);
  const record = recordPath(cacheDir, miniprogramRoot);

  const kept = readKept(record);
  if (kept) {
    const { outDir, files, inputs, unsupported } = kept;
    return { ok: true, outDir, files, inputs, bundled: Object.keys(kept.contents), durationMs: Date.now() - started, unsupported };
  }

  mkdirSync(cacheDir, { recursive: true });
  const outDir = mkdtempSync(`${record.slice(0, -'.json'.length)}-`);
  const result = await buildPreview({ miniprogramRoot, outDir });
  if (!result.ok) return result;
  // A file changed while esbuild ran may be in the bundle as it was: such a build is served, never kept.
  const changedDuringBuild = result.bundled.some((input) => (statSync(input, { throwIfNoEntry: false })?.mtimeMs ?? 0) >= started);
  if (changedDuringBuild) return result;
  const contents = Object.fromEntries(result.bundled.map((input) => [input, contentHash(input)]));
  const entry: KeptBuild = { outDir, files: result.files, inputs: result.inputs, contents, unsupported: result.unsupported };
  const temporary = `${outDir}.json`;
  writeFileSync(temporary, JSON.stringify(entry));
  renameSync(temporary, record);
  return result;
}
