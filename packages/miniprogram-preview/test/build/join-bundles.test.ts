import { transform } from 'esbuild';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { joinScripts, type ScriptWithMap, type SourceMapV3 } from '../../build/join-bundles';

/** `source` compiled as esbuild compiles a bundle's files: minified names, so the map carries names too. */
async function compiled(source: string, file: string): Promise<ScriptWithMap> {
  const result = await transform(source, { loader: 'ts', sourcefile: file, sourcemap: 'external', minifyIdentifiers: true });
  return { code: result.code, map: JSON.parse(result.map) as SourceMapV3 };
}

/** Where `text` is in `code` (`at` characters into it), and what the map says about that place. */
function originOf(joined: ScriptWithMap, text: string, at = 0) {
  const found = joined.code.indexOf(text);
  if (found < 0) throw new Error(`${text} is not in the joined script`);
  const index = found + at;
  const before = joined.code.slice(0, index);
  const line = before.split('\n').length - 1;
  const entry = new SourceMap({ sourceRoot: '', file: '', sourcesContent: [], ...joined.map } as SourceMapPayload).findEntry(
    line,
    index - before.lastIndexOf('\n') - 1,
  ) as {
    originalSource?: string;
    originalLine?: number;
    name?: string;
  };
  return { source: entry.originalSource, line: entry.originalLine, name: entry.name };
}

describe('joinScripts: two scripts with source maps as one', () => {
  it('maps every part of the joined script to the file and line it came from, names included', async () => {
    const pages = await compiled(
      "const pageTitle: string = 'home';\nexport function openPage(target: string) {\n  return [pageTitle, 'page-marker', target];\n}\n",
      'pages/home/index.ts',
    );
    const runtime = await compiled(
      "// the page stack\n\nexport function pushPage(route: string) {\n  let stackDepth = 0;\n  stackDepth += 1;\n  return { route, depth: stackDepth, marker: 'runtime-marker' };\n}\n",
      'runtime/page-stack.ts',
    );
    const joined = joinScripts(pages, runtime);

    expect(joined.code).toBe(`${pages.code}${runtime.code}`);
    expect(joined.map.sources).toEqual(['pages/home/index.ts', 'runtime/page-stack.ts']);
    expect(originOf(joined, '"home"')).toMatchObject({ source: 'pages/home/index.ts', line: 0 });
    expect(originOf(joined, '"page-marker"')).toMatchObject({ source: 'pages/home/index.ts', line: 2 });
    expect(originOf(joined, '"runtime-marker"')).toMatchObject({ source: 'runtime/page-stack.ts', line: 5 });
    // A renamed identifier of the second script still names what it was called there.
    const renamed = /let (\w+) = 0/.exec(joined.code)?.[1] ?? '';
    expect(renamed).not.toBe('stackDepth');
    expect(originOf(joined, `let ${renamed} = 0`, 'let '.length)).toMatchObject({
      source: 'runtime/page-stack.ts',
      line: 3,
      name: 'stackDepth',
    });
  });

  it('given a first script without a final newline, starts the second on a line of its own', async () => {
    const first = await compiled('export const a = 1;', 'a.ts');
    const second = await compiled("export const b = 'second-line';", 'b.ts');
    const joined = joinScripts({ ...first, code: first.code.trimEnd() }, second);
    expect(joined.code.split('\n').findIndex((line) => line.includes('second-line'))).toBeGreaterThan(0);
    expect(originOf(joined, '"second-line"')).toMatchObject({ source: 'b.ts', line: 0 });
  });
});
