import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DEPENDENCY_EDITS, type DependencyEdit, LOCALE_ORDER_SOURCE } from '../../../scripts/lib/dependency-edits';

type Compare = (left: string, right: string) => number;

/** The inlined comparator, evaluated as the bundle evaluates it, with `env` as process.env. */
function localeOrder(env: Record<string, string | undefined>): Compare {
  return new Function('process', `return ${LOCALE_ORDER_SOURCE};`)({ env }) as Compare;
}

const PLAIN = '_-0123456789abcdefghijklmnopqrstuvwxyz';

/** A deterministic stream of strings over `alphabet` (no Math.random: the same cases every run). */
function* strings(alphabet: string, count: number): Generator<string> {
  let seed = 42;
  const next = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed;
  };
  for (let i = 0; i < count; i++) {
    const length = next() % 14;
    yield Array.from({ length }, () => alphabet[next() % alphabet.length]).join('');
  }
}

function editOf(file: string): DependencyEdit {
  const edit = DEPENDENCY_EDITS.find((candidate) => candidate.file === file);
  if (!edit) throw new Error(`no edit of ${file}`);
  return edit;
}

/** The installed file an edit applies to (the copy the login bundles). */
function installed(file: string): string {
  const nested = path.resolve('node_modules/@cloudbase/database/node_modules', file);
  return readFileSync(file.startsWith('bson/') ? nested : path.resolve('node_modules', file), 'utf8');
}

describe('the order request signing sorts names in, without ICU', () => {
  const compare = localeOrder({ LANG: 'C.UTF-8' });
  const sign = (value: number) => Math.sign(value);

  it('given every name of up to three lowercase letters, digits, _ and -, orders them as localeCompare does', () => {
    const names = [''];
    for (const a of PLAIN) for (const b of ['', ...PLAIN]) names.push(a + b, ...(b ? [...PLAIN].map((c) => a + b + c) : []));
    // Distinct names sorted alike: both comparators are the same total order on them.
    expect([...names].sort(compare)).toEqual([...names].sort((a, b) => a.localeCompare(b)));
    expect(sign(compare('a_', 'a-'))).toBe(sign('a_'.localeCompare('a-')));
  });

  it('given longer names, the header and parameter names signing sees among them, orders them as localeCompare does', () => {
    const names = [
      ...strings(PLAIN, 4000),
      'content-type',
      'host',
      'x-tcb-source',
      'x-tcb-region',
      'x-client-timestamp',
      'tcb_sessiontoken',
      'wxcloudapitoken',
      'envname',
    ];
    const sorted = [...names].sort(compare);
    expect(sorted).toEqual([...names].sort((a, b) => a.localeCompare(b)));
  });

  it('given any other name (capitals, dots, non-ASCII), leaves the comparison to localeCompare', () => {
    const names = [...strings(`${PLAIN}ABCXYZ.~ é中`, 3000)];
    expect([...names].sort(compare)).toEqual([...names].sort((a, b) => a.localeCompare(b)));
  });

  it('given a locale that may tailor these letters (Estonian sorts z after s), uses localeCompare for every name', () => {
    const spy = jest.spyOn(String.prototype, 'localeCompare');
    try {
      localeOrder({ LC_ALL: 'et_EE.UTF-8', LANG: 'en_US.UTF-8' })('z', 't');
      expect(spy).toHaveBeenCalledTimes(1);
      spy.mockClear();
      for (const env of [{}, { LANG: 'zh_CN.UTF-8' }, { LC_MESSAGES: 'en_US.UTF-8' }, { LANG: 'POSIX' }]) localeOrder(env)('z', 't');
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });
});

describe('the edits the build makes to dependencies', () => {
  it('applies every edit to the installed version of its package, keeping the line count', () => {
    for (const edit of DEPENDENCY_EDITS) {
      const source = installed(edit.file);
      const edited = edit.apply(source);
      expect({ file: edit.file, edited: edited !== null }).toEqual({ file: edit.file, edited: true });
      expect(edited?.split('\n').length).toBeGreaterThanOrEqual(source.split('\n').length);
    }
  });

  it('given another version of a file (the edited text missing), edits nothing', () => {
    for (const edit of DEPENDENCY_EDITS) expect(edit.apply('"use strict";\nmodule.exports = {};\n')).toBeNull();
  });

  it("given bson's Long, multiplies and divides 64-bit integers as before, without compiling WebAssembly", () => {
    const source = installed('bson/lib/long.js');
    const edited = editOf('bson/lib/long.js').apply(source) ?? '';
    const compiled: number[] = [];
    const countingWasm = {
      ...WebAssembly,
      Module: function Module(bytes: BufferSource) {
        compiled.push(1);
        return new WebAssembly.Module(bytes);
      },
    };
    const load = (text: string) => {
      const mod: { exports: { Long?: typeof import('bson').Long } } = { exports: {} };
      const parserUtils = { isObjectLike: (value: unknown) => typeof value === 'object' && value !== null };
      new Function('module', 'exports', 'require', 'WebAssembly', text)(mod, mod.exports, () => parserUtils, countingWasm);
      return mod.exports.Long as typeof import('bson').Long;
    };
    const Long = load(edited);
    const big = Long.fromString('123456789012345');
    expect(big.multiply(Long.fromNumber(1000)).toString()).toBe('123456789012345000');
    expect(big.divide(Long.fromNumber(7)).toString()).toBe('17636684144620');
    expect(big.modulo(Long.fromNumber(7)).toString()).toBe('5');
    expect(Long.fromString('-9223372036854775808').divide(Long.fromNumber(-1)).toString()).toBe('-9223372036854775808');
    expect(Long.fromString('18446744073709551615', true).toString()).toBe('18446744073709551615');
    expect(compiled).toEqual([]);
    // The published file compiles its module at load and answers the same.
    const published = load(source);
    expect(compiled).toEqual([1]);
    expect(published.fromString('123456789012345').multiply(published.fromNumber(1000)).toString()).toBe('123456789012345000');
    expect(published.fromString('123456789012345').divide(published.fromNumber(7)).toString()).toBe('17636684144620');
  });
});
