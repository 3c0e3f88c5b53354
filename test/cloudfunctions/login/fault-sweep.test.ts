/**
 * A fault sweep over every request of every account action — the database's, storage's and the
 * per-user data's (notes) alike: for each scenario the clean run's requests are counted (n), then
 * for k = 1..n a fresh world fails request k once. After the failed call nothing may be
 * half-written (no identity and user disagreeing, no account left 'deleting' unless the deletion
 * had begun removing data and is resumable, the action's effect all there or not at all), a call
 * answered OK may leave cleanup only where it is recorded (an account's pending lists, a deletion's
 * audit entry), and a retry by the person — the same call again, with a fresh phone code where one
 * was spent — followed by the recovery paths (their next login, `npm run admin -- cleanup`) must
 * leave nothing behind. The memory store makes the sweep cheap (every request of every action, in
 * a few seconds); attacks.emulator.test.ts and cleanup.emulator.test.ts sweep through the real SDK.
 */
import type { Result } from '../../../typings/contract';
import { sweepPendingWork } from '../../../cloudfunctions/login/src/actions/shared/account-deletion';
import type { WxIdentity } from '../../../cloudfunctions/login/src/rules/identity';
import { alice, bob, call, danglingIdentities, dataOf, errorOf, signUp, signUpWithPhone } from './support/actions';
import { createTestDeps, testFileId, type TestDeps } from './support/deps';
import { LATE_WRITE_WINDOW_MS } from '@wx-cloud-login/server-auth/src/late-write';

const aliceInApp2: WxIdentity = { appid: 'wxapp2', openid: 'o-alice-2', unionid: 'u-alice' };

/** Users listing a key whose identity does not point back at them (the other half of danglingIdentities). */
function danglingKeys(deps: TestDeps): string[] {
  return [...deps.store.users.values()].flatMap((user) =>
    (user.identityKeys ?? []).filter((key) => deps.store.identities.get(key)?.userId !== user._id).map((key) => `${user._id}:${key}`),
  );
}

function halfWritten(deps: TestDeps, allowDeleting = false): string[] {
  const deleting = [...deps.store.users.values()].filter((user) => user.status === 'deleting').map((user) => `deleting:${user._id}`);
  return [...danglingIdentities(deps), ...danglingKeys(deps), ...(allowDeleting ? [] : deleting)];
}

/** Everything the world records as still to clean up: account lists and deletion entries. */
function recordedCleanup(deps: TestDeps): Set<string> {
  const recorded = new Set<string>();
  for (const user of deps.store.users.values()) {
    for (const fileID of user.filesToDelete ?? []) recorded.add(fileID);
    for (const id of user.pendingDataMoves ?? []) recorded.add(`data:${id}`);
  }
  for (const entry of deps.store.audit.values()) {
    if (entry.type !== 'account-deleted') continue;
    for (const fileID of entry.pendingFileIDs) recorded.add(fileID);
    for (const id of entry.pendingUserIds ?? []) recorded.add(`data:${id}`);
  }
  return recorded;
}

/**
 * The recovery paths besides a retry, once the late-write window of what the action changed has
 * passed (server-auth late-write.ts): the person's next login, then `npm run admin -- cleanup`.
 */
async function recover(deps: TestDeps, identity: WxIdentity): Promise<void> {
  deps.clock.now = new Date(deps.clock.now.getTime() + LATE_WRITE_WINDOW_MS);
  await call(deps, identity, 'login');
  while ((await sweepPendingWork(deps)) > 0);
}

/** Per-user documents (notes) of `ids`, as `data:<id>` once per owner. */
function dataOf_(deps: TestDeps, ids: Array<string | undefined>): string[] {
  const owners = ids.filter((id): id is string => id !== undefined);
  return [...new Set(deps.userData.ownedBy(owners).map((doc) => `data:${String(doc.owner)}`))];
}

/** A large export (through storage): enough notes to pass INLINE_EXPORT_MAX_BYTES. */
function plantManyNotes(deps: TestDeps, owner: string): void {
  const notes = deps.userData.documents.get('notes') ?? [];
  for (let index = 0; index < 300; index += 1) notes.push({ _id: `${owner}-${index}`, owner, text: '记'.repeat(400) });
  deps.userData.documents.set('notes', notes);
}

/** Export files in storage other than `current`. */
function strayExports(deps: TestDeps, current: string | undefined): string[] {
  return [...deps.files.files].filter((fileID) => fileID.includes('/exports/') && fileID !== current);
}

function later(deps: TestDeps): void {
  deps.clock.now = new Date(deps.clock.now.getTime() + 60 * 60 * 1000);
}

interface Scenario {
  name: string;
  prepare(deps: TestDeps): Promise<Record<string, string>>;
  /** The action (called again, the same way, as the retry). */
  act(deps: TestDeps, ctx: Record<string, string>): Promise<Result<unknown>>;
  /** The action's effect is all there (its cleanup aside: `leftovers` says what of that is still there). */
  done(deps: TestDeps, ctx: Record<string, string>): boolean;
  /** The action's effect is not there at all (what a failed call must leave when it is not done). */
  untouched(deps: TestDeps, ctx: Record<string, string>): boolean;
  /** Answers a retry may give once the effect landed before (its answer was lost). */
  afterLanded?: string[];
  /** Login completes an interrupted first login on retry instead of undoing it: skip the untouched check. */
  completesOnRetry?: boolean;
  /**
   * Cleanup the action owes, still there (files, per-user data as `data:<owner id>`): after an
   * answer of OK each must be recorded (recordedCleanup); after the retry and recovery none may be left.
   */
  leftovers?(deps: TestDeps, ctx: Record<string, string>): string[];
  /** A failure may leave the deletion begun and resumable (status 'deleting', identities intact). */
  resumable?(deps: TestDeps, ctx: Record<string, string>): boolean;
  /** Who retries and recovers (alice unless said). */
  identity?: WxIdentity;
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
      return { id, old, next };
    },
    act: (deps, ctx) => call(deps, alice, 'updateProfile', { nickName: '小明', avatarFileID: ctx.next }),
    done: (deps, ctx) =>
      deps.store.users.get(ctx.id ?? '')?.avatarFileID === ctx.next && deps.store.users.get(ctx.id ?? '')?.nickName === '小明',
    untouched: (deps, ctx) => deps.store.users.get(ctx.id ?? '')?.nickName === '',
    leftovers: (deps, ctx) =>
      deps.store.users.get(ctx.id ?? '')?.avatarFileID === ctx.next && deps.files.files.has(ctx.old ?? '') ? [ctx.old ?? ''] : [],
  },
  {
    name: 'updateProfile refusing a nickname together with a new avatar upload',
    prepare: async (deps) => {
      const id = await signUp(deps, alice);
      const upload = testFileId(`avatars/${id}/refused.png`);
      deps.files.files.add(upload);
      return { id, upload };
    },
    act: (deps, ctx) => call(deps, alice, 'updateProfile', { nickName: '违规昵称', avatarFileID: ctx.upload }),
    done: (deps, ctx) => !deps.files.files.has(ctx.upload ?? ''),
    untouched: (deps, ctx) => deps.store.users.get(ctx.id ?? '')?.avatarFileID === undefined,
    leftovers: (deps, ctx) => (deps.files.files.has(ctx.upload ?? '') ? [ctx.upload ?? ''] : []),
  },
  {
    name: 'exportMyData replacing a stored export',
    prepare: async (deps) => {
      const id = await signUp(deps, alice);
      plantManyNotes(deps, id);
      const first = dataOf(await call(deps, alice, 'exportMyData'));
      if (first.delivery !== 'file') throw new Error('expected a stored export');
      later(deps);
      return { id, first: first.file.fileID };
    },
    act: async (deps) => {
      const answer = await call(deps, alice, 'exportMyData');
      later(deps);
      return answer;
    },
    done: (deps, ctx) => {
      const current = deps.store.users.get(ctx.id ?? '')?.personalDataFileID;
      return current !== ctx.first && deps.files.files.has(current ?? '');
    },
    untouched: (deps, ctx) =>
      deps.store.users.get(ctx.id ?? '')?.personalDataFileID === ctx.first && strayExports(deps, ctx.first).length === 0,
    leftovers: (deps, ctx) => strayExports(deps, deps.store.users.get(ctx.id ?? '')?.personalDataFileID),
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
      deps.userData.documents.set('notes', [{ _id: 'n1', owner: source }]);
      return { target, source, ticket: offer.details.ticket };
    },
    act: (deps, ctx) => call(deps, alice, 'confirmLink', { ticket: ctx.ticket }),
    done: (deps, ctx) =>
      deps.store.users.get(ctx.source ?? '')?.status === 'merged' && hasKey(deps, ctx.target, 'wx-openid:wxapp1:o-alice'),
    leftovers: (deps, ctx) => (deps.store.users.get(ctx.source ?? '')?.status === 'merged' ? dataOf_(deps, [ctx.source]) : []),
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
    name: 'deleteAccount with a phone, an avatar, an export, notes and a merged account',
    prepare: async (deps) => {
      const id = await signUpWithPhone(deps, alice, '13800000006');
      const avatar = testFileId(`avatars/${id}/a.png`);
      const refused = testFileId(`avatars/${id}/refused.png`);
      const exported = testFileId(`exports/${id}/e.json`);
      deps.files.files.add(avatar).add(refused).add(exported);
      dataOf(await call(deps, alice, 'updateProfile', { avatarFileID: avatar }));
      const user = deps.store.users.get(id);
      if (user) Object.assign(user, { personalDataFileID: exported, filesToDelete: [refused] });
      deps.store.users.set('merged-one', { _id: 'merged-one', status: 'merged', mergedInto: id, identityKeys: [] });
      deps.userData.documents.set('notes', [
        { _id: 'n1', owner: id },
        { _id: 'n2', owner: 'merged-one' },
        { _id: 'n3', owner: 'someone-else' },
      ]);
      return { id, avatar, refused, exported };
    },
    act: (deps) => call(deps, alice, 'deleteAccount', { confirm: true }),
    // The account is gone; its data and files are the leftovers, removed or recorded.
    done: (deps) => deps.store.users.size === 0 && deps.store.identities.size === 0,
    untouched: (deps, ctx) =>
      deps.store.users.get(ctx.id ?? '')?.status === 'active' &&
      deps.store.identities.size === 3 &&
      deps.files.files.has(ctx.avatar ?? '') &&
      deps.userData.ownedBy([ctx.id ?? '', 'merged-one']).length === 2,
    resumable: (deps, ctx) => deps.store.users.get(ctx.id ?? '')?.status === 'deleting' && deps.store.identities.size === 3,
    leftovers: (deps, ctx) => [
      ...[ctx.avatar, ctx.refused, ctx.exported].filter((fileID): fileID is string => deps.files.files.has(fileID ?? '')),
      ...dataOf_(deps, [ctx.id, 'merged-one']),
    ],
    afterLanded: ['USER_NOT_FOUND'],
  },
];

function outcomeOf(answer: Result<unknown>): string {
  return answer.ok ? 'ok' : answer.error.code;
}

describe('a fault at every request (database, storage, per-user data) of every account action', () => {
  it.each(scenarios.map((scenario) => [scenario.name, scenario] as const))(
    '%s: nothing half-written, no cleanup dropped, and a retry finishes',
    async (_name, scenario) => {
      const clean = createTestDeps();
      const cleanCtx = await scenario.prepare(clean);
      const start = clean.store.totalRequests();
      const expected = outcomeOf(await scenario.act(clean, cleanCtx));
      const requests = clean.store.totalRequests() - start;
      expect(scenario.done(clean, cleanCtx)).toBe(true);
      expect(scenario.leftovers?.(clean, cleanCtx) ?? []).toEqual([]);
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
        const resumable = !failed.ok && (scenario.resumable?.(deps, ctx) ?? false);
        const half = halfWritten(deps, resumable);
        const landed = scenario.done(deps, ctx);
        if (!scenario.completesOnRetry && half.length > 0) report(`half-written: ${half.join(' ')}`);
        if (!scenario.completesOnRetry && !landed && !resumable && !scenario.untouched(deps, ctx)) report('partly applied');
        if (failed.ok) {
          const recorded = recordedCleanup(deps);
          const dropped = (scenario.leftovers?.(deps, ctx) ?? []).filter((left) => !recorded.has(left));
          if (dropped.length > 0) report(`answered OK with cleanup dropped: ${dropped.join(' ')}`);
        }

        const retry = await scenario.act(deps, ctx);
        const retryOk = outcomeOf(retry) === expected || (landed && (scenario.afterLanded ?? []).includes(outcomeOf(retry)));
        if (!retryOk) report(`retry answered ${JSON.stringify(retry).slice(0, 200)}`);
        if (!scenario.done(deps, ctx)) report('retry did not finish');
        if (halfWritten(deps).length > 0) report(`half-written after the retry: ${halfWritten(deps).join(' ')}`);
        await recover(deps, scenario.identity ?? alice);
        const left = scenario.leftovers?.(deps, ctx) ?? [];
        if (left.length > 0) report(`left after the retry and recovery: ${left.join(' ')}`);
        const unfinished = [...deps.store.audit.values()].filter(
          (entry) => entry.type === 'account-deleted' && (entry.pendingFileIDs.length > 0 || (entry.pendingUserIds ?? []).length > 0),
        );
        if (unfinished.length > 0)
          report(`deletion entries still pending after recovery: ${unfinished.map((entry) => entry._id).join(' ')}`);
      }
      expect(failures).toEqual([]);
      // The faults reached the action: many requests, when they fail, fail the call (the rest are
      // housekeeping after a commit, logged and recorded, not answered).
      expect(refused).toBeGreaterThan(requests / 3);
    },
  );
});
