import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { JAVASCRIPT_CACHE_VARIABLE, storedJavascript, storedJavascriptPath } from '../../../../scripts/lib/add/client-files';

const saved = process.env[JAVASCRIPT_CACHE_VARIABLE];
let folder: string;
beforeEach(() => {
  folder = mkdtempSync(path.join(os.tmpdir(), 'javascript-cache-'));
  process.env[JAVASCRIPT_CACHE_VARIABLE] = folder;
});
afterEach(() => {
  rmSync(folder, { recursive: true, force: true });
  if (saved === undefined) delete process.env[JAVASCRIPT_CACHE_VARIABLE];
  else process.env[JAVASCRIPT_CACHE_VARIABLE] = saved;
});

const source = { path: 'wx-cloud-login/services/greet.ts', content: "export const greet = (name: string): string => 'hello, ' + name;\n" };

describe("the installer's JavaScript kept between processes", () => {
  it('given a cache folder, compiles a file to CommonJS once and keeps it there for the next process', async () => {
    const code = await storedJavascript(source);
    expect(code).toContain('exports');
    expect(code).not.toContain(': string');
    expect(readFileSync(storedJavascriptPath(folder, source), 'utf8')).toBe(code);
  });

  it('given a kept entry for the same path and text, answers it without compiling', async () => {
    writeFileSync(storedJavascriptPath(folder, source), '// kept by an earlier process\n');
    expect(await storedJavascript(source)).toBe('// kept by an earlier process\n');
  });

  it('given another text of the same file, compiles that text', async () => {
    writeFileSync(storedJavascriptPath(folder, source), '// kept by an earlier process\n');
    const edited = { ...source, content: source.content.replace('hello', 'goodbye') };
    expect(await storedJavascript(edited)).toContain('goodbye');
  });

  it('given no cache folder, keeps nothing', async () => {
    delete process.env[JAVASCRIPT_CACHE_VARIABLE];
    expect(await storedJavascript(source)).toContain('hello');
    expect(existsSync(folder) ? readdirSync(folder) : []).toEqual([]);
  });
});
