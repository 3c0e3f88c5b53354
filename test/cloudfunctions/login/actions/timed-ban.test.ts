/**
 * Timed bans across the actions: refused with the ban's end while it lasts, lifted once it has
 * passed — by the clock alone, no operator needed.
 */
import { call, dataOf, errorWith, signUp } from '../support/actions';
import { createTestDeps, type TestDeps } from '../support/deps';
import type { UserDoc } from '../../../../cloudfunctions/login/src/model';
import type { WxIdentity } from '../../../../cloudfunctions/login/src/rules/identity';

const carol: WxIdentity = { appid: 'wxapp1', openid: 'o-carol' };
const END = new Date('2026-01-10T00:00:00Z');

/** What `npm run admin -- ban` writes. */
function ban(deps: TestDeps, id: string, fields: Partial<UserDoc>): void {
  const user = deps.store.users.get(id);
  if (!user) throw new Error(`no user ${id}`);
  deps.store.users.set(id, { ...user, status: 'banned', ...fields });
}

async function bannedUntilEnd(deps: TestDeps): Promise<string> {
  const id = await signUp(deps, carol);
  ban(deps, id, { bannedUntil: END, banReason: 'spam' });
  return id;
}

describe('timed bans', () => {
  it('while the ban lasts, login and every account action answer USER_BANNED with its end', async () => {
    const deps = createTestDeps();
    await bannedUntilEnd(deps);
    for (const [action, payload] of [
      ['login', {}],
      ['updateProfile', { nickName: '新名字' }],
      ['listIdentities', {}],
      ['deleteAccount', { confirm: true }],
    ] as const) {
      const error = errorWith(await call(deps, carol, action, payload), 'USER_BANNED');
      expect(error.details).toEqual({ bannedUntil: END.getTime(), reason: 'spam' });
    }
  });

  it('once the end has passed, the next login signs in and lifts the ban', async () => {
    const deps = createTestDeps();
    const id = await bannedUntilEnd(deps);
    deps.clock.now = END;

    const { user } = dataOf(await call(deps, carol, 'login'));

    expect(user.id).toBe(id);
    const stored = deps.store.users.get(id);
    expect(stored?.status).toBe('active');
    expect(stored).not.toHaveProperty('bannedUntil');
    expect(stored).not.toHaveProperty('banReason');
    expect(stored?.loginCount).toBe(2);
  });

  it('once the end has passed, an account action works before any login', async () => {
    const deps = createTestDeps();
    await bannedUntilEnd(deps);
    deps.clock.now = new Date('2026-01-11T00:00:00Z');

    expect(dataOf(await call(deps, carol, 'updateProfile', { nickName: '新名字' })).user.nickName).toBe('新名字');
  });

  it('once the end has passed, the account can be deleted', async () => {
    const deps = createTestDeps();
    const id = await bannedUntilEnd(deps);
    deps.clock.now = new Date('2026-01-11T00:00:00Z');

    expect(dataOf(await call(deps, carol, 'deleteAccount', { confirm: true }))).toEqual({ deleted: true });
    expect(deps.store.users.has(id)).toBe(false);
  });

  it('a ban without an end stays, whatever the clock', async () => {
    const deps = createTestDeps();
    const id = await signUp(deps, carol);
    ban(deps, id, {});
    deps.clock.now = new Date('2030-01-01T00:00:00Z');
    expect(errorWith(await call(deps, carol, 'login'), 'USER_BANNED').details).toEqual({ bannedUntil: null, reason: null });
  });
});
