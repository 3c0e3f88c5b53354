/**
 * Module bodies a cold start runs, compiled once instead of twice (scripts/build.ts).
 *
 * V8 compiles a function lazily: compiling index.js only pre-parses each function inside it, and the
 * first call of one parses it again in full. esbuild wraps every CommonJS module of a bundle in a
 * function that runs at its first `require`, so each module a cold start loads is parsed twice.
 * A function expression in parentheses, `(function (…) {…})`, is V8's sign of a function called at
 * once (and Node 16's and 18's): it is compiled with the script, parsed once. Here the modules that
 * run at load get that form; the others (behind a deferred stand-in) stay lazy, so a cold start
 * never compiles them.
 *
 * Worked on esbuild's readable (non-minified) CommonJS output, whose layout is fixed:
 *
 *   var __commonJS = (cb, mod) => function __require() {
 *     …(0, cb[__getOwnPropNames(cb)[0]])((mod = { exports: {} }).exports, mod)…
 *   var require_x = __commonJS({
 *     "node_modules/x/index.js"(exports, module) {
 *       …the module's code, indented…
 *     }
 *   });
 *
 * Each module becomes `__commonJS((function(exports, module) {…}))` (or without the outer parentheses)
 * and the helper calls the function itself. Line numbers stay as they were, so esbuild's source map
 * of that output still holds; the caller minifies the result (esbuild keeps such parentheses).
 */

const HELPER = /^var __commonJS = \(cb, mod\) => function __require\(\) \{\n(?:.*\n)*?\};$/m;
const HELPER_CALL = '(0, cb[__getOwnPropNames(cb)[0]])';
const WRAPPER_START = /^(var [\w$]+ = __commonJS\()\{$/;
const MODULE_HEADER = /^ {2}("(?:[^"\\]|\\.)*")\(([\w$]+(?:, [\w$]+)*)?\) \{$/;

export interface EagerModules {
  /** The bundle with every module in function form, those run at load in parentheses. */
  bundle: string;
  /** How many modules were put in parentheses. */
  eager: number;
}

/**
 * `bundle` (esbuild's readable CommonJS output) with the bodies of the modules `runsAtLoad` names
 * (by the key esbuild gives them: their path from the working directory, or `namespace:path`)
 * compiled with the script. Null when the bundle does not have the layout above (another esbuild
 * version): the caller then keeps it as it is.
 */
export function eagerModuleBodies(bundle: string, runsAtLoad: (key: string) => boolean): EagerModules | null {
  if (!/^var [\w$]+ = __commonJS\(/m.test(bundle)) return { bundle, eager: 0 };
  const helper = HELPER.exec(bundle);
  if (!helper?.[0].includes(HELPER_CALL)) return null;
  const lines = bundle.replace(HELPER, helper[0].replace(HELPER_CALL, 'cb')).split('\n');
  const wrappers = lines.filter((line) => WRAPPER_START.test(line)).length;
  let converted = 0;
  let eager = 0;
  for (let at = 0; at < lines.length; at++) {
    const start = WRAPPER_START.exec(lines[at] as string);
    const header = start && MODULE_HEADER.exec(lines[at + 1] ?? '');
    if (!start || !header) continue;
    // The module's code is indented; its function closes with `  }` and the wrapper with `});`.
    let end = at + 2;
    while (end < lines.length && !(lines[end] === '  }' && lines[end + 1] === '});')) {
      if (WRAPPER_START.test(lines[end] as string)) return null;
      end++;
    }
    if (end >= lines.length) return null;
    const key = JSON.parse(header[1] as string) as string;
    const inParentheses = runsAtLoad(key);
    lines[at] = start[1] as string;
    lines[at + 1] = `  ${inParentheses ? '(' : ''}function(${header[2] ?? ''}) {`;
    lines[end] = inParentheses ? '  })' : '  }';
    lines[end + 1] = ');';
    converted++;
    if (inParentheses) eager++;
    at = end + 1;
  }
  return converted === wrappers ? { bundle: lines.join('\n'), eager } : null;
}

/** The inputs of an esbuild metafile that run when the bundle loads: all but those reached only through `stopAt`. */
export function inputsRunAtLoad(
  inputs: Record<string, { imports: readonly { path: string; external?: boolean }[] }>,
  entry: string,
  stopAt: (input: string) => boolean,
): Set<string> {
  const reached = new Set([entry]);
  const pending = [entry];
  for (let input = pending.pop(); input !== undefined; input = pending.pop()) {
    if (stopAt(input)) continue;
    for (const imported of inputs[input]?.imports ?? []) {
      if (imported.external || reached.has(imported.path)) continue;
      reached.add(imported.path);
      pending.push(imported.path);
    }
  }
  return reached;
}
