import fs from 'fs';
import path from 'path';

/**
 * Rules of the mini-program's layout that a compiler cannot check:
 * only platform/ touches `wx` (everything else runs in tests and in the browser preview as is),
 * and the profile APIs WeChat withdrew in 2022 are used nowhere (WeChat review rejects them).
 */

const ROOT = path.resolve(__dirname, '../../miniprogram');

function filesUnder(dir: string, extensions: string[]): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(full, extensions);
    return extensions.some((extension) => entry.name.endsWith(extension)) ? [full] : [];
  });
}

function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
}

describe('miniprogram layout', () => {
  it('only platform/ reaches the wx global (and getCurrentPages)', () => {
    const offenders = filesUnder(ROOT, ['.ts'])
      .filter((file) => !file.startsWith(path.join(ROOT, 'platform') + path.sep))
      .filter((file) => /\bwx\s*\.|\bgetCurrentPages\b/.test(withoutComments(fs.readFileSync(file, 'utf8'))))
      .map((file) => path.relative(ROOT, file));

    expect(offenders).toEqual([]);
  });

  it('services/ imports nothing from platform/ or pages/', () => {
    const offenders = ['auth', 'account']
      .flatMap((folder) => filesUnder(path.join(ROOT, 'services', folder), ['.ts']))
      .filter((file) => /from '\.\.\/\.\.\/(platform|pages|components)\//.test(fs.readFileSync(file, 'utf8')))
      .map((file) => path.relative(ROOT, file));

    expect(offenders).toEqual([]);
  });

  it('no page or component uses the withdrawn profile APIs', () => {
    const offenders = filesUnder(ROOT, ['.ts', '.wxml', '.json'])
      .filter((file) => /getUserProfile|getUserInfo|open-type="getUserInfo"/.test(fs.readFileSync(file, 'utf8')))
      .map((file) => path.relative(ROOT, file));

    expect(offenders).toEqual([]);
  });
});
