import fs from 'node:fs';
import path from 'node:path';

/**
 * Rules of the login function's layout that a compiler cannot check:
 * only cloudbase/ (and index.ts, the wiring entry) reaches wx-server-sdk; rules/ is pure (no port,
 * no implementation, no action); an action never imports another action, nor an implementation.
 */

const ROOT = path.resolve(__dirname, '../../../cloudfunctions/login/src');

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** The modules `file` imports, as absolute paths (relative ones) or package names. */
function importsOf(file: string): string[] {
  const source = fs.readFileSync(file, 'utf8');
  return [...source.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map(([, spec = '']) =>
    spec.startsWith('.') ? path.resolve(path.dirname(file), spec) : spec,
  );
}

const rel = (file: string) => path.relative(ROOT, file);
const inside = (folder: string) => (file: string) => file.startsWith(path.join(ROOT, folder) + path.sep);

describe('login function layout', () => {
  it('only cloudbase/ and index.ts import wx-server-sdk', () => {
    const offenders = filesUnder(ROOT)
      .filter((file) => !inside('cloudbase')(file) && rel(file) !== 'index.ts')
      .filter((file) => importsOf(file).some((spec) => spec === 'wx-server-sdk' || spec.startsWith('wx-server-sdk/')))
      .map(rel);

    expect(offenders).toEqual([]);
  });

  it('rules/ imports no port, no implementation, no action and not the handler', () => {
    const forbidden = [path.join(ROOT, 'ports'), path.join(ROOT, 'handler'), path.join(ROOT, 'index')];
    const offenders = filesUnder(path.join(ROOT, 'rules'))
      .filter((file) =>
        importsOf(file).some(
          (spec) =>
            forbidden.includes(spec) || inside('cloudbase')(`${spec}.ts`) || inside('actions')(`${spec}.ts`) || spec === 'wx-server-sdk',
        ),
      )
      .map(rel);

    expect(offenders).toEqual([]);
  });

  it('actions/ never import another action, nor cloudbase/', () => {
    const actionFiles = fs.readdirSync(path.join(ROOT, 'actions')).filter((name) => name.endsWith('.ts'));
    const actions = actionFiles.map((name) => path.join(ROOT, 'actions', name.replace(/\.ts$/, '')));
    const offenders = filesUnder(path.join(ROOT, 'actions')).flatMap((file) =>
      importsOf(file)
        .filter((spec) => (actions.includes(spec) && `${spec}.ts` !== file) || inside('cloudbase')(`${spec}.ts`))
        .map((spec) => `${rel(file)} -> ${rel(spec)}`),
    );

    expect(offenders).toEqual([]);
  });

  it('one store contract and one patch type', () => {
    const declarations = filesUnder(ROOT).flatMap((file) =>
      [...fs.readFileSync(file, 'utf8').matchAll(/export interface (\w*(?:Store|Patch|Change))\b/g)].map(
        ([, name]) => `${rel(file)}: ${name}`,
      ),
    );

    expect(declarations).toEqual(['ports.ts: UserPatch', 'ports.ts: Store']);
  });
});

const REPO = path.resolve(__dirname, '../../..');
const FUNCTIONS = path.join(REPO, 'cloudfunctions');
const SERVER_AUTH = path.join(REPO, 'packages/server-auth/src');
const repoRel = (file: string) => path.relative(REPO, file);
/** Source without its comments (which may name what the code must not do). */
const withoutComments = (source: string) => source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
const functionFolders = () => fs.readdirSync(FUNCTIONS, { withFileTypes: true }).filter((entry) => entry.isDirectory());

describe('every cloud function and the shared server-auth package', () => {
  it('every folder directly under cloudfunctions/ is a function (src/index.ts and package.json): shared code lives in packages/', () => {
    const notFunctions = functionFolders()
      .map((entry) => entry.name)
      .filter(
        (name) => !fs.existsSync(path.join(FUNCTIONS, name, 'src/index.ts')) || !fs.existsSync(path.join(FUNCTIONS, name, 'package.json')),
      );
    expect(notFunctions).toEqual([]);
    expect(functionFolders().map((entry) => entry.name)).toEqual(expect.arrayContaining(['login', 'notes']));
  });

  it('server-auth touches no SDK (it is handed cloud) and imports nothing of a function', () => {
    const offenders = filesUnder(SERVER_AUTH).flatMap((file) =>
      importsOf(file)
        .filter((spec) => spec === 'wx-server-sdk' || spec.startsWith(FUNCTIONS))
        .map((spec) => `${repoRel(file)} -> ${spec.startsWith(FUNCTIONS) ? repoRel(spec) : spec}`),
    );
    expect(offenders).toEqual([]);
  });

  it('one resolution rule: resolveCaller, userHoldingIdentity and the per-user collection list are defined only in server-auth', () => {
    const definitions = [...functionFolders().map((entry) => path.join(FUNCTIONS, entry.name, 'src')), SERVER_AUTH].flatMap((dir) =>
      filesUnder(dir).flatMap((file) =>
        [
          ...fs
            .readFileSync(file, 'utf8')
            .matchAll(/export (?:async )?(?:function|const) (resolveCaller|userHoldingIdentity|PER_USER_COLLECTIONS)\b/g),
        ].map(([, name]) => `${repoRel(file)}: ${name}`),
      ),
    );
    expect(definitions.sort()).toEqual([
      'packages/server-auth/src/identity.ts: userHoldingIdentity',
      'packages/server-auth/src/resolve-user.ts: resolveCaller',
      'packages/server-auth/src/user-data.ts: PER_USER_COLLECTIONS',
    ]);
  });

  it('a function other than login reads identity only through server-auth: no getWXContext of its own', () => {
    // `getWXContext().ENV` (which environment runs it) is no identity: wechat-push, called by WeChat's
    // servers with no caller at all, reads only that.
    const offenders = functionFolders()
      .filter((entry) => entry.name !== 'login')
      .flatMap((entry) => filesUnder(path.join(FUNCTIONS, entry.name, 'src')))
      .filter((file) => /getWXContext(?!\(\)\.ENV\b)|OPENID|UNIONID/.test(withoutComments(fs.readFileSync(file, 'utf8'))))
      .map(repoRel);
    expect(offenders).toEqual([]);
  });

  it('what WeChat’s pushes change is reached only by the push function, never by a client action', () => {
    const applier = path.join(ROOT, 'actions', 'apply-wechat-push');
    const importers = functionFolders()
      .flatMap((entry) => filesUnder(path.join(FUNCTIONS, entry.name, 'src')))
      .filter((file) => importsOf(file).includes(applier))
      .map(repoRel);
    expect(importers).toEqual(['cloudfunctions/wechat-push/src/index.ts']);
  });

  it('in a function other than login, only index.ts imports wx-server-sdk', () => {
    const offenders = functionFolders()
      .filter((entry) => entry.name !== 'login')
      .flatMap((entry) => filesUnder(path.join(FUNCTIONS, entry.name, 'src')).filter((file) => path.basename(file) !== 'index.ts'))
      .filter((file) => importsOf(file).includes('wx-server-sdk'))
      .map(repoRel);
    expect(offenders).toEqual([]);
  });
});
