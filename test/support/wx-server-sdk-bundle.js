// @ts-check
/**
 * wx-server-sdk for Jest as one module instead of ~430: the moduleNameMapper entry that sends
 * `wx-server-sdk` to a bundle of it and its dependencies (@cloudbase/node-sdk, @cloudbase/database,
 * axios, jsonwebtoken, protobufjs, xml2js, …).
 *
 * Each test file that calls the emulator through wx-server-sdk loads it into its own sandbox, and Jest's
 * own work per module (resolving it, a `jest` object for it, its transform lookup, reading and compiling
 * it) cost more than running the module bodies: ~65 ms of CPU per test file and ~0.4 s more in the first
 * file of each worker (16 files that only require it, in band: 6.0 → 4.7 s). The bundle holds the same
 * files, each still in its own module scope and run when first required, as Node would run them; only how
 * they reach Jest changes. Built only for wx-server-sdk itself: its `package.json` and any other subpath,
 * and the packages a test imports on its own, still load as installed.
 *
 * What a bundle would change is put back or avoided: each file that reads `__dirname` or `__filename`
 * (@cloudbase/node-sdk reads its version from its package.json) gets its own again, and a bundle holding
 * bson's main file is not used (Jest's transform gives bson its lazy buffer file by file,
 * lazy-bson-buffer.transform.js). A bundle that is not used leaves wx-server-sdk loading file by file.
 *
 * Built on first use under .build/, named after a hash of this file, the bson edit, esbuild's package.json and
 * wx-server-sdk's package.json; a bundled file whose size or modification time changed builds it again.
 */
const { execFileSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { publishBuild } = require('./publish-build.js');
const { lazyBsonBuffer } = require('../../scripts/lib/lazy-bson-buffer.js');

const root = path.join(__dirname, '..', '..');
/** bson's main file, as jest.config.js names it for its transform. */
const BSON_MAIN = /[\\/]node_modules[\\/](?:.+[\\/])?bson[\\/]lib[\\/]bson\.c?js$/;

/** @typedef {[file: string, size: number, mtimeMs: number]} Input */

/** @returns {boolean} whether every input still has the size and modification time it was bundled with */
function inputsUnchanged(/** @type {Input[]} */ inputs) {
  return inputs.every(([file, size, mtimeMs]) => {
    try {
      const info = fs.statSync(file);
      return info.size === size && info.mtimeMs === mtimeMs;
    } catch {
      return false;
    }
  });
}

/**
 * Builds the bundle into `staging` (index.js and inputs.json, or inputs.json `null` when the bundle cannot stand
 * in for the files). Runs in a child process: only esbuild's asynchronous build takes plugins.
 * @param {string} staging
 */
async function build(staging) {
  /** Set when a bundled file would run otherwise than as Jest runs it. */
  let unfaithful = false;
  /** @type {import('esbuild').Plugin} */
  const asJestRunsThem = {
    name: 'as-jest-runs-them',
    setup(builder) {
      builder.onLoad({ filter: /\.c?js$/ }, (args) => {
        let contents = fs.readFileSync(args.path, 'utf8');
        if (BSON_MAIN.test(args.path)) {
          const lazy = lazyBsonBuffer(contents);
          if (lazy === null) unfaithful = true;
          else contents = lazy;
        }
        // A bundled file's own `__dirname` would be the bundle's folder: declared as it was, in the file's scope.
        if (/\b__(?:dirname|filename)\b/.test(contents)) {
          contents = `var __dirname = ${JSON.stringify(path.dirname(args.path))}, __filename = ${JSON.stringify(args.path)};\n${contents}`;
        }
        return { contents, loader: 'js' };
      });
    },
  };
  const result = await require('esbuild').build({
    entryPoints: [path.dirname(require.resolve('wx-server-sdk/package.json', { paths: [root] }))],
    absWorkingDir: root,
    outfile: path.join(staging, 'index.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    // The files as written: no tsconfig (the repository's would make them strict mode), names kept.
    tsconfigRaw: {},
    keepNames: true,
    metafile: true,
    plugins: [asJestRunsThem],
    logLevel: 'error',
  });
  /** @type {Input[]} */
  const inputs = Object.keys(result.metafile.inputs).map((relative) => {
    const file = path.join(root, relative);
    const info = fs.statSync(file);
    return [file, info.size, info.mtimeMs];
  });
  fs.writeFileSync(path.join(staging, 'inputs.json'), JSON.stringify(unfaithful ? null : inputs));
}

/** @returns {string | null} the bundle's file, built when missing; null when it cannot stand in for the files */
function ensureBundle() {
  const manifest = require.resolve('wx-server-sdk/package.json', { paths: [root] });
  const hash = createHash('sha1');
  hash.update(fs.readFileSync(__filename));
  hash.update(fs.readFileSync(path.join(root, 'scripts', 'lib', 'lazy-bson-buffer.js')));
  hash.update(fs.readFileSync(require.resolve('esbuild/package.json', { paths: [root] })));
  hash.update(fs.readFileSync(manifest));
  const dir = path.join(root, '.build', 'jest-wx-server-sdk', hash.digest('hex').slice(0, 16));
  const bundle = path.join(dir, 'index.js');
  const inputsFile = path.join(dir, 'inputs.json');
  if (fs.existsSync(inputsFile)) {
    /** @type {Input[] | null} */
    const inputs = JSON.parse(fs.readFileSync(inputsFile, 'utf8'));
    if (inputs === null) return null;
    if (inputsUnchanged(inputs)) return bundle;
  }

  const staging = `${dir}.${process.pid}.tmp`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  try {
    execFileSync(process.execPath, [__filename, staging], { stdio: ['ignore', 'ignore', 'inherit'] });
  } catch {
    // Tests never depend on the bundle: without it wx-server-sdk loads file by file, only slower.
    fs.rmSync(staging, { recursive: true, force: true });
    process.stderr.write('test/support/wx-server-sdk-bundle.js: the bundle was not built; wx-server-sdk loads file by file\n');
    return null;
  }
  fs.rmSync(dir, { recursive: true, force: true });
  // Bundles of an earlier wx-server-sdk (or of an earlier version of this file) are not used again.
  publishBuild(staging, dir);
  return JSON.parse(fs.readFileSync(inputsFile, 'utf8')) === null ? null : bundle;
}

/** @returns {Record<string, string>} the moduleNameMapper entry for wx-server-sdk, none when it loads file by file */
function wxServerSdkModuleNameMapper() {
  const bundle = ensureBundle();
  return bundle === null ? {} : { '^wx-server-sdk$': bundle };
}

module.exports = { wxServerSdkModuleNameMapper };

if (require.main === module) {
  build(/** @type {string} */ (process.argv[2])).catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
