/**
 * Cutting one module out of a webpack 4 bundle (wx-server-sdk ships as one): the build defers a
 * module of the SDK that a first call never reaches (scripts/build.ts LAZY_SDK_MODULES).
 *
 * A webpack 4 bundle lists its modules as
 *
 *   /***\/ "./src/protobuf/openapi.js":
 *   /*! … *\/
 *   /***\/ (function(module, exports, __webpack_require__) {
 *   …the module's own code…
 *   /***\/ }),
 *
 * and marks its own lines with a leading `/***\/`, which module code never starts a line with.
 * A module can be cut out only when everything it requires is an external (a module whose whole
 * body is `module.exports = require("name");`): the cut module then needs nothing of the bundle.
 */

export interface CutModule {
  /** The bundle with the module's code replaced (line numbers of the rest unchanged). */
  bundle: string;
  /** A CommonJS file that runs the module's code on its own and exports what it exported. */
  module: string;
}

const MODULE_HEADER = /^\/\*\*\*\/ \(function\((module(?:, exports(?:, __webpack_require__)?)?)?\) \{$/;
const REQUIRE_CALL = /__webpack_require__\((?:\/\*![^*]*\*\/ )?("(?:[^"\\]|\\.)*")\)/g;

interface ModuleSpan {
  /** Offset of the first character of the module's code. */
  start: number;
  /** Offset just past the module's code (the newline before its closing `/***\/ })`). */
  end: number;
}

function findModule(source: string, id: string): ModuleSpan | null {
  const key = `\n/***/ ${JSON.stringify(id)}:\n`;
  const at = source.indexOf(key);
  if (at < 0 || source.indexOf(key, at + 1) >= 0) return null;
  // The function header follows within the few comment lines webpack puts after the key.
  let lineStart = at + key.length;
  for (let line = 0; line < 8; line++) {
    const lineEnd = source.indexOf('\n', lineStart);
    if (lineEnd < 0) return null;
    const text = source.slice(lineStart, lineEnd);
    if (MODULE_HEADER.test(text)) {
      const start = lineEnd + 1;
      const end = source.indexOf('\n/***/ })', start);
      if (end < 0 || source.slice(start, end).includes('\n/***/')) return null;
      return { start, end };
    }
    lineStart = lineEnd + 1;
  }
  return null;
}

/** The package name an external module requires, or null when the module is anything else. */
function externalName(source: string, id: string): string | null {
  const span = findModule(source, id);
  if (!span) return null;
  const code = source.slice(span.start, span.end).trim();
  return code === `module.exports = require(${JSON.stringify(id)});` ? id : null;
}

/** The module's code replaced by `replacement`, padded with newlines to the lines the code took. */
function replaceCode(source: string, span: ModuleSpan, replacement: string): string {
  const lines = (text: string) => text.split('\n').length;
  const padding = '\n'.repeat(Math.max(0, lines(source.slice(span.start, span.end)) - lines(replacement)));
  return `${source.slice(0, span.start)}${replacement}${padding}${source.slice(span.end)}`;
}

/** Whether any module of `bundle` still requires `name`. */
function requiresOf(bundle: string, name: string): boolean {
  return [...bundle.matchAll(REQUIRE_CALL)].some((match) => JSON.parse(match[1] as string) === name);
}

/**
 * Cuts module `id` out of webpack bundle `source`: its code becomes `replacement` (padded with
 * newlines to the lines it took, so a source map of the rest still names the right lines), and
 * the module's code is returned as a file of its own. Null when the bundle does not have that
 * layout or the module needs anything but externals.
 */
export function cutWebpackModule(source: string, id: string, replacement: string): CutModule | null {
  const span = findModule(source, id);
  if (!span) return null;
  const code = source.slice(span.start, span.end);
  const required = [...code.matchAll(REQUIRE_CALL)].map((match) => JSON.parse(match[1] as string) as string);
  if (required.length !== code.split('__webpack_require__').length - 1) return null; // used other than as a plain call
  const externals = [...new Set(required)];
  if (externals.some((name) => externalName(source, name) !== name)) return null;
  let bundle = replaceCode(source, span, replacement);
  // An external only this module required goes with it: left in the bundle, its `require` would
  // still pull the package into index.js (a bundler sees it; nothing would ever run it).
  for (const name of externals) {
    if (requiresOf(bundle, name)) continue;
    const external = findModule(bundle, name);
    if (external) bundle = replaceCode(bundle, external, `/* ${name}: required only by ${id}, which is loaded lazily */`);
  }
  const cases = externals.map((name) => `    case ${JSON.stringify(name)}: return require(${JSON.stringify(name)});`).join('\n');
  return {
    bundle,
    module: `const cut = { exports: {} };
(function (module, exports, __webpack_require__) {
${code}
}).call(cut.exports, cut, cut.exports, (name) => {
  switch (name) {
${cases}
  }
  throw new Error('not an external of this module: ' + name);
});
module.exports = cut.exports;
`,
  };
}
