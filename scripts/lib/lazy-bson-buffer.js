// @ts-check
/**
 * bson with its 17 MiB serialization buffer allocated on first use instead of when the module loads: one edit
 * of bson's main file, used by the function build (scripts/lib/dependency-edits.ts, bson 4.x inside
 * @cloudbase/database) and by Jest (test/support/lazy-bson-buffer.transform.js, bson 4.x and the emulator's 7.x).
 *
 * bson's module body allocates a zero-filled 17 MiB buffer for `serialize` to write into. In a fresh process
 * that costs nothing (the kernel's zero pages), but a process that loads bson again and again (the emulator's
 * function instances, one worker thread each; Jest's sandbox per test file) zero-fills the memory the last
 * copy freed each time, ~10-14 ms of CPU per load, and V8 counts it towards its next collection.
 *
 * The edit: the buffer starts empty, and each of the three functions that use it first allocates the 17 MiB
 * buffer when it has not been yet, so every call sees the same buffer size it saw before. That holds only where
 * nothing else in the file refers to the buffer: the edit applies to the files it was checked on, named by their
 * SHA-256 (a scope analysis of each file found the declaration's references in those three functions only;
 * test/scripts/lib/lazy-bson-buffer.test.ts serialises through the edited and the published file and compares
 * the bytes). Any other file: null, and it runs as published. To add a version, check it the same way.
 */
const { createHash } = require('node:crypto');

/** Each checked file: its SHA-256, the buffer's declaration and the call that allocates. */
const VERSIONS = [
  {
    file: 'bson 4.7.2 lib/bson.js',
    sha256: 'f53164490a4cd133589bab458920f20a93fe5d4af1ac20365fc43571e5dea873',
    declaration: 'var buffer = buffer_1.Buffer.alloc(MAXSIZE);',
    allocate: 'buffer_1.Buffer.alloc',
  },
  {
    file: 'bson 7.3.4 lib/bson.cjs',
    sha256: 'c98892ae6d3cda8238abc24087a648af03e19a3f906b34b61967d34ef1b0cd15',
    declaration: 'let buffer = ByteUtils.allocate(MAXSIZE);',
    allocate: 'ByteUtils.allocate',
  },
];

/** The functions that use the buffer, each declared once at the top level after it. */
const USERS = ['setInternalBufferSize', 'serialize', 'serializeWithBufferAndIndex'];

/**
 * bson's source with the buffer allocated on first use, or null when it is not a file the edit was checked on.
 * @param {string} source
 * @returns {string | null}
 */
function lazyBsonBuffer(source) {
  const sha256 = createHash('sha256').update(source).digest('hex');
  for (const { declaration, allocate } of VERSIONS.filter((version) => version.sha256 === sha256)) {
    const at = source.indexOf(declaration);
    if (at < 0 || source.indexOf(declaration, at + 1) >= 0) return null;
    const ensure = `if (buffer.length < MAXSIZE) buffer = ${allocate}(MAXSIZE);`;
    let edited = `${source.slice(0, at)}${declaration.replace('(MAXSIZE)', '(0)')}${source.slice(at + declaration.length)}`;
    for (const name of USERS) {
      const header = new RegExp(`^function ${name}\\([^)\\n]*\\) \\{$`, 'gm');
      const found = [...edited.matchAll(header)];
      const match = found.length === 1 ? found[0] : undefined;
      if (match?.index === undefined || match.index < at) return null;
      const end = match.index + match[0].length;
      // On the header's line: every later line keeps its number.
      edited = `${edited.slice(0, end)} ${ensure}${edited.slice(end)}`;
    }
    return edited;
  }
  return null;
}

module.exports = { lazyBsonBuffer, LAZY_BSON_VERSIONS: VERSIONS };
