import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleKey, readBundle, writeBundle } from '../../../../scripts/lib/add/bundle-cache';
import { LOGIN_BUILD_SCRIPTS } from '../../../../scripts/lib/add/installables';

const KIT_ROOT = path.resolve(__dirname, '../../../..');
const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function scratch(): string {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'bundle-cache-'));
  folders.push(folder);
  return folder;
}

/** A cache folder and two source files a build read. */
function built(): { cache: string; sources: string[]; files: Map<string, string> } {
  const dir = scratch();
  const sources = [path.join(dir, 'index.ts'), path.join(dir, 'handler.ts')];
  writeFileSync(sources[0] as string, "import { handle } from './handler';\nexport const main = handle;\n");
  writeFileSync(sources[1] as string, 'export const handle = () => 1;\n');
  return { cache: path.join(dir, 'cache'), sources, files: new Map([['index.js', 'exports.main = () => 1;\n']]) };
}

describe('the login bundle kept between processes', () => {
  it('given the sources the build read unchanged, answers the kept files', () => {
    const { cache, sources, files } = built();
    writeBundle(cache, 'key', sources, files);
    expect(readBundle(cache, 'key')).toEqual(files);
  });

  it('given a source edited since, answers nothing: the bundle is built afresh', () => {
    const { cache, sources, files } = built();
    writeBundle(cache, 'key', sources, files);
    writeFileSync(sources[1] as string, 'export const handle = () => 2;\n');
    expect(readBundle(cache, 'key')).toBeNull();
  });

  it('given a source gone since, answers nothing', () => {
    const { cache, sources, files } = built();
    writeBundle(cache, 'key', sources, files);
    rmSync(sources[0] as string);
    expect(readBundle(cache, 'key')).toBeNull();
  });

  it('given another key (another esbuild, other options, another build script), answers nothing', () => {
    const { cache, sources, files } = built();
    writeBundle(cache, bundleKey({ esbuild: '0.28.2', options: { minify: false } }), sources, files);
    expect(readBundle(cache, bundleKey({ esbuild: '0.28.2', options: { minify: true } }))).toBeNull();
    expect(readBundle(cache, bundleKey({ esbuild: '0.28.3', options: { minify: false } }))).toBeNull();
    expect(readBundle(cache, bundleKey({ esbuild: '0.28.2', options: { minify: false } }))).toEqual(files);
  });

  it("keys a plugin by its name and its setup's name, and leaves out the plugins' virtual modules, which are no files", () => {
    const plugin = { name: 'unbundled', setup() {} };
    expect(bundleKey({ plugins: [plugin] })).toBe(bundleKey({ plugins: [{ name: 'unbundled', setup: 'function setup' }] }));
    const { cache, sources, files } = built();
    writeBundle(cache, 'key', [...sources, path.join(path.dirname(sources[0] as string), 'unbundled:wx-server-sdk')], files);
    expect(Object.keys(JSON.parse(readFileSync(path.join(cache, 'key.json'), 'utf8')).inputs)).toEqual(sources);
  });

  it('given a cache folder it cannot write, keeps nothing and answers nothing', () => {
    const { cache, sources, files } = built();
    writeFileSync(cache, 'a file where the folder would be');
    writeBundle(cache, 'key', sources, files);
    expect(readBundle(cache, 'key')).toBeNull();
  });

  it('keys on every module of this repository the build script runs', () => {
    const local = new Set<string>();
    const visit = (file: string) => {
      if (local.has(file)) return;
      local.add(file);
      const text = readFileSync(path.join(KIT_ROOT, file), 'utf8');
      for (const match of text.matchAll(/^import[^'"]*['"](\.{1,2}\/[^'"]+)['"]/gm))
        visit(path.posix.join(path.posix.dirname(file), match[1]?.endsWith('.js') ? match[1] : `${match[1]}.ts`));
    };
    visit('scripts/build.ts');
    expect([...local].sort()).toEqual([...LOGIN_BUILD_SCRIPTS].sort());
  });
});
