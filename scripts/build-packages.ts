/**
 * `tsx scripts/build-packages.ts [name…]`: builds the workspace packages into what npm ships —
 * JavaScript (esbuild) and type declarations (tsc) under packages/<name>/dist/ — so an installed
 * package runs on plain Node, without tsx. Each package's `prepack` runs it for that package, so
 * `npm pack` and `npm publish` always ship a fresh build.
 *
 * Inside this repository nothing reads dist/: tsconfig.base.json `paths` (tsc, tsx, esbuild) and
 * jest.config.js `moduleNameMapper` resolve `@wx-cloud-login/*` to the TypeScript sources, so a
 * change to a package needs no build step here.
 */
import { build, type Plugin } from 'esbuild';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const repoRoot = path.resolve(__dirname, '..');
const packagesRoot = path.join(repoRoot, 'packages');

export const PACKAGE_NAMES = ['server-auth', 'cloudbase-emulator', 'miniprogram-preview', 'cli'] as const;
export type PackageName = (typeof PACKAGE_NAMES)[number];

/**
 * What the installer (`wx-cloud-login add`) reads from the kit, copied into packages/cli/kit/: it
 * builds the login function and the current-user module from their sources at install time and
 * installs the mini-program's sources, exactly as `npm run add` does from a clone.
 */
export const KIT_FILES = [
  'miniprogram',
  'typings/contract.d.ts',
  'cloudbaserc.json',
  'tsconfig.base.json',
  'cloudfunctions/tsconfig.json',
  'cloudfunctions/login/src',
  'cloudfunctions/login/package.json',
  'packages/server-auth/src',
  'packages/server-auth/package.json',
] as const;

function filesUnder(dir: string, keep: (file: string) => boolean): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((relative) => path.join(dir, relative))
    .filter((file) => statSync(file).isFile() && keep(file))
    .sort();
}

const isSource = (file: string) => file.endsWith('.ts') && !file.endsWith('.d.ts');

/** One .js per .ts, same tree: no bundling, dependencies stay `require`s of the installed packages. */
async function transpile(sourceRoot: string, folders: string[], outDir: string): Promise<void> {
  const entryPoints = folders.flatMap((folder) => filesUnder(path.join(sourceRoot, folder), isSource));
  await build({
    entryPoints,
    outdir: outDir,
    outbase: sourceRoot,
    format: 'cjs',
    platform: 'node',
    target: 'node18',
    bundle: false,
    logLevel: 'warning',
  });
}

/** The compiler options every tsconfig here shares (tsconfig.base.json), for an emitting program. */
function baseCompilerOptions(): ts.CompilerOptions {
  const file = path.join(repoRoot, 'tsconfig.base.json');
  const read = ts.readConfigFile(file, (name) => ts.sys.readFile(name));
  if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'));
  return ts.parseJsonConfigFileContent(read.config, ts.sys, repoRoot, undefined, file).options;
}

/** tsc's declarations for `rootNames` (with `rootDir`'s tree under `outDir`); fails on any type error. */
function declarations(rootNames: string[], rootDir: string, outDir: string, types: string[]): void {
  const options: ts.CompilerOptions = {
    ...baseCompilerOptions(),
    lib: ['lib.es2022.d.ts'],
    target: ts.ScriptTarget.ES2022,
    types,
    noEmit: false,
    declaration: true,
    emitDeclarationOnly: true,
    rootDir,
    outDir,
    // Another kit package is a dependency here, as for anyone installing it: its published
    // declarations (dist/), not its sources.
    paths: undefined,
  };
  const program = ts.createProgram(rootNames, options);
  const host: ts.FormatDiagnosticsHost = {
    getCanonicalFileName: (name) => name,
    getCurrentDirectory: () => repoRoot,
    getNewLine: () => '\n',
  };
  const failIfAny = (diagnostics: readonly ts.Diagnostic[]) => {
    const errors = diagnostics.filter((diagnostic) => diagnostic.category === ts.DiagnosticCategory.Error);
    if (errors.length > 0) throw new Error(ts.formatDiagnostics(errors, host));
  };
  // Checked before anything is written: tsc emits a file outside rootDir next to its source.
  failIfAny(ts.getPreEmitDiagnostics(program));
  failIfAny(program.emit().diagnostics);
}

/** Bare imports stay `require`s of installed packages, except the kit's own sources (tsconfig paths). */
const externalPackages: Plugin = {
  name: 'external-packages',
  setup(esbuild) {
    esbuild.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@wx-cloud-login/server-auth') ? undefined : { path: args.path, external: true },
    );
  },
};

async function buildServerAuth(dir: string): Promise<void> {
  const dist = path.join(dir, 'dist');
  // One file, as the installer copies it into a function: the contract's runtime lists inlined.
  await build({
    entryPoints: [path.join(dir, 'src', 'index.ts')],
    outfile: path.join(dist, 'index.js'),
    bundle: true,
    format: 'cjs',
    platform: 'node',
    // CloudBase's oldest runtime still offered (Nodejs16.13), as the functions' own build.
    target: 'node16',
    logLevel: 'warning',
  });
  // The declarations keep the repository's tree, so their relative imports of the contract
  // (typings/, miniprogram/contract/) still resolve inside dist/types/.
  const types = path.join(dist, 'types');
  declarations([path.join(dir, 'src', 'index.ts'), path.join(repoRoot, 'typings', 'contract.d.ts')], repoRoot, types, ['node']);
  cpSync(path.join(repoRoot, 'typings', 'contract.d.ts'), path.join(types, 'typings', 'contract.d.ts'));
}

async function buildEmulator(dir: string): Promise<void> {
  const src = path.join(dir, 'src');
  const dist = path.join(dir, 'dist');
  await transpile(src, ['.'], dist);
  // Plain JavaScript run by path (the worker of a function instance) and hand-written declarations.
  for (const file of filesUnder(src, (name) => name.endsWith('.js') || name.endsWith('.d.ts'))) {
    cpSync(file, path.join(dist, path.relative(src, file)));
  }
  declarations(filesUnder(src, isSource), src, dist, ['node']);
}

async function buildPreview(dir: string): Promise<void> {
  // Its declarations import the emulator's published ones.
  if (!existsSync(path.join(packagesRoot, 'cloudbase-emulator', 'dist', 'index.d.ts'))) await buildPackage('cloudbase-emulator');
  const dist = path.join(dir, 'dist');
  const nodeFolders = ['build', 'server', 'shared', 'driver'];
  await transpile(dir, nodeFolders, dist);
  // The browser runtime is bundled by build/ at run time (esbuild), from its TypeScript sources:
  // shipped as they are, beside the compiled build/ that looks for them at ../runtime.
  cpSync(path.join(dir, 'runtime'), path.join(dist, 'runtime'), {
    recursive: true,
    filter: (source) => path.basename(source) !== 'tsconfig.json',
  });
  for (const file of filesUnder(path.join(dir, 'shared'), (name) => name.endsWith('.ts'))) {
    cpSync(file, path.join(dist, 'shared', path.basename(file)));
  }
  declarations(
    nodeFolders.flatMap((folder) => filesUnder(path.join(dir, folder), isSource)),
    dir,
    dist,
    ['node'],
  );
}

async function buildCli(dir: string): Promise<void> {
  // scripts/ owns the installer and the admin CLI; the package bundles them with the kit's sources.
  await build({
    entryPoints: [path.join(repoRoot, 'scripts', 'wx-cloud-login.ts')],
    outfile: path.join(dir, 'dist', 'cli.js'),
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node18',
    plugins: [externalPackages],
    logLevel: 'warning',
  });
  const kit = path.join(dir, 'kit');
  rmSync(kit, { recursive: true, force: true });
  for (const entry of KIT_FILES) {
    cpSync(path.join(repoRoot, entry), path.join(kit, entry), { recursive: true });
  }
}

const BUILDERS: Record<PackageName, (dir: string) => Promise<void>> = {
  'server-auth': buildServerAuth,
  'cloudbase-emulator': buildEmulator,
  'miniprogram-preview': buildPreview,
  cli: buildCli,
};

export async function buildPackage(name: PackageName): Promise<string> {
  const dir = path.join(packagesRoot, name);
  rmSync(path.join(dir, 'dist'), { recursive: true, force: true });
  mkdirSync(path.join(dir, 'dist'), { recursive: true });
  await BUILDERS[name](dir);
  return path.join(dir, 'dist');
}

function isPackageName(name: string): name is PackageName {
  return (PACKAGE_NAMES as readonly string[]).includes(name);
}

// NodeJS.Require: the test config also sees the mini-program typings, whose `require` has no `main`.
if ((require as unknown as NodeJS.Require).main === module) {
  const asked = process.argv.slice(2);
  const unknown = asked.filter((name) => !isPackageName(name));
  if (unknown.length > 0) {
    process.stderr.write(`未知的包 / unknown package: ${unknown.join(', ')} (${PACKAGE_NAMES.join(', ')})\n`);
    process.exit(2);
  }
  const names = asked.length > 0 ? asked.filter(isPackageName) : [...PACKAGE_NAMES];
  (async () => {
    for (const name of names) {
      const started = Date.now();
      await buildPackage(name);
      process.stdout.write(`built packages/${name} (${Date.now() - started} ms)\n`);
    }
  })().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
