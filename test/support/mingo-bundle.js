// @ts-check
/**
 * mingo for Jest as one module instead of ~300: the moduleNameMapper entries that send `mingo` and each
 * of its package subpaths (`mingo/query`, `mingo/operators/query`, …) to a bundle of its Node build.
 *
 * The emulator's database is mingo, and every test file that starts an emulator loads it into its own
 * sandbox: ~300 small CommonJS files, each resolved, read and compiled by Jest (about a third of a
 * second of CPU per test file, ~100 files). The bundle holds the same files, unchanged and each still
 * in its own module scope, evaluated on first use as Node would: a subpath's module here is the very
 * `module.exports` that file gives under Node, loaded in the test's sandbox (mingo compares
 * prototypes, so it must share the test's realm). Only how the files reach Jest changes.
 *
 * The bundle is built on first use under .build/, named after a hash of mingo's files and of this
 * file, so an upgraded mingo gets a new bundle.
 */
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { publishBuild } = require('./publish-build.js');

const root = path.join(__dirname, '..', '..');
const mingoRoot = path.dirname(require.resolve('mingo/package.json', { paths: [root] }));

/** @returns {string[]} every file under dir, sorted */
function filesUnder(/** @type {string} */ dir) {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((entry) => (entry.isDirectory() ? filesUnder(path.join(dir, entry.name)) : [path.join(dir, entry.name)]));
}

/**
 * mingo's package subpaths with a Node build: `''` for `mingo` itself, `'query'` for `mingo/query`, …
 * @returns {string[]}
 */
function nodeSubpaths() {
  /** @type {{ exports: Record<string, unknown> }} */
  const pkg = JSON.parse(fs.readFileSync(path.join(mingoRoot, 'package.json'), 'utf8'));
  return Object.entries(pkg.exports)
    .filter(([, target]) => typeof target === 'object' && target !== null && 'node' in target)
    .map(([subpath]) => subpath.replace(/^\.\/?/, ''));
}

/** @returns {string} the bundle's folder, built when missing */
function ensureBundle(/** @type {string[]} */ subpaths) {
  const hash = createHash('sha1');
  hash.update(fs.readFileSync(__filename));
  for (const file of filesUnder(path.join(mingoRoot, 'cjs'))) hash.update(file).update(fs.readFileSync(file));
  hash.update(fs.readFileSync(path.join(mingoRoot, 'package.json')));
  const dir = path.join(root, '.build', 'jest-mingo', hash.digest('hex').slice(0, 16));
  if (fs.existsSync(path.join(dir, 'complete'))) return dir;

  const staging = `${dir}.${process.pid}.tmp`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  // Getters, so that a subpath's files run when it is first required, in the order Node would run them.
  const entry = subpaths.map(
    (subpath) => `  get ${JSON.stringify(subpath)}() { return require(${JSON.stringify(subpath ? `mingo/${subpath}` : 'mingo')}); },`,
  );
  fs.writeFileSync(path.join(staging, 'entry.js'), `module.exports = {\n${entry.join('\n')}\n};\n`);
  require('esbuild').buildSync({
    entryPoints: [path.join(staging, 'entry.js')],
    outfile: path.join(staging, 'mingo.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    // mingo's files as written: no tsconfig (the repository's would make them strict mode), names kept.
    tsconfigRaw: {},
    keepNames: true,
    logLevel: 'error',
  });
  for (const subpath of subpaths) {
    const shim = path.join(staging, `${subpath || 'index'}.js`);
    fs.mkdirSync(path.dirname(shim), { recursive: true });
    const bundle = path.relative(path.dirname(shim), path.join(staging, 'mingo.js'));
    fs.writeFileSync(shim, `module.exports = require(${JSON.stringify(`./${bundle}`)})[${JSON.stringify(subpath)}];\n`);
  }
  fs.writeFileSync(path.join(staging, 'complete'), '');
  // Bundles of an earlier mingo (or of an earlier version of this file) are not used again.
  publishBuild(staging, dir);
  return dir;
}

/** @returns {Record<string, string>} moduleNameMapper entries for mingo */
function mingoModuleNameMapper() {
  const subpaths = nodeSubpaths();
  const dir = ensureBundle(subpaths);
  const named = subpaths.filter((subpath) => subpath !== '').map((subpath) => subpath.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
  return {
    '^mingo$': path.join(dir, 'index.js'),
    [`^mingo/(${named.join('|')})$`]: path.join(dir, '$1.js'),
  };
}

module.exports = { mingoModuleNameMapper };
