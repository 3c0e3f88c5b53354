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
    // What tsc itself parses (its default since TypeScript 5.3): JSDoc only where it can carry a type
    // or an error (JavaScript files, @see/@link), not the typings' documentation, most of their text.
    jsDocParsingMode: ts.JSDocParsingMode.ParseForTypeErrors,
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

/** A diagnostic as "file(line): TScode message", its file as the project sees it. */
function describeDiagnostic(root: string, diagnostic: ts.Diagnostic): string {
  const file = diagnostic.file ? projectPath(root, diagnostic.file.fileName) : '(global)';
  const line =
    diagnostic.file && diagnostic.start !== undefined ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line + 1 : 0;
  return `${file}(${line}): TS${diagnostic.code} ${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')}`;
}

/** The errors among `diagnostics`, described and sorted. */
function errorLines(root: string, diagnostics: readonly ts.Diagnostic[]): string[] {
  return ts
    .sortAndDeduplicateDiagnostics(diagnostics)
    .filter((diagnostic) => diagnostic.category === ts.DiagnosticCategory.Error)
    .map((diagnostic) => describeDiagnostic(root, diagnostic))
    .sort();
}

function builderProgram(root: string, previous: ts.SemanticDiagnosticsBuilderProgram | undefined): ts.SemanticDiagnosticsBuilderProgram {
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
  return ts.createSemanticDiagnosticsBuilderProgram(
    config.fileNames,
    config.options,
    sharingHost(config.options),
    previous,
    ts.getConfigFileParsingDiagnostics(config),
  );
}

/**
 * What ts.getPreEmitDiagnostics collects but the semantic diagnostics (no declaration diagnostics:
 * the template emits none): the config's, the options', every file's syntax and the global ones.
 */
function diagnosticsBeyondFiles(program: ts.BuilderProgram): ts.Diagnostic[] {
  return [
    ...program.getConfigFileParsingDiagnostics(),
    ...program.getOptionsDiagnostics(),
    ...program.getSyntacticDiagnostics(),
    ...program.getGlobalDiagnostics(),
  ];
}

/** The errors of a project before an install and after it, over the same files. */
interface Comparison {
  before: string[];
  after: string[];
}

/**
 * `tsc -p <root> --noEmit` on the template, then after each install into the same folder, as
 * errors "file(line): TScode message", incremental the way `tsc --watch` is: each check is a
 * semantic-diagnostics builder program on the previous one, which re-checks only the files that
 * changed or were added and the files they affect (every file when a change reaches the global
 * scope, as the compatibility declarations for old typings do).
 *
 * A file that no install affects has, by that same rule, the errors after that it had before: its
 * check could only compare a list with itself. So the template's check covers the template's own
 * files, and a file outside them (the typings and TypeScript's libs, most of the work) is checked
 * once an install affects it, in the template's program and in the installed one; the comparison
 * covers every file checked so far.
 */
function typeChecker(root: string): { template(): string[]; installed(): Comparison } {
  let template: ts.Program | undefined;
  let templateBeyondFiles: ts.Diagnostic[] = [];
  let previous: ts.SemanticDiagnosticsBuilderProgram | undefined;
  const checked = new Set<string>();
  const inProject = (file: ts.SourceFile) => !path.relative(root, file.fileName).startsWith('..');

  return {
    template() {
      const program = builderProgram(root, undefined);
      templateBeyondFiles = diagnosticsBeyondFiles(program);
      const diagnostics: ts.Diagnostic[] = [];
      for (let next = program.getSemanticDiagnosticsOfNextAffectedFile(undefined, (file) => !inProject(file)); next; ) {
        checked.add((next.affected as ts.SourceFile).fileName);
        diagnostics.push(...next.result);
        next = program.getSemanticDiagnosticsOfNextAffectedFile(undefined, (file) => !inProject(file));
      }
      template = program.getProgram();
      previous = program;
      return errorLines(root, [...templateBeyondFiles, ...diagnostics]);
    },
    installed() {
      if (!template) throw new Error('the template is checked first');
      const program = builderProgram(root, previous);
      previous = program;
      const beyondFiles = diagnosticsBeyondFiles(program);
      for (let next = program.getSemanticDiagnosticsOfNextAffectedFile(); next; next = program.getSemanticDiagnosticsOfNextAffectedFile())
        checked.add((next.affected as ts.SourceFile).fileName);
      const before = [...templateBeyondFiles];
      const after = [...beyondFiles];
      for (const fileName of checked) {
        const then = template.getSourceFile(fileName);
        if (then) before.push(...template.getSemanticDiagnostics(then));
        const now = program.getSourceFile(fileName);
        if (now) after.push(...program.getSemanticDiagnostics(now));
      }
      return { before: errorLines(root, before), after: errorLines(root, after) };
    },
  };
}

describe.each(Object.entries(TYPINGS))('the TypeScript template under %s', (_name, typings) => {
  let root: string;
  let typeCheck: ReturnType<typeof typeChecker>;

  beforeAll(() => {
    root = templateWith(typings);
    typeCheck = typeChecker(root);
    // The template's own files have no error. (2.12's own files have two under today's TypeScript:
    // the project's before any install, on both sides of the comparison once an install affects them.)
    expect(typeCheck.template()).toEqual([]);
  }, 120_000);

  it.each([[[]], [['--pages', 'profile']]])(
    'type-checks with no new error after npm run add %j',
    async (extra) => {
      templateWith(typings, root);
      const run = await add(root, ...extra);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const { before, after } = typeCheck.installed();
      expect(after).toEqual(before);
    },
    180_000,
  );
});
