import { mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildKey, dependedOn, recordedOutputs, writeRecord } from '../../../scripts/lib/build-record';

const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/** A function folder with its sources, its package.json and tsconfig, a build's output, and where its record goes. */
function built() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'build-record-'));
  folders.push(dir);
  const fn = path.join(dir, 'hello');
  mkdirSync(path.join(fn, 'src'), { recursive: true });
  const file = (name: string, text: string) => {
    writeFileSync(path.join(fn, name), text);
    return path.join(fn, name);
  };
  const source = file('src/index.ts', "export const main = () => 'first';\n");
  const manifest = file('package.json', '{"name":"hello"}');
  const tsconfig = file('tsconfig.json', '{"compilerOptions":{"strict":true}}');
  const output = file('index.js', "exports.main = () => 'first';\n");
  const record = path.join(dir, 'records', 'hello.json');
  const key = buildKey({ options: { outfile: output }, plugins: [function plugin() {}] });
  // As esbuild lists them: a plugin's virtual module beside the real files.
  writeRecord(record, key, [source, 'unbundled:axios'], [output]);
  return { fn, source, manifest, tsconfig, output, record, key };
}

describe('the record of a function build', () => {
  it('given nothing changed, answers the files the build wrote', () => {
    const { output, record, key } = built();
    expect(recordedOutputs(record, key)).toEqual(new Map([[output, Buffer.from("exports.main = () => 'first';\n")]]));
  });

  it('given an edited source, answers nothing: the function is built again', () => {
    const { source, record, key } = built();
    writeFileSync(source, "export const main = () => 'second';\n");
    expect(recordedOutputs(record, key)).toBeNull();
  });

  it('given an edited package.json or tsconfig beside the sources, answers nothing', () => {
    const first = built();
    writeFileSync(first.manifest, '{"name":"hello","type":"module"}');
    expect(recordedOutputs(first.record, first.key)).toBeNull();
    const second = built();
    writeFileSync(second.tsconfig, '{"compilerOptions":{"strict":true,"useDefineForClassFields":false}}');
    expect(recordedOutputs(second.record, second.key)).toBeNull();
  });

  it('given an output edited or removed since, answers nothing', () => {
    const edited = built();
    writeFileSync(edited.output, 'exports.main = () => "edited by hand";\n');
    expect(recordedOutputs(edited.record, edited.key)).toBeNull();
    const removed = built();
    unlinkSync(removed.output);
    expect(recordedOutputs(removed.record, removed.key)).toBeNull();
  });

  it('given other options, scripts or esbuild (another key), answers nothing', () => {
    const { output, record } = built();
    expect(recordedOutputs(record, buildKey({ options: { outfile: output, minify: true }, plugins: [function plugin() {}] }))).toBeNull();
  });

  it('given no record, or one that is not JSON, answers nothing', () => {
    const { record, key } = built();
    expect(recordedOutputs(`${record}.missing`, key)).toBeNull();
    writeFileSync(record, '{"key":');
    expect(recordedOutputs(record, key)).toBeNull();
  });

  it('depends on the files read and on every package.json and tsconfig in their folders and above, not on virtual modules', () => {
    const { fn, source, manifest, tsconfig, record } = built();
    const files = dependedOn([source, 'deferred:https']);
    expect(files).toEqual(expect.arrayContaining([source, manifest, tsconfig]));
    expect(files).not.toContain('deferred:https');
    expect(files.every((file) => !file.startsWith(fn) || [source, manifest, tsconfig].includes(file))).toBe(true);
    expect(Object.keys(JSON.parse(readFileSync(record, 'utf8')).inputs)).toEqual(expect.arrayContaining([source, manifest, tsconfig]));
  });
});
