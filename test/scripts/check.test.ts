import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { checkProject as checkProjectWith, type Problem } from '../../scripts/check';
import { type ExportProbe, type ExportProber, probeExportInChildProcess } from '../../scripts/lib/checks/function-exports';
import { asList, asRecord, copyValidProject, removeFixtureCopies, type FixtureProject, type JsonRecord } from './support/fixture-project';

afterAll(removeFixtureCopies);

const RC = 'cloudbaserc.json';
const PROJECT = 'project.config.json';
const APP = 'miniprogram/app.json';
const BUILT = 'cloudfunctions/login/index.js';

/**
 * The real prober (a Node process per call), once per built file's text and export name: every
 * copy of the valid project holds the same index.js, and a file that requires nothing and never
 * reads its own path exports the same from any folder. Each other text (the broken builds below)
 * is still loaded in its own Node process.
 */
const probes = new Map<string, ExportProbe>();
const probeOncePerText: ExportProber = (file, exportName) => {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : null;
  if (text === null || /\b(require|import|__dirname|__filename|process)\b/.test(text)) return probeExportInChildProcess(file, exportName);
  const key = JSON.stringify([text, exportName]);
  const known = probes.get(key) ?? probeExportInChildProcess(file, exportName);
  probes.set(key, known);
  return known;
};

function checkProject(root: string): Problem[] {
  return checkProjectWith(root, { probeExport: probeOncePerText });
}

function located(problems: Problem[]): Array<[string, string]> {
  return problems.map(({ file, field }) => [file, field]);
}

function loginFunction(config: JsonRecord): JsonRecord {
  return asRecord(asList(config.functions)[0]);
}

function collection(config: JsonRecord, index: number): JsonRecord {
  const plugins = asRecord(asRecord(config.framework).plugins);
  return asRecord(asList(asRecord(asRecord(plugins.database).inputs).collections)[index]);
}

/** Given the valid project broken by `breakIt`, check reports exactly one problem, at `file` › `field`. */
function expectSingleProblem(breakIt: (project: FixtureProject) => void, file: string, field: string): Problem {
  const project = copyValidProject();
  breakIt(project);
  const problems = checkProject(project.root);
  expect(located(problems)).toEqual([[file, field]]);
  expect(problems[0]?.message).not.toBe('');
  return problems[0] as Problem;
}

describe('checkProject', () => {
  it('given a complete project, reports nothing', () => {
    expect(checkProject(copyValidProject().root)).toEqual([]);
  });

  describe('cloudbaserc.json', () => {
    it('given a function whose folder is missing, names the function entry', () => {
      expectSingleProblem((p) => p.remove('cloudfunctions/login'), RC, 'functions[0].name');
    });

    it('given a function folder the config does not declare, says the deploy would leave it out', () => {
      const found = expectSingleProblem(
        (p) => {
          mkdirSync(path.join(p.root, 'cloudfunctions/orders/src'), { recursive: true });
          p.write('cloudfunctions/orders/src/index.ts', 'export {};\n');
        },
        RC,
        'functions',
      );
      expect(found.message).toContain('cloudfunctions/orders');
    });

    it('given a function that was never built, names its handler and says to run npm run build', () => {
      const found = expectSingleProblem((p) => p.remove(BUILT), RC, 'functions[0].handler');
      expect(found.message).toContain('npm run build');
    });

    it('given built output older than a source file, reports it as stale', () => {
      const found = expectSingleProblem((p) => p.touch('cloudfunctions/login/src/index.ts', 0), RC, 'functions[0].handler');
      expect(found.message).toContain('cloudfunctions/login/src/index.ts');
    });

    it('given a built file that does not export the handler, names what it does export', () => {
      const found = expectSingleProblem((p) => p.write(BUILT, 'exports.handler = async () => ({});\n'), RC, 'functions[0].handler');
      expect(found.message).toContain('main');
      expect(found.message).toContain('handler');
    });

    it('given a built file that throws while loading, reports the error', () => {
      const found = expectSingleProblem((p) => p.write(BUILT, 'throw new Error("boom at import");\n'), RC, 'functions[0].handler');
      expect(found.message).toContain('boom at import');
    });

    it('given a function without runtime, warns that the CLI would silently pick an old one', () => {
      const found = expectSingleProblem((p) => p.editJson(RC, (c) => void delete loginFunction(c).runtime), RC, 'functions[0].runtime');
      expect(found.message).toContain('Nodejs18.15');
    });

    it.each(['Nodejs8.9', 'Nodejs14.18', 'nodejs18', 'Nodejs22.21'])('given runtime %s, rejects it', (runtime) => {
      expectSingleProblem((p) => p.editJson(RC, (c) => void (loginFunction(c).runtime = runtime)), RC, 'functions[0].runtime');
    });

    it('given installDependency true while the function bundles wx-server-sdk, says it should be false', () => {
      const found = expectSingleProblem(
        (p) => p.editJson(RC, (c) => void (loginFunction(c).installDependency = true)),
        RC,
        'functions[0].installDependency',
      );
      expect(found.message).toContain('false');
    });

    it('given a function package.json listing wx-server-sdk, requires installDependency true', () => {
      expectSingleProblem(
        (p) => p.editJson('cloudfunctions/login/package.json', (pkg) => void (pkg.dependencies = { 'wx-server-sdk': '^4.0.2' })),
        RC,
        'functions[0].installDependency',
      );
    });

    it('given a secret-looking environment variable name, rejects it', () => {
      expectSingleProblem(
        (p) => p.editJson(RC, (c) => void (asRecord(loginFunction(c).envVariables).APP_SECRET = 'replace-me')),
        RC,
        'functions[0].envVariables.APP_SECRET',
      );
    });

    it('given a secret-named variable written as a {{env.NAME}} template, accepts it (filled at deploy, never committed)', () => {
      const project = copyValidProject();
      project.editJson(RC, (c) => void (asRecord(loginFunction(c).envVariables).PUSH_TOKEN = '{{env.PUSH_TOKEN}}'));
      expect(checkProject(project.root)).toEqual([]);
    });

    it('given an environment variable holding an opaque token, rejects it whatever its name', () => {
      expectSingleProblem(
        (p) => p.editJson(RC, (c) => void (asRecord(loginFunction(c).envVariables).WX_CONFIG = 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE')),
        RC,
        'functions[0].envVariables.WX_CONFIG',
      );
    });

    it('given a collection env variable naming an undeclared collection, names the variable', () => {
      expectSingleProblem(
        (p) => p.editJson(RC, (c) => void (asRecord(loginFunction(c).envVariables).USERS_COLLECTION = 'people')),
        RC,
        'functions[0].envVariables.USERS_COLLECTION',
      );
    });

    it('given function source falling back to an undeclared collection, names the source and the variable', () => {
      expectSingleProblem(
        (p) => {
          p.write('cloudfunctions/login/src/audit.ts', "export const audit = process.env.AUDIT_LOG_COLLECTION || 'audit_log';\n");
          p.touch('cloudfunctions/login/src/audit.ts', -3600); // built after it: only the collection is wrong
        },
        'cloudfunctions/login/src/audit.ts',
        'process.env.AUDIT_LOG_COLLECTION',
      );
    });

    it('given a collection clients may read, requires ADMINONLY', () => {
      expectSingleProblem(
        (p) => p.editJson(RC, (c) => void (collection(c, 0).aclTag = 'READONLY')),
        RC,
        'framework.plugins.database.inputs.collections[0].aclTag',
      );
    });

    it('given a sparse index, explains that neither the plugin nor CloudBase supports it', () => {
      const found = expectSingleProblem(
        (p) => p.editJson(RC, (c) => void (asRecord(asList(collection(c, 0).createIndexes)[0]).sparse = true)),
        RC,
        'framework.plugins.database.inputs.collections[0].createIndexes[0].sparse',
      );
      expect(found.message).toContain('MgoIsUnique');
    });

    it('given an index direction written as a number, requires the plugin string form', () => {
      expectSingleProblem(
        (p) =>
          p.editJson(RC, (c) => {
            const key = asRecord(asList(asRecord(asList(collection(c, 1).createIndexes)[0]).keys)[0]);
            key.direction = 1;
          }),
        RC,
        'framework.plugins.database.inputs.collections[1].createIndexes[0].keys[0].direction',
      );
    });

    it('given a committed environment id, requires the {{env.ENV_ID}} template', () => {
      expectSingleProblem((p) => p.editJson(RC, (c) => void (c.envId = 'prod-4g7x2b')), RC, 'envId');
    });
  });

  describe('project.config.json', () => {
    it('given a miniprogramRoot that does not exist, names it', () => {
      expectSingleProblem((p) => p.editJson(PROJECT, (c) => void (c.miniprogramRoot = 'client/')), PROJECT, 'miniprogramRoot');
    });

    it('given a cloudfunctionRoot other than cloudbaserc functionRoot, reports the mismatch', () => {
      expectSingleProblem((p) => p.editJson(PROJECT, (c) => void (c.cloudfunctionRoot = 'miniprogram/')), PROJECT, 'cloudfunctionRoot');
    });

    it('given the TypeScript compiler plugin switched off, names the setting', () => {
      expectSingleProblem(
        (p) => p.editJson(PROJECT, (c) => void (asRecord(c.setting).useCompilerPlugins = [])),
        PROJECT,
        'setting.useCompilerPlugins',
      );
    });

    it('given the placeholder appid with no word about replacing it, names appid', () => {
      expectSingleProblem((p) => p.editJson(PROJECT, (c) => void (c.description = 'A project')), PROJECT, 'appid');
    });

    it('given a real-looking appid, needs no explanation', () => {
      const project = copyValidProject();
      project.editJson(PROJECT, (c) => {
        c.appid = 'wx1234567890abcdef';
        c.description = '';
      });
      expect(checkProject(project.root)).toEqual([]);
    });
  });

  describe('app.json', () => {
    it('given a page missing its .wxml, names the page entry and the file', () => {
      const found = expectSingleProblem((p) => p.remove('miniprogram/pages/index/index.wxml'), APP, 'pages[0]');
      expect(found.message).toContain('index.wxml');
    });

    it('given a page listed without any files, names the page entry', () => {
      expectSingleProblem((p) => p.editJson(APP, (c) => void asList(c.pages).push('pages/missing/index')), APP, 'pages[1]');
    });

    it('given a component path that resolves to nothing, names the usingComponents entry of the page', () => {
      expectSingleProblem(
        (p) =>
          p.editJson(
            'miniprogram/pages/index/index.json',
            (c) => void (asRecord(c.usingComponents)['hello-card'] = '/components/missing/index'),
          ),
        'miniprogram/pages/index/index.json',
        'usingComponents.hello-card',
      );
    });

    it('resolves relative component paths from the json file, as DevTools does', () => {
      const project = copyValidProject();
      project.editJson('miniprogram/pages/index/index.json', (c) => {
        asRecord(c.usingComponents)['hello-card'] = '../../components/hello-card/index';
      });
      expect(checkProject(project.root)).toEqual([]);
    });

    it('given a tab page that is not a page, names the tab entry', () => {
      expectSingleProblem(
        (p) => p.editJson(APP, (c) => void (c.tabBar = { list: [{ pagePath: 'pages/other/index', text: 'x' }] })),
        APP,
        'tabBar.list[0].pagePath',
      );
    });
  });

  describe('secret hygiene', () => {
    it('given an AppSecret-like value in the mini-program, names the file and line', () => {
      expectSingleProblem(
        (p) => p.write('miniprogram/pages/index/index.ts', "Page({});\n\nexport const secret = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';\n"),
        'miniprogram/pages/index/index.ts',
        'line 3',
      );
    });

    it('given session_key mentioned anywhere in the mini-program, names the file and line', () => {
      expectSingleProblem(
        (p) => p.write('miniprogram/components/hello-card/index.wxml', '<view>{{session_key}}</view>\n'),
        'miniprogram/components/hello-card/index.wxml',
        'line 1',
      );
    });

    it('given built output that reads session_key, names the built file', () => {
      expectSingleProblem((p) => p.write(BUILT, 'exports.main = async (event) => ({ key: event.session_key });\n'), BUILT, 'line 1');
    });

    it('given built output that only lists session_key among fields it strips, accepts it', () => {
      // The fixture's built file holds `["session_key", "sessionKey"]`; minified output looks like this too.
      const project = copyValidProject();
      project.write(BUILT, 'var GB=["session_key","sessionKey"];async function main(){return GB}exports.main=main;\n');
      expect(checkProject(project.root)).toEqual([]);
    });

    it('given an AppSecret-like value in built output, names the built file', () => {
      expectSingleProblem((p) => p.write(BUILT, 'const s="0f1e2d3c4b5a69788796a5b4c3d2e1f0";exports.main=async()=>s;\n'), BUILT, 'line 1');
    });
  });
});
