/**
 * Scripts that mix ES `import` with CommonJS `module.exports` (TDesign's retail starter:
 * `import dayjs from 'dayjs'` above `module.exports = { formatTime }`). DevTools compiles every
 * file to CommonJS first (its ES6 → ES5 step), so such a file exports what `module.exports` says
 * and `import { formatTime } from '../utils/util'` elsewhere finds it. esbuild takes a file with
 * `import` as an ES module, and then finds no export at all. So, for a file that imports, assigns
 * `module.exports` / `exports.x` and exports nothing the ES way, each import becomes the
 * `require()` DevTools would have written. Pure over the source text.
 */

const IMPORT =
  /^[ \t]*import\s+(?:([A-Za-z_$][\w$]*)\s*,?\s*)?(?:\{([^}]*)\}|\*\s*as\s+([A-Za-z_$][\w$]*))?\s*(?:from\s*)?(["'])([^"']+)\4[ \t]*;?/gm;

/** Whether a script is such a mixed module. */
export function isMixedModule(source: string): boolean {
  return (
    /^[ \t]*import[\s{*'"]/m.test(source) &&
    /\bmodule\.exports\b|\bexports\.[A-Za-z_$][\w$]*\s*=/.test(source) &&
    !/^[ \t]*export\s/m.test(source)
  );
}

/** The source with its imports as require() calls; null when the file is not a mixed module. */
export function importsToRequires(source: string): string | null {
  if (!isMixedModule(source)) return null;
  let count = 0;
  return source.replace(IMPORT, (_whole, defaultName?: string, named?: string, namespace?: string, _quote?: string, specifier?: string) => {
    const module = `__pvImport${count}`;
    count += 1;
    const lines = [`var ${module} = require(${JSON.stringify(specifier)});`];
    if (defaultName) lines.push(`var ${defaultName} = ${module} && ${module}.__esModule ? ${module}.default : ${module};`);
    if (namespace) lines.push(`var ${namespace} = ${module};`);
    for (const entry of (named ?? '').split(',')) {
      const [imported, local] = entry.split(/\s+as\s+/).map((part) => part.trim());
      if (imported) lines.push(`var ${local ?? imported} = ${module}[${JSON.stringify(imported)}];`);
    }
    return lines.join(' ');
  });
}
