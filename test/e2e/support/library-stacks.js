// @ts-check
/**
 * Jest's stack formatter (`Error.prepareStackTrace`, installed in the worker's realm for each test
 * file) maps every frame of every stack through the file's source map: it copies each frame into an
 * object of ~20 closures first, mapped or not. playwright-core asks for a stack on every call a test
 * makes (the caller's location) and on every protocol race inside it (`new Error().stack`), ~20
 * frames each, nearly all of them its own or Node's: in the e2e project that was ~1.8 s of the Jest
 * workers' CPU (CPU profile, 2026-12-07), for frames no map can change.
 *
 * `formatLibraryFramesDirectly` leaves Jest's formatter every frame it can map and writes the others
 * as V8 does: frames of playwright-core's bundle (it ships no source map), of Node's own modules and
 * native ones. A stack with no other frame never reaches Jest's formatter; a test file's frames
 * come out of it exactly as before, so failures point at the same lines of the same sources.
 */
const path = require('node:path');

/** playwright-core's one bundle, where its client and server code run: no `sourceMappingURL`, no map. */
const PLAYWRIGHT_BUNDLE = path.join(path.dirname(require.resolve('playwright-core/package.json')), 'lib', 'coreBundle.js');

/**
 * A frame that no source map can move: native, in Node's own modules (`node:…`), in playwright-core's
 * bundle, or without a file at all (outside `eval`, whose origin Jest maps).
 * @param {NodeJS.CallSite} frame
 */
function unmappable(frame) {
  if (frame.isNative()) return true;
  const file = frame.getFileName();
  if (file === undefined || file === null || file === '') return !frame.isEval();
  return file === PLAYWRIGHT_BUNDLE || file.startsWith('node:');
}

/** A stand-in error whose header Jest writes as `E: `: what precedes a single frame it formats. */
const STUB = { name: 'E', message: '' };
const STUB_HEADER = 'E: ';

/**
 * Jest's `prepareStackTrace` with unmappable frames written by V8's own `CallSite#toString`.
 * @param {(error: unknown, frames: NodeJS.CallSite[]) => string} jestFormat
 * @returns {(error: unknown, frames: NodeJS.CallSite[]) => string}
 */
function formatLibraryFramesDirectly(jestFormat) {
  return function prepareStackTrace(error, frames) {
    // The header exactly as Jest writes it (`name: message`), from a stack of no frames.
    let text = jestFormat(error, []);
    for (const frame of frames) {
      text += unmappable(frame) ? `\n    at ${frame}` : jestFormat(STUB, [frame]).slice(STUB_HEADER.length);
    }
    return text;
  };
}

/**
 * Wraps the realm's current formatter (Jest's, installed before the environment's setup) and answers
 * the function that puts it back. Jest installs its own again for the next file, whatever this left.
 * @returns {() => void}
 */
function installLibraryStackFormatter() {
  const jestFormat = Error.prepareStackTrace;
  if (typeof jestFormat !== 'function') return () => undefined;
  const wrapped = formatLibraryFramesDirectly(jestFormat);
  Error.prepareStackTrace = wrapped;
  return () => {
    if (Error.prepareStackTrace === wrapped) Error.prepareStackTrace = jestFormat;
  };
}

module.exports = { formatLibraryFramesDirectly, installLibraryStackFormatter, unmappable, PLAYWRIGHT_BUNDLE };
