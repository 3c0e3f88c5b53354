/**
 * Dependencies of functions as WeChat DevTools creates them: `index.js` beside a `package.json`
 * that declares `wx-server-sdk` (and whatever else), with no `node_modules`, because 「上传并部署：
 * 云端安装依赖」 installs them in the cloud. The emulator does the same once per function: it
 * installs the declared dependencies into a cache OUTSIDE the function folder
 * (`<cache>/<name>-<hash of package.json>/node_modules`) and the function's instances resolve
 * packages there (instance-host.js). The entry is reused while package.json (and a lock file, if
 * any) is unchanged; a changed package.json gets a new entry.
 *
 * Nothing is installed when the function's folder already resolves every declared dependency: its
 * own `node_modules` always wins (and so does a workspace's, as Node itself would find it).
 *
 * Local dependencies (`"shared": "file:../shared"`, `"../shared"`, `link:`) are written relative to
 * the function's folder; installed from the cache they would point elsewhere, so the copy of
 * package.json installed there names them by absolute path (localDependencySpecs), and npm links them:
 * an edit of the local package is seen by the next call without reinstalling.
 *
 * The installer is a parameter so tests run offline; the default runs `npm install` against the
 * configured npm registry, printing a progress line while it works. A failed install (offline,
 * unknown version) is an InvocationError of kind 'load' whose message names the function and the
 * command that installs by hand.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface DependencyInstallRequest {
  functionName: string;
  /** The function's folder (where its package.json is). */
  functionDir: string;
  /** An empty folder holding a copy of the function's package.json (and lock file): install here. */
  targetDir: string;
  dependencies: Record<string, string>;
  /** One line of progress for people (no trailing newline). */
  progress(line: string): void;
}

/** Installs `request.dependencies` into `request.targetDir/node_modules`; rejects with a readable reason. */
export type DependencyInstaller = (request: DependencyInstallRequest) => Promise<void>;

export interface DependencyOptions {
  /** Where installed dependencies live. Default: defaultDependencyCache(). */
  cacheDir?: string;
  /** Default: npmInstaller. */
  installer?: DependencyInstaller;
  /** Progress lines (default: stderr). */
  progress?: (line: string) => void;
}

export interface FunctionDependencies {
  /**
   * The node_modules folder the function's instances should resolve packages from, installing it
   * first if needed; null when the function needs none. Rejects with a message for people.
   */
  resolve(functionName: string, functionDir: string): Promise<string | null>;
}

/** `$XDG_CACHE_HOME/cloudbase-emulator`, else `~/.cache/cloudbase-emulator`: the emulator's caches, shared by every project. */
export function defaultCacheRoot(): string {
  return path.join(process.env['XDG_CACHE_HOME'] || path.join(os.homedir(), '.cache'), 'cloudbase-emulator');
}

/** `$XDG_CACHE_HOME/cloudbase-emulator/function-deps`, else `~/.cache/...`: shared by every project. */
export function defaultDependencyCache(): string {
  return path.join(defaultCacheRoot(), 'function-deps');
}

const COMPLETE_MARKER = '.installed.json';
const LOCK_FILES = ['package-lock.json', 'npm-shrinkwrap.json'];

/** The dependencies a package.json declares, or {} when it has none or cannot be read. */
export function declaredDependencies(packageJson: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(packageJson);
  } catch {
    return {};
  }
  const dependencies = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>)['dependencies'] : undefined;
  if (typeof dependencies !== 'object' || dependencies === null) return {};
  const out: Record<string, string> = {};
  for (const [name, range] of Object.entries(dependencies)) if (typeof range === 'string') out[name] = range;
  return out;
}

const LOCAL_PREFIXES = ['file:', 'link:'];

/** Whether a dependency range names a folder or tarball on this machine rather than a registry version. */
function localPath(range: string): { prefix: string; target: string } | null {
  for (const prefix of LOCAL_PREFIXES) if (range.startsWith(prefix)) return { prefix, target: range.slice(prefix.length) };
  if (/^(\.{1,2}[\\/]|[\\/]|~[\\/])/.test(range)) return { prefix: 'file:', target: range };
  return null;
}

/**
 * The function's package.json with every local dependency made absolute (resolved against the
 * function's folder), or null when it has none. Everything else is kept as written.
 */
export function localDependencySpecs(packageJson: string, functionDir: string): string | null {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(packageJson) as Record<string, unknown>;
  } catch {
    return null;
  }
  let changed = false;
  for (const field of ['dependencies', 'optionalDependencies']) {
    const block = parsed[field];
    if (typeof block !== 'object' || block === null) continue;
    const entries = block as Record<string, unknown>;
    for (const [name, range] of Object.entries(entries)) {
      const local = typeof range === 'string' ? localPath(range) : null;
      if (!local) continue;
      const home = local.target.startsWith('~') ? path.join(os.homedir(), local.target.slice(1)) : local.target;
      entries[name] = `${local.prefix}${path.resolve(functionDir, home)}`;
      changed = true;
    }
  }
  return changed ? `${JSON.stringify(parsed, null, 2)}\n` : null;
}

/** Whether Node, resolving from `functionDir`, finds `name` in some node_modules on the way up. */
function resolvableFrom(functionDir: string, name: string): boolean {
  let dir = functionDir;
  for (;;) {
    if (existsSync(path.join(dir, 'node_modules', name, 'package.json'))) return true;
    const parent = path.dirname(dir);
    if (parent === dir) return false;
    dir = parent;
  }
}

export function createFunctionDependencies(options: DependencyOptions = {}): FunctionDependencies {
  const cacheDir = options.cacheDir ?? defaultDependencyCache();
  const installer = options.installer ?? npmInstaller;
  const progress = options.progress ?? ((line: string) => process.stderr.write(`${line}\n`));
  /** One install at a time per entry, however many instances start at once. */
  const installing = new Map<string, Promise<string>>();

  return {
    async resolve(functionName, functionDir) {
      let manifest: string;
      try {
        manifest = readFileSync(path.join(functionDir, 'package.json'), 'utf8');
      } catch {
        return null;
      }
      const dependencies = declaredDependencies(manifest);
      const names = Object.keys(dependencies);
      if (names.length === 0 || names.every((name) => resolvableFrom(functionDir, name))) return null;

      const locks = LOCK_FILES.flatMap((file) => {
        try {
          return [[file, readFileSync(path.join(functionDir, file), 'utf8')] as const];
        } catch {
          return [];
        }
      });
      const hash = createHash('sha256').update(manifest);
      for (const [file, text] of locks) hash.update(`\0${file}\0${text}`);
      const entry = path.join(cacheDir, `${functionName}-${hash.digest('hex').slice(0, 16)}`);
      const modules = path.join(entry, 'node_modules');
      if (existsSync(path.join(entry, COMPLETE_MARKER))) return modules;

      let pending = installing.get(entry);
      if (!pending) {
        pending = install({ functionName, functionDir, entry, manifest, locks, dependencies }).finally(() => installing.delete(entry));
        installing.set(entry, pending);
      }
      return pending;
    },
  };

  async function install(job: {
    functionName: string;
    functionDir: string;
    entry: string;
    manifest: string;
    locks: (readonly [string, string])[];
    dependencies: Record<string, string>;
  }): Promise<string> {
    const { functionName, functionDir, entry } = job;
    // Installed beside the entry, then renamed into place: a cut-short install never looks complete.
    const staging = `${entry}.installing-${process.pid}-${Date.now()}`;
    const list = Object.entries(job.dependencies)
      .map(([name, range]) => `${name}@${range}`)
      .join(', ');
    progress(`安装云函数 ${functionName} 的依赖（${list}）… / Installing the dependencies of ${functionName} (${list}) into ${entry}`);
    const started = Date.now();
    try {
      mkdirSync(staging, { recursive: true });
      const localized = localDependencySpecs(job.manifest, functionDir);
      writeFileSync(path.join(staging, 'package.json'), localized ?? job.manifest);
      // A lock file records local packages by paths relative to the function: npm writes a new one.
      if (!localized) for (const [file, text] of job.locks) writeFileSync(path.join(staging, file), text);
      await installer({ functionName, functionDir, targetDir: staging, dependencies: job.dependencies, progress });
      if (!existsSync(path.join(staging, 'node_modules'))) throw new Error('the installer left no node_modules');
      writeFileSync(path.join(staging, COMPLETE_MARKER), `${JSON.stringify({ functionName, installedAt: new Date().toISOString() })}\n`);
      rmSync(entry, { recursive: true, force: true });
      renameSync(staging, entry);
    } catch (error) {
      rmSync(staging, { recursive: true, force: true });
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(
        `云函数 ${functionName} 的依赖安装失败 / Installing the dependencies of ${functionName} failed: ${reason}\n` +
          `  联网后再调用一次，或手动安装 / Call again once online, or install them by hand: cd ${JSON.stringify(functionDir)} && npm install`,
      );
    }
    progress(
      `云函数 ${functionName} 的依赖已安装（${((Date.now() - started) / 1000).toFixed(1)} s） / Dependencies of ${functionName} installed`,
    );
    return path.join(entry, 'node_modules');
  }
}

/** While npm works, a line this often says it still does. */
const PROGRESS_EVERY_MS = 10_000;

/**
 * `npm install` in the target folder, production dependencies only, from whatever registry npm is
 * configured with. Fails fast when offline (one retry, short timeouts) rather than hanging a call.
 */
export const npmInstaller: DependencyInstaller = (request) =>
  new Promise((resolve, reject) => {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const child = spawn(
      npm,
      [
        'install',
        '--omit=dev',
        '--no-audit',
        '--no-fund',
        '--no-save',
        '--loglevel=error',
        '--fetch-retries=1',
        '--fetch-retry-mintimeout=2000',
        '--fetch-retry-maxtimeout=5000',
        '--fetch-timeout=30000',
      ],
      { cwd: request.targetDir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false' } },
    );
    let errors = '';
    child.stderr.on('data', (chunk: Buffer) => {
      errors = (errors + chunk.toString('utf8')).slice(-4000);
    });
    child.stdout.resume();
    const started = Date.now();
    const ticker = setInterval(() => {
      request.progress(`  …仍在安装 ${request.functionName} 的依赖（${Math.round((Date.now() - started) / 1000)} s） / still installing`);
    }, PROGRESS_EVERY_MS);
    const finish = (error: Error | null) => {
      clearInterval(ticker);
      if (error) reject(error);
      else resolve();
    };
    child.once('error', (error) => finish(new Error(`npm could not be run: ${error.message}`)));
    child.once('exit', (code, signal) => {
      if (code === 0) return finish(null);
      const lines = errors
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean);
      const summary =
        lines
          .filter((line) => /ERR!/.test(line))
          .slice(0, 4)
          .join(' · ') || lines.slice(-3).join(' · ');
      finish(new Error(`npm install exited with ${signal ?? code}${summary ? `: ${summary}` : ''}`));
    });
  });
