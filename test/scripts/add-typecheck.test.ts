/**
 * The TypeScript template type-checked with its own tsconfig.json (strict, no skipLibCheck) before
 * and after `npm run add`, under the typings DevTools' template asks for (miniprogram-api-typings
 * ^2.8.3-1, which is 2.12.0) and the current ones (5.x): the install adds no error, with the default
 * pages and with every account page (--pages profile). Before the fix the install added 10 and 33
 * errors under 2.x and 2 under 5.x, all in installed code.
 */
import { cpSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { add, copyFixture, FIXTURES, KIT_ROOT, removeFixtureCopies, TS_TEMPLATE } from './support/fixture-projects';

afterAll(removeFixtureCopies);

const TYPINGS = {
  'miniprogram-api-typings 2.12 (the template asks for ^2.8.3-1)': path.join(KIT_ROOT, 'node_modules', 'miniprogram-api-typings-2'),
  'miniprogram-api-typings 5.x': path.join(KIT_ROOT, 'node_modules', 'miniprogram-api-typings'),
};

/**
 * The template with `typings` installed as its node_modules/miniprogram-api-typings: linked, as a
 * workspace install would, so that every check reads the same typings files and can share their
 * parsed trees (`parsed` below). The install reads the typings' version through the link. Given
 * `root`, the template is copied afresh into that same folder (whatever an earlier install wrote
 * there is gone), so that an incremental check sees the same paths (`typeChecker` below).
 */
function templateWith(typings: string, root?: string): string {
  if (root) {
    rmSync(root, { recursive: true, force: true });
    cpSync(path.join(FIXTURES, TS_TEMPLATE), root, { recursive: true });
  } else root = copyFixture(TS_TEMPLATE);
  mkdirSync(path.join(root, 'node_modules'));
  symlinkSync(typings, path.join(root, 'node_modules', 'miniprogram-api-typings'), 'junction');
  return root;
}

/**
 * Parsed (and, once checked, bound) files by name and text, shared by every check in this file: the
 * typings and TypeScript's own libs are most of each program and never change between checks, so
 * each is parsed once instead of six times. A file whose text changed is parsed again. TypeScript's
 * language service shares source files between programs the same way. The incremental host gives
 * each file the version (a hash of its text) that the builder programs of `typeChecker` compare.
 */
const parsed = new Map<string, ts.SourceFile>();

function sharingHost(options: ts.CompilerOptions): ts.CompilerHost {
  const host = ts.createIncrementalCompilerHost(options);
  return {
    ...host,
    getSourceFile(fileName, languageVersion, onError) {
      const text = host.readFile(fileName);
      if (text === undefined) return host.getSourceFile(fileName, languageVersion, onError);
      const key = `${fileName}\0${typeof languageVersion === 'object' ? JSON.stringify(languageVersion) : languageVersion}`;
      const known = parsed.get(key);
      if (known?.text === text) return known;
      const file = host.getSourceFile(fileName, languageVersion, onError);
      if (file) parsed.set(key, file);
      return file;
    },
  };
}

/** A diagnostic's file as the project sees it: the linked typings under node_modules/miniprogram-api-typings. */
function projectPath(root: string, fileName: string): string {
  for (const typings of Object.values(TYPINGS)) {
    const inside = path.relative(typings, fileName);
    if (!inside.startsWith('..') && !path.isAbsolute(inside))
      return path.posix.join('node_modules/miniprogram-api-typings', ...inside.split(path.sep));
  }
  return path.relative(root, fileName);
}

/**
 * `tsc -p <root> --noEmit` as diagnostics "file(line): TScode", incremental the way `tsc --watch`
 * is: each check of a checker is a semantic-diagnostics builder program on the previous one, which
 * re-checks only the files that changed or were added and the files they affect (every file when a
 * change reaches the global scope, or the compiler options changed), and reuses the rest's
 * diagnostics. The typings and TypeScript's libs, most of the work and unchanged by an install,
 * are checked once per typings instead of three times.
 */
function typeChecker(): (root: string) => string[] {
  let previous: ts.SemanticDiagnosticsBuilderProgram | undefined;
  return (root) => {
    const config = ts.getParsedCommandLineOfConfigFile(
      path.join(root, 'tsconfig.json'),
      { noEmit: true },
      {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
          throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
        },
      },
    );
    if (!config) throw new Error('tsconfig.json not read');
    const program = ts.createSemanticDiagnosticsBuilderProgram(
      config.fileNames,
      config.options,
      sharingHost(config.options),
      previous,
      ts.getConfigFileParsingDiagnostics(config),
    );
    previous = program;
    // What ts.getPreEmitDiagnostics collects (no declaration diagnostics: the template emits none).
    const diagnostics = ts.sortAndDeduplicateDiagnostics([
      ...program.getConfigFileParsingDiagnostics(),
      ...program.getOptionsDiagnostics(),
      ...program.getSyntacticDiagnostics(),
      ...program.getGlobalDiagnostics(),
      ...program.getSemanticDiagnostics(),
    ]);
    return diagnostics
      .filter((diagnostic) => diagnostic.category === ts.DiagnosticCategory.Error)
      .map((diagnostic) => {
        const file = diagnostic.file ? projectPath(root, diagnostic.file.fileName) : '(global)';
        const line =
          diagnostic.file && diagnostic.start !== undefined ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line + 1 : 0;
        return `${file}(${line}): TS${diagnostic.code} ${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')}`;
      })
      .sort();
  };
}

describe.each(Object.entries(TYPINGS))('the TypeScript template under %s', (_name, typings) => {
  const typeCheck = typeChecker();
  let root: string;
  let before: string[];

  beforeAll(() => {
    root = templateWith(typings);
    before = typeCheck(root);
    // 2.12's own files have two errors under today's TypeScript: they are the project's before any install.
    expect(before.filter((line) => !line.startsWith('node_modules/'))).toEqual([]);
  }, 120_000);

  it.each([[[]], [['--pages', 'profile']]])(
    'type-checks with no new error after npm run add %j',
    async (extra) => {
      templateWith(typings, root);
      const run = await add(root, ...extra);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(typeCheck(root)).toEqual(before);
    },
    180_000,
  );
});
