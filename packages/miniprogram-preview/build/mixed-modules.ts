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

/** Whether a script is such a mixed module: ES syntax, and CommonJS exports assigned. */
export function isMixedModule(source: string): boolean {
  const esSyntax = /^[ \t]*(import[\s{*'"]|export\s)/m.test(source);
  return esSyntax && /\bmodule\.exports\s*=[^=]|\bexports\.[A-Za-z_$][\w$]*\s*=[^=]/.test(source);
}

/**
 * The source as CommonJS, as Babel compiles it: imports become require() calls, `export` declarations
 * plain ones whose names are set on `exports` at the end (where a later `module.exports = …`
 * has replaced that object, they are lost, as with Babel); null when the file is not a mixed module.
 */
export function importsToRequires(source: string): string | null {
  if (!isMixedModule(source)) return null;
  let count = 0;
  const exported: string[] = [];
  const withRequires = source.replace(
    IMPORT,
    (_whole, defaultName?: string, named?: string, namespace?: string, _quote?: string, specifier?: string) => {
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
    },
  );
  const withoutExports = withRequires
    .replace(
      /^([ \t]*)export\s+(?:async\s+)?(const|let|var|function\*?|class)\s+([A-Za-z_$][\w$]*)/gm,
      (whole, indent: string, _kind: string, name: string) => {
        exported.push(`exports.${name} = ${name};`);
        return `${indent}${whole.slice(indent.length).replace(/^export\s+/, '')}`;
      },
    )
    .replace(/^([ \t]*)export\s+default\s+/gm, '$1exports.default = ')
    .replace(/^[ \t]*export\s*\{([^}]*)\}\s*;?/gm, (_whole, names: string) =>
      names
        .split(',')
        .map((entry) => entry.split(/\s+as\s+/).map((part) => part.trim()))
        .filter(([local]) => local)
        .map(([local, as]) => `exports.${as ?? local} = ${local};`)
        .join(' '),
    );
  return exported.length > 0 ? `${withoutExports}\n${exported.join('\n')}\n` : withoutExports;
}
