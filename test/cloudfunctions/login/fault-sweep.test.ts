/**
 * A fault sweep over every database request of every account action: for each scenario the clean
 * run's requests are counted (n), then for k = 1..n a fresh world fails request k once. After the
 * failed call nothing may be half-written (no identity and user disagreeing, no account left
 * 'deleting', the action's effect all there or not at all), and a retry by the person — the same
 * call again, with a fresh phone code where one was spent — must finish the job. The memory store
 * makes the sweep cheap (every request of every action, in about a second); attacks.emulator.test.ts
 * sweeps two actions through the real SDK.
 */
import type { Result } from '../../../typings/contract';
import type { WxIdentity } from '../../../cloudfunctions/login/src/rules/identity';
import { alice, bob, call, danglingIdentities, dataOf, errorOf, signUp, signUpWithPhone } from './support/actions';
import { createTestDeps, testFileId, type TestDeps } from './support/deps';

const aliceInApp2: WxIdentity = { appid: 'wxapp2', openid: 'o-alice-2', unionid: 'u-alice' };

/** Users listing a key whose identity does not point back at them (the other half of danglingIdentities). */
function danglingKeys(deps: TestDeps): string[] {
  return [...deps.store.users.values()].flatMap((user) =>
    (user.identityKeys ?? []).filter((key) => deps.store.identities.get(key)?.userId !== user._id).map((key) => `${user._id}:${key}`),
  );
}

function halfWritten(deps: TestDeps): string[] {
  const deleting = [...deps.store.users.values()].filter((user) => user.status === 'deleting').map((user) => `deleting:${user._id}`);
  return [...danglingIdentities(deps), ...danglingKeys(deps), ...deleting];
}

interface Scenario {
  name: string;
  prepare(deps: TestDeps): Promise<Record<string, string>>;
  /** The action (called again, the same way, as the retry). */
  act(deps: TestDeps, ctx: Record<string, string>): Promise<Result<unknown>>;
  /** The action's effect is all there. */
  done(deps: TestDeps, ctx: Record<string, string>): boolean;
  /** The action's effect is not there at all (what a failed call must leave when it is not done). */
  untouched(deps: TestDeps, ctx: Record<string, string>): boolean;
  /** Answers a retry may give once the effect landed before (its answer was lost). */
  afterLanded?: string[];
  /** Login completes an interrupted first login on retry instead of undoing it: skip the untouched check. */
  completesOnRetry?: boolean;
}

const hasKey = (deps: TestDeps, id: string | undefined, key: string) => deps.store.identities.get(key)?.userId === id && id !== undefined;

const scenarios: Scenario[] = [
  {
    name: 'login, first time',
    prepare: async () => ({}),
    act: (deps) => call(deps, alice, 'login'),
    done: (deps) => {
      const id = deps.store.identities.get('wx-unionid:u-alice')?.userId;
      return hasKey(deps, id, 'wx-openid:wxapp1:o-alice') && deps.store.users.has(id ?? '');
    },
    untouched: (deps) => deps.store.users.size === 0,
    completesOnRetry: true,
  },
  {
    name: 'login from a second app of the same unionid',
    prepare: async (deps) => ({ id: await signUp(deps, alice) }),
    act: (deps) => call(deps, aliceInApp2, 'login'),
    done: (deps, ctx) => hasKey(deps, ctx.id, 'wx-openid:wxapp2:o-alice-2'),
    untouched: (deps) => !deps.store.identities.has('wx-openid:wxapp2:o-alice-2'),
    completesOnRetry: true,
  },
  {
    name: 'login adopting a tutorial-era document',
    prepare: async (deps) => {
      deps.store.users.set('legacy', { _id: 'legacy', _openid: 'o-alice', session_key: 'secret', nickName: '老用户' });
      return { id: 'legacy' };
    },
    act: (deps) => call(deps, alice, 'login'),
    done: (deps) => hasKey(deps, 'legacy', 'wx-unionid:u-alice') && deps.store.users.get('legacy')?.session_key === undefined,
    untouched: (deps) => deps.store.identities.size === 0,
    completesOnRetry: true,
  },
  {
    name: 'updateProfile replacing the avatar and the nickname',
    prepare: async (deps) => {
      const id = await signUp(deps, alice);
      const old = testFileId(`avatars/${id}/old.png`);
      const next = testFileId(`avatars/${id}/new.png`);
      deps.files.files.add(old).add(next);
      dataOf(await call(deps, alice, 'updateProfile', { avatarFileID: old }));
      return { id, next };
    },
    act: (deps, ctx) => call(deps, alice, 'updateProfile', { nickName: '小明', avatarFileID: ctx.next }),
    done: (deps, ctx) =>
      deps.store.users.get(ctx.id ?? '')?.avatarFileID === ctx.next && deps.store.users.get(ctx.id ?? '')?.nickName === '小明',
    untouched: (deps, ctx) => deps.store.users.get(ctx.id ?? '')?.nickName === '',
  },
  {
    name: 'bindPhone replacing a previous number',
    prepare: async (deps) => ({ id: await signUpWithPhone(deps, alice, '13800000001') }),
    act: (deps) => call(deps, alice, 'bindPhone', { code: deps.phone.codeFor('13800000002') }),
    done: (deps, ctx) => hasKey(deps, ctx.id, 'phone:+86:13800000002') && !deps.store.identities.has('phone:+86:13800000001'),
    untouched: (deps, ctx) => hasKey(deps, ctx.id, 'phone:+86:13800000001') && !deps.store.identities.has('phone:+86:13800000002'),
  },
  {
    name: "bindPhone offering a link into the number's account",
    prepare: async (deps) => {
      await signUpWithPhone(deps, bob, '13800000003');
      return { id: await signUp(deps, alice) };
    },
    act: (deps) => call(deps, alice, 'bindPhone', { code: deps.phone.codeFor('13800000003') }),
    done: (deps) => deps.store.tickets.size >= 1,
    untouched: (deps) => deps.store.tickets.size === 0,
  },
  {
    name: 'confirmLink',
    prepare: async (deps) => {
      const target = await signUpWithPhone(deps, bob, '13800000004');
      const source = await signUp(deps, alice);
      const offer = errorOf(await call(deps, alice, 'bindPhone', { code: deps.phone.codeFor('13800000004') }));
      if (offer.code !== 'PHONE_BELONGS_TO_ANOTHER_ACCOUNT' || !offer.details) throw new Error('no offer');
      return { target, source, ticket: offer.details.ticket };
    },
    act: (deps, ctx) => call(deps, alice, 'confirmLink', { ticket: ctx.ticket }),
    done: (deps, ctx) =>
      deps.store.users.get(ctx.source ?? '')?.status === 'merged' && hasKey(deps, ctx.target, 'wx-openid:wxapp1:o-alice'),
    untouched: (deps, ctx) =>
      deps.store.users.get(ctx.source ?? '')?.status === 'active' && hasKey(deps, ctx.source, 'wx-openid:wxapp1:o-alice'),
    afterLanded: ['LINK_TICKET_USED'],
  },
  {
    name: 'unlinkIdentity of the phone',
    prepare: async (deps) => {
      const id = await signUpWithPhone(deps, alice, '13800000005');
      const phone = dataOf(await call(deps, alice, 'listIdentities')).identities.find((identity) => identity.kind === 'phone');
      return { id, identityId: phone?.id ?? '' };
    },
    act: (deps, ctx) => call(deps, alice, 'unlinkIdentity', { identityId: ctx.identityId }),
    done: (deps, ctx) =>
      !deps.store.identities.has('phone:+86:13800000005') && deps.store.users.get(ctx.id ?? '')?.boundPhone === undefined,
    untouched: (deps, ctx) => hasKey(deps, ctx.id, 'phone:+86:13800000005'),
    afterLanded: ['IDENTITY_NOT_FOUND'],
  },
  {
    name: 'deleteAccount with a phone, an avatar and a merged account',
    prepare: async (deps) => {
      const id = await signUpWithPhone(deps, alice, '13800000006');
      const avatar = testFileId(`avatars/${id}/a.png`);
      deps.files.files.add(avatar);
      dataOf(await call(deps, alice, 'updateProfile', { avatarFileID: avatar }));
      deps.store.users.set('merged-one', { _id: 'merged-one', status: 'merged', mergedInto: id, identityKeys: [] });
      return { id, avatar };
    },
    act: (deps) => call(deps, alice, 'deleteAccount', { confirm: true }),
    done: (deps, ctx) => deps.store.users.size === 0 && deps.store.identities.size === 0 && !deps.files.files.has(ctx.avatar ?? ''),
    untouched: (deps, ctx) =>
      deps.store.users.get(ctx.id ?? '')?.status === 'active' && deps.store.identities.size === 3 && deps.files.files.has(ctx.avatar ?? ''),
    afterLanded: ['USER_NOT_FOUND'],
  },
];

function outcomeOf(answer: Result<unknown>): string {
  return answer.ok ? 'ok' : answer.error.code;
}

describe('a fault at every database request of every account action', () => {
  it.each(scenarios.map((scenario) => [scenario.name, scenario] as const))(
    '%s: nothing half-written, and a retry finishes',
    async (_name, scenario) => {
      const clean = createTestDeps();
      const cleanCtx = await scenario.prepare(clean);
      const start = clean.store.totalCalls();
      const expected = outcomeOf(await scenario.act(clean, cleanCtx));
      const requests = clean.store.totalCalls() - start;
      expect(scenario.done(clean, cleanCtx)).toBe(true);
      expect(requests).toBeGreaterThan(0);

      const failures: string[] = [];
      let refused = 0;
      for (let k = 1; k <= requests; k += 1) {
        const deps = createTestDeps();
        const ctx = await scenario.prepare(deps);
        deps.store.failAt(k);
        const failed = await scenario.act(deps, ctx);
        const report = (problem: string) => failures.push(`request ${k}: ${problem}`);
        if (outcomeOf(failed) === 'INTERNAL') refused += 1;

        if (![expected, 'INTERNAL'].includes(outcomeOf(failed))) report(`answered ${JSON.stringify(failed).slice(0, 200)}`);
        const half = halfWritten(deps);
        const landed = scenario.done(deps, ctx);
        if (!scenario.completesOnRetry && half.length > 0) report(`half-written: ${half.join(' ')}`);
        if (!scenario.completesOnRetry && !landed && !scenario.untouched(deps, ctx)) report('partly applied');

        const retry = await scenario.act(deps, ctx);
        const retryOk = outcomeOf(retry) === expected || (landed && (scenario.afterLanded ?? []).includes(outcomeOf(retry)));
        if (!retryOk) report(`retry answered ${JSON.stringify(retry).slice(0, 200)}`);
        if (!scenario.done(deps, ctx)) report('retry did not finish');
        if (halfWritten(deps).length > 0) report(`half-written after the retry: ${halfWritten(deps).join(' ')}`);
      }
      expect(failures).toEqual([]);
      // The faults reached the action: most requests, when they fail, fail the call (the rest are
      // housekeeping after a commit, logged and not answered).
      expect(refused).toBeGreaterThan(requests / 2);
    },
  );
});
