import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import Module from 'node:module';
import path from 'node:path';
import { LAZY_BSON_VERSIONS, lazyBsonBuffer } from '../../../scripts/lib/lazy-bson-buffer.js';

interface BsonSerializer {
  serialize(document: object): Uint8Array;
  serializeWithBufferAndIndex(document: object, into: Uint8Array): number;
  setInternalBufferSize(size: number): void;
}

/** The bson files the edit is made for: the emulator's (7.x) and the one @cloudbase/database bundles into the functions (4.x). */
const FILES = {
  'bson 7.x (the emulator)': path.resolve('node_modules/bson/lib/bson.cjs'),
  'bson 4.x (@cloudbase/database, in the functions)': path.resolve('node_modules/@cloudbase/database/node_modules/bson/lib/bson.js'),
};

/**
 * `source` run as the module at `file` (its own requires resolve from there) with Node's loader, not Jest's: what
 * the function bundle and Jest's transform run. A fresh module each time, so its buffer starts as at load.
 */
function load(file: string, source: string): BsonSerializer {
  const module = new Module(file);
  module.filename = file;
  module.paths = (Module as unknown as { _nodeModulePaths(from: string): string[] })._nodeModulePaths(path.dirname(file));
  (module as unknown as { _compile(source: string, file: string): void })._compile(source, file);
  return module.exports as BsonSerializer;
}

/**
 * The bytes of array buffers `source` (run as the module at `file`) holds after its load, and after its first
 * serialize, in a process of their own: no other test's buffers come or go while it is measured.
 */
function allocatedInFreshProcess(file: string, source: string): { load: number; serialize: number } {
  const probe = `
    const Module = require('node:module');
    const file = process.argv[1];
    const source = require('node:fs').readFileSync(0, 'utf8');
    const held = () => process.memoryUsage().arrayBuffers;
    const before = held();
    const module = new Module(file);
    module.filename = file;
    module.paths = Module._nodeModulePaths(require('node:path').dirname(file));
    module._compile(source, file);
    const loaded = held();
    module.exports.serialize({ a: 1 });
    console.log(JSON.stringify({ load: loaded - before, serialize: held() - loaded }));
  `;
  const output = execFileSync(process.execPath, ['-e', probe, file], { input: source, encoding: 'utf8' });
  return JSON.parse(output) as { load: number; serialize: number };
}

/** A document of about `bytes` bytes, with the types a database answer holds. */
function document(bytes: number): object {
  return {
    _id: 'user-1',
    text: '注'.repeat(Math.ceil(bytes / 3)),
    count: 42,
    at: new Date(1_700_000_000_000),
    tags: ['a', 'b'],
    nested: { ok: true },
  };
}

describe.each(Object.entries(FILES))('%s with its serialization buffer allocated on first use', (_name, file) => {
  const published = readFileSync(file, 'utf8');
  const edited = lazyBsonBuffer(published);

  it('is a file the edit was checked on, and keeps every line where it was (its source map still fits)', () => {
    expect(edited).not.toBeNull();
    expect(edited?.split('\n')).toHaveLength(published.split('\n').length);
  });

  it('given a load, allocates no 17 MiB buffer until a serialization needs one', () => {
    const MiB = 1024 * 1024;
    const published17 = allocatedInFreshProcess(file, published);
    expect(published17.load).toBeGreaterThanOrEqual(17 * MiB);
    const lazy = allocatedInFreshProcess(file, edited ?? '');
    expect(lazy.load).toBeLessThan(MiB);
    expect(lazy.serialize).toBeGreaterThanOrEqual(17 * MiB);
  });

  it('given serializeWithBufferAndIndex as the first call, writes the bytes the published file writes', () => {
    const into = () => new Uint8Array(4096);
    const [before, after] = [into(), into()];
    const end = load(file, published).serializeWithBufferAndIndex(document(1000), before);
    expect(load(file, edited ?? '').serializeWithBufferAndIndex(document(1000), after)).toBe(end);
    expect(Buffer.from(after).toString('base64')).toBe(Buffer.from(before).toString('base64'));
  });

  it('given serialize, and a smaller buffer asked for first, answers the published bytes for small and large documents', () => {
    const bsons = [load(file, published), load(file, edited ?? '')];
    for (const bson of bsons) bson.setInternalBufferSize(16);
    for (const bytes of [10, 100_000]) {
      const [before, after] = bsons.map((bson) => Buffer.from(bson.serialize(document(bytes))).toString('base64'));
      expect(after).toBe(before);
      const into = new Uint8Array(Buffer.from(before ?? '', 'base64').length);
      expect(bsons[1]?.serializeWithBufferAndIndex(document(bytes), into)).toBe(into.length - 1);
      expect(Buffer.from(into).toString('base64')).toBe(before);
    }
  });
});

describe('a bson file the edit was not checked on', () => {
  it('given any other text (another version, one character changed), is left as published (null)', () => {
    const published = readFileSync(FILES['bson 7.x (the emulator)'], 'utf8');
    expect(lazyBsonBuffer(`${published}\n`)).toBeNull();
    expect(lazyBsonBuffer('let buffer = ByteUtils.allocate(MAXSIZE);\nfunction serialize(object, options = {}) {\n}\n')).toBeNull();
  });

  it('names each checked file once, by its SHA-256', () => {
    const hashes = LAZY_BSON_VERSIONS.map((version) => version.sha256);
    expect(new Set(hashes).size).toBe(hashes.length);
    for (const hash of hashes) expect(hash).toMatch(/^[0-9a-f]{64}$/);
  });
});
