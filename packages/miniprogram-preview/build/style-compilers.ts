/**
 * Sass and Less as DevTools compiles them (project.config.json `setting.useCompilerPlugins`:
 * ["sass"] or ["less"]): a page's `index.scss` / `index.less` stands where `index.wxss` would be,
 * and becomes WXSS before the preview converts it (wxss.ts). `sass` is dart-sass, the reference
 * implementation DevTools' plugin uses too; `less` is the Less project's own compiler.
 *
 * Each compiler is loaded by the first file that needs it: most projects have neither, and loading
 * dart-sass alone costs about half a second of CPU in every process (and every Jest test file) that
 * builds or serves a preview.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as Sass from 'sass';
import { WxssSyntaxError } from './wxss';

interface LessRenderError {
  message: string;
  line?: number;
  column?: number;
}

interface Less {
  render(
    input: string,
    options: { filename: string; paths: string[]; syncImport: boolean },
    callback: (error: LessRenderError | null, output?: { css: string; imports: string[] }) => void,
  ): void;
}

/** `text` of `relativePath` (under `root`) as WXSS: compiled when it is Sass or Less, else as it is. */
export function compileStyleSource(
  relativePath: string,
  text: string,
  root: string,
  loaded: (file: string) => void = () => undefined,
): string {
  const extension = path.extname(relativePath);
  const full = path.join(root, relativePath);
  if (extension === '.scss' || extension === '.sass') {
    try {
      const sass = createRequire(__filename)('sass') as typeof Sass;
      const result = sass.compileString(text, {
        syntax: extension === '.sass' ? 'indented' : 'scss',
        url: pathToFileURL(full),
        loadPaths: [path.dirname(full), root],
        style: 'expanded',
        // DevTools projects use @import throughout: no deprecation notice on every build.
        silenceDeprecations: ['import'],
      });
      // Partials it imported: an edit of one rebuilds the preview too.
      for (const url of result.loadedUrls) if (url.protocol === 'file:') loaded(fileURLToPath(url));
      return result.css;
    } catch (error) {
      throw new WxssSyntaxError(`${relativePath}: Sass: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (extension === '.less') {
    // createRequire: less ships no types, and the tests' global `require` is WeChat's.
    const less = createRequire(__filename)('less') as Less;
    let css: string | null = null;
    let failure: LessRenderError | null = null;
    // syncImport: the callback runs before render() returns.
    less.render(text, { filename: full, paths: [path.dirname(full), root], syncImport: true }, (error, output) => {
      failure = error;
      css = output?.css ?? null;
      for (const file of output?.imports ?? []) loaded(path.resolve(path.dirname(full), file));
    });
    const failed = failure as LessRenderError | null;
    if (failed) throw new WxssSyntaxError(`${relativePath}:${failed.line ?? 0}:${failed.column ?? 0}: Less: ${failed.message}`);
    if (css === null) throw new WxssSyntaxError(`${relativePath}: Less did not compile synchronously`);
    return css;
  }
  return text;
}
