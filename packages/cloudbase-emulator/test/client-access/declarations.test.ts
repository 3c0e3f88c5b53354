import { declaredPermissionsFrom, permissionOf } from '../../src/client-access/declarations';

const rc = (collections: unknown[], extra: Record<string, unknown> = {}) => ({
  framework: { plugins: { database: { use: '@cloudbase/framework-plugin-database', inputs: { collections } } } },
  ...extra,
});

describe('permissions declared in cloudbaserc.json', () => {
  it('reads aclTag per collection and the custom rule beside it (object or JSON string)', () => {
    const declared = declaredPermissionsFrom(
      rc([
        { collectionName: 'a', aclTag: 'READONLY' },
        { collectionName: 'b', aclTag: 'CUSTOM', aclRule: { read: true, write: 'doc._openid == auth.openid' } },
        { collectionName: 'c', aclTag: 'CUSTOM', aclRule: '{"read": false}' },
      ]),
    );
    expect(permissionOf(declared, 'a').aclTag).toBe('READONLY');
    expect(permissionOf(declared, 'b').rule).toEqual({ read: true, write: 'doc._openid == auth.openid' });
    expect(permissionOf(declared, 'c').rule).toEqual({ read: false });
  });

  it("gives an undeclared collection CloudBase's default for a new one, PRIVATE", () => {
    expect(permissionOf(declaredPermissionsFrom({}), 'anything')).toMatchObject({ aclTag: 'PRIVATE' });
  });

  it('reads storage permission, READONLY when not declared', () => {
    expect(declaredPermissionsFrom({}).storage.aclTag).toBe('READONLY');
    expect(declaredPermissionsFrom({ storage: { aclTag: 'PRIVATE' } }).storage.aclTag).toBe('PRIVATE');
  });

  it.each([
    ['an unknown aclTag', { collectionName: 'x', aclTag: 'PUBLIC' }, 'not one of'],
    ['CUSTOM without a rule', { collectionName: 'x', aclTag: 'CUSTOM' }, 'aclRule is missing'],
    ['a rule that does not parse', { collectionName: 'x', aclTag: 'CUSTOM', aclRule: { read: 'doc.a ==' } }, 'does not parse'],
    ['a rule with an unknown operation', { collectionName: 'x', aclTag: 'CUSTOM', aclRule: { list: true } }, 'unknown operation list'],
  ])('reads %s as ADMINONLY and says why', (_what, entry, message) => {
    const warnings: string[] = [];
    const declared = declaredPermissionsFrom(rc([entry]), (warning) => warnings.push(warning));
    expect(permissionOf(declared, 'x').aclTag).toBe('ADMINONLY');
    expect(warnings.join('\n')).toContain(message);
  });
});
