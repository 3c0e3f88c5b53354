import { importsToRequires } from '../../build/mixed-modules';

/** Runs CommonJS `source` with `modules` as what require() returns; answers its module.exports. */
function run(source: string, modules: Record<string, unknown>): Record<string, unknown> {
  const module = { exports: {} as Record<string, unknown> };
  new Function('require', 'module', 'exports', source)((name: string) => modules[name], module, module.exports);
  return module.exports;
}

describe('scripts mixing import with module.exports, as DevTools compiles them', () => {
  it('given default, named, renamed and namespace imports above module.exports, then the file exports what module.exports says', () => {
    const source = [
      "import dayjs from 'dayjs';",
      "import { a, b as c } from './ab';",
      "import * as all from './all';",
      "import './side-effect';",
      'const formatTime = (date) => dayjs(date) + a + c + all.x;',
      'module.exports = { formatTime };',
    ].join('\n');
    const compiled = importsToRequires(source);
    if (compiled === null) throw new Error('not taken as a mixed module');
    const exported = run(compiled, {
      dayjs: (date: string) => `day(${date})`,
      './ab': { a: 'A', b: 'B' },
      './all': { x: 'X' },
      './side-effect': {},
    });
    expect((exported.formatTime as (date: string) => string)('1')).toBe('day(1)ABX');
  });

  it('reads an ES module’s default export through __esModule, as Babel’s interop does', () => {
    const compiled = importsToRequires("import Toast from './toast';\nmodule.exports = { show: () => Toast() };") ?? '';
    expect((run(compiled, { './toast': { __esModule: true, default: () => 'shown' } }).show as () => string)()).toBe('shown');
  });

  it('given an export declaration too, then module.exports assigned later replaces it, as with Babel', () => {
    const source = "export const width = () => 375;\nexport function height() { return 667; }\nmodule.exports = { formatTime: () => 't' };";
    const exported = run(importsToRequires(source) ?? '', {});
    expect(Object.keys(exported)).toEqual(['formatTime']);
    const kept = run(importsToRequires('export const width = () => 375;\nexports.extra = 1;') ?? '', {});
    expect((kept.width as () => number)()).toBe(375);
    expect(kept.extra).toBe(1);
  });

  it('leaves ES modules and plain CommonJS alone', () => {
    expect(importsToRequires("import a from './a';\nexport const b = a;")).toBeNull();
    expect(importsToRequires("const a = require('./a');\nmodule.exports = { a };")).toBeNull();
  });
});
