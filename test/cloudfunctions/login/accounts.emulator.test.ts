/**
 * The account actions of the BUILT login function (`npm run build`) run by the local emulator's
 * function runtime, through the unmodified wx-server-sdk: database transactions, phone number and
 * content-check open APIs, cloud storage. Faults are injected at the emulator, where CloudBase
 * would fail.
 */
import { createHash } from 'node:crypto';
import { EJSON } from 'bson';
import type { ActionMap, ActionName, ErrorBody, Result } from '../../../typings/contract';
import { createEmulator, type Caller, type Emulator } from '@wx-cloud-login/cloudbase-emulator';
import { ROUND_TRIP_LATENCY_MS } from '../../support/round-trips';

let emulator: Emulator;

beforeAll(async () => {
  // Six instances at most: the widest race here (six accounts binding one number) runs in six at
  // once, and twelve binds of one person still run six at a time, more than the limit (5) they
  // race for. A higher cap only adds cold starts (~110 ms of CPU each) to the twelve binds.
  emulator = await createEmulator({ memory: true, maxInstances: 6 });
});

afterAll(async () => {
  await emulator?.close();
});

let people = 0;
/** A new WeChat user of the test mini-program (each test uses its own people and numbers). */
function person(name: string): Required<Pick<Caller, 'openid' | 'appid' | 'unionid'>> {
  people += 1;
  return { openid: `o-${name}-${people}`, appid: 'wx-accounts-app', unionid: `u-${name}-${people}` };
}

async function invoke<A extends ActionName>(caller: Caller, action: A, payload: Record<string, unknown> = {}) {
  const invocation = await emulator.callFunction('login', { ...payload, action }, caller);
  if (invocation.error) throw new Error(`login did not run: ${invocation.error.message}`);
  return { ...invocation, response: invocation.result as Result<ActionMap[A]['data']> };
}

async function call<A extends ActionName>(caller: Caller, action: A, payload: Record<string, unknown> = {}) {
  return (await invoke(caller, action, payload)).response;
}

function dataOf<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected success, got ${result.error.code}: ${result.error.message}`);
  return result.data;
}

function errorOf(result: Result<unknown>): ErrorBody {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.data)}`);
  return result.error;
}

function docs(collection: string): Record<string, unknown>[] {
  return emulator.database.documents(collection);
}

function doc(collection: string, id: string): Record<string, unknown> | undefined {
  return emulator.database.document(collection, id) ?? undefined;
}

/** Changes fields of a stored document behind the function's back (an admin, or time passing). */
async function patch(collection: string, id: string, fields: Record<string, unknown>): Promise<void> {
  const current = doc(collection, id);
  if (!current) throw new Error(`${collection}/${id} does not exist`);
  await emulator.database.importCollection(collection, EJSON.stringify({ ...current, ...fields }, { relaxed: false }));
}

async function signUp(caller: Caller): Promise<string> {
  return dataOf(await call(caller, 'login')).user.id;
}

async function bindPhone(caller: Caller, phone: string) {
  return call(caller, 'bindPhone', { code: emulator.openapi.issuePhoneCode(phone) });
}

/** Identities pointing at a user that does not exist or does not list them. */
function danglingIdentities(): string[] {
  const users = new Map(docs('users').map((user) => [user._id, user]));
  return docs('identities')
    .filter((identity) => {
      const keys = users.get(identity.userId)?.identityKeys;
      return !(Array.isArray(keys) && keys.includes(identity._id));
    })
    .map((identity) => String(identity._id));
}

function ticketRecordId(ticket: string): string {
  return createHash('sha256').update(ticket).digest('hex');
}

describe('updateProfile through the emulator', () => {
  it('given a nickname, passes it through msgSecCheck v2 and stores it; a risky one is refused', async () => {
    const alice = person('alice');
    const id = await signUp(alice);

    expect(dataOf(await call(alice, 'updateProfile', { nickName: '小明' })).user.nickName).toBe('小明');
    expect(errorOf(await call(alice, 'updateProfile', { nickName: '小明 emulator-risky' })).code).toBe('CONTENT_RISKY');
    expect(errorOf(await call(alice, 'updateProfile', { nickName: '测试待审词' })).code).toBe('CONTENT_RISKY');
    expect(doc('users', id)?.nickName).toBe('小明');
  });

  it('given an uploaded avatar, answers a URL that serves the file; a returning login answers it in one round trip', async () => {
    const alice = person('alice');
    const id = await signUp(alice);
    const fileID = await emulator.storage.write(`avatars/${id}/a.png`, Buffer.from('png-bytes'), 'image/png');

    const { user } = dataOf(await call(alice, 'updateProfile', { avatarFileID: fileID }));
    const download = await fetch(user.avatarUrl);
    // Latency makes parallel requests overlap, so the round-trip count shows what is sequential.
    const latency = emulator.faults.add({ action: /^(database|storage)\./, latencyMs: ROUND_TRIP_LATENCY_MS, times: 'always' });
    const login = await invoke(alice, 'login').finally(() => latency.remove());

    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).toString()).toBe('png-bytes');
    expect(dataOf(login.response).user.avatarUrl).toBe(user.avatarUrl);
    expect(login.roundTrips).toBe(1);
    expect(doc('users', id)).toMatchObject({ avatarFileID: fileID, avatarUrl: user.avatarUrl });
  });

  it('given a cached avatar URL that expired, the next login gets a new one and stores it', async () => {
    const alice = person('alice');
    const id = await signUp(alice);
    const fileID = await emulator.storage.write(`avatars/${id}/a.png`, Buffer.from('png'), 'image/png');
    dataOf(await call(alice, 'updateProfile', { avatarFileID: fileID }));
    await patch('users', id, { avatarUrl: 'https://expired.example/a.png', avatarUrlExpiresAt: new Date(Date.now() - 1000) });

    const login = await invoke(alice, 'login');
    const url = dataOf(login.response).user.avatarUrl;

    expect(url).toContain('/storage/files/');
    expect(login.requests.map((request) => request.action)).toContain('storage.batchGetDownloadUrl');
    expect(doc('users', id)?.avatarUrl).toBe(url);
    expect((await fetch(url)).status).toBe(200);
  });

  it("given a fileID of another environment, another user's folder, or no file, answers AVATAR_INVALID", async () => {
    const alice = person('alice');
    const id = await signUp(alice);
    const elsewhere = `cloud://other-env.6f74-other-env-1250000000/avatars/${id}/a.png`;
    const othersFile = await emulator.storage.write('avatars/someone-else/a.png', Buffer.from('x'));

    for (const fileID of [elsewhere, othersFile, emulator.storage.fileIdFor(`avatars/${id}/missing.png`)]) {
      expect(errorOf(await call(alice, 'updateProfile', { avatarFileID: fileID })).code).toBe('AVATAR_INVALID');
    }
    expect(doc('users', id)?.avatarFileID).toBeUndefined();
  });
});

describe('avatar uploads that never become the avatar, through the emulator', () => {
  const stored = (fileID: string) => emulator.storage.list().some((file) => file.fileID === fileID);

  it('removes an upload whose save was refused, the avatar a newer one replaces, and the last one at deletion', async () => {
    const alice = person('alice');
    const id = await signUp(alice);
    const refused = await emulator.storage.write(`avatars/${id}/refused.png`, Buffer.from('1'), 'image/png');
    const first = await emulator.storage.write(`avatars/${id}/first.png`, Buffer.from('2'), 'image/png');
    const second = await emulator.storage.write(`avatars/${id}/second.png`, Buffer.from('3'), 'image/png');

    expect(errorOf(await call(alice, 'updateProfile', { nickName: 'emulator-risky', avatarFileID: refused })).code).toBe('CONTENT_RISKY');
    expect(stored(refused)).toBe(false);
    dataOf(await call(alice, 'updateProfile', { avatarFileID: first }));
    dataOf(await call(alice, 'updateProfile', { avatarFileID: second }));
    expect([stored(first), stored(second)]).toEqual([false, true]);

    dataOf(await call(alice, 'deleteAccount', { confirm: true }));
    expect(emulator.storage.list().filter((file) => file.fileID.includes(`/avatars/${id}/`))).toEqual([]);
  });

  it("given an upload under an account deleted meanwhile (a stale cached id), the refusal removes it; a live user's file stays", async () => {
    const old = person('old');
    const oldId = await signUp(old);
    dataOf(await call(old, 'deleteAccount', { confirm: true }));
    const stale = await emulator.storage.write(`avatars/${oldId}/late.png`, Buffer.from('x'), 'image/png');
    const neighbour = person('neighbour');
    const neighbourFile = await emulator.storage.write(`avatars/${await signUp(neighbour)}/a.png`, Buffer.from('y'), 'image/png');
    const fresh = await signUp(old);

    expect(errorOf(await call(old, 'updateProfile', { avatarFileID: stale })).code).toBe('AVATAR_INVALID');
    expect(errorOf(await call(old, 'updateProfile', { avatarFileID: neighbourFile })).code).toBe('AVATAR_INVALID');

    expect(fresh).not.toBe(oldId);
    expect(stored(stale)).toBe(false);
    expect(stored(neighbourFile)).toBe(true);
  });
});

describe('bindPhone through the emulator', () => {
  it('given a fresh number, binds it; the full number only in this answer, masked in login', async () => {
    const alice = person('alice');
    const id = await signUp(alice);

    const data = dataOf(await bindPhone(alice, '13800000001'));
    const login = dataOf(await call(alice, 'login'));

    expect(data).toMatchObject({ phoneNumber: '13800000001', user: { hasPhone: true, maskedPhoneNumber: '138****0001' } });
    expect(login.user.maskedPhoneNumber).toBe('138****0001');
    expect(JSON.stringify(login)).not.toContain('13800000001');
    expect(doc('identities', 'phone:+86:13800000001')?.userId).toBe(id);
  });

  it.each([
    ['an unknown or used code (40029)', 'no-such-code', 'PHONE_CODE_INVALID'],
    ['the minute quota (45011)', 'fail:45011', 'PHONE_QUOTA_EXCEEDED'],
    ['the daily quota (45009)', 'fail:45009', 'PHONE_QUOTA_EXCEEDED'],
    ['an unauthorized mini-program (48001)', 'fail:48001', 'PHONE_NOT_PERMITTED'],
  ])('given %s (code %s), answers %s', async (_name, code, expected) => {
    const alice = person('alice');
    await signUp(alice);
    expect(errorOf(await call(alice, 'bindPhone', { code })).code).toBe(expected);
  });

  it('given a caller who has not logged in, answers USER_NOT_FOUND and leaves the code usable', async () => {
    const alice = person('alice');
    const code = emulator.openapi.issuePhoneCode('13800000002');

    expect(errorOf(await call(alice, 'bindPhone', { code })).code).toBe('USER_NOT_FOUND');
    await signUp(alice);
    expect(dataOf(await call(alice, 'bindPhone', { code })).phoneNumber).toBe('13800000002');
  });

  it('given two accounts racing for one number in separate instances, exactly one gets it', async () => {
    const racers = Array.from({ length: 6 }, () => person('racer'));
    await Promise.all(racers.map(signUp));

    const results = await Promise.all(racers.map((racer) => bindPhone(racer, '13800000003')));

    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(new Set(results.filter((result) => !result.ok).map((result) => errorOf(result).code))).toEqual(
      new Set(['PHONE_BELONGS_TO_ANOTHER_ACCOUNT']),
    );
    const holders = docs('users').filter((user) => (user.boundPhone as { key?: string } | undefined)?.key === 'phone:+86:13800000003');
    expect(holders).toHaveLength(1);
    expect(doc('identities', 'phone:+86:13800000003')?.userId).toBe(holders[0]?._id);
  }, 30_000);

  it('given the attaching transaction fails, releases the claimed number: nothing half-written, a retry binds it', async () => {
    const caller = person('unlucky');
    await signUp(caller);
    const fault = emulator.faults.add({
      action: 'database.commitTransaction',
      times: 1,
      error: { code: 'DATABASE_REQUEST_FAILED', message: 'injected commit failure' },
    });
    const failed = await bindPhone(caller, '13800000004');
    fault.remove();

    expect(errorOf(failed).code).toBe('INTERNAL');
    expect(doc('identities', 'phone:+86:13800000004')).toBeUndefined();
    expect(danglingIdentities()).toEqual([]);
    expect(dataOf(await bindPhone(caller, '13800000004')).user).toMatchObject({ hasPhone: true, maskedPhoneNumber: '138****0004' });
  });

  it("given the claim's answer lost after the insert landed, releases the claim: the number is nobody's, another person binds it", async () => {
    const caller = person('unlucky');
    const callerId = await signUp(caller);
    const fault = emulator.faults.add({
      action: 'database.insertDocument',
      collection: 'identities',
      when: 'after',
      error: { code: 'SYS_ERR', message: 'injected: reply lost' },
    });
    const failed = await bindPhone(caller, '13800000005');
    fault.remove();

    expect(errorOf(failed).code).toBe('INTERNAL');
    expect(doc('identities', 'phone:+86:13800000005')).toBeUndefined();
    expect(danglingIdentities()).toEqual([]);
    const other = person('other');
    const otherId = await signUp(other);
    expect(dataOf(await bindPhone(other, '13800000005')).user).toMatchObject({ id: otherId, hasPhone: true });
    expect(doc('identities', 'phone:+86:13800000005')?.userId).toBe(otherId);
    expect(doc('users', callerId)?.boundPhone).toBeUndefined();
  });
});

/** An existing account (from the web: phone + e-mail identity, a nickname) and a new WeChat user proving its number. */
async function linkScenario(phone: string) {
  const owner = person('owner');
  const ownerId = await signUp(owner);
  dataOf(await bindPhone(owner, phone));
  dataOf(await call(owner, 'updateProfile', { nickName: '网页账号' }));
  await emulator.database.importCollection(
    'identities',
    JSON.stringify({ _id: `email:${ownerId}@example.com`, userId: ownerId, provider: 'email' }),
  );
  const ownerDoc = doc('users', ownerId);
  await patch('users', ownerId, { identityKeys: [...((ownerDoc?.identityKeys as string[]) ?? []), `email:${ownerId}@example.com`] });

  const newcomer = person('newcomer');
  const newcomerId = await signUp(newcomer);
  dataOf(await call(newcomer, 'updateProfile', { nickName: '微信新用户' }));
  const offer = errorOf(await bindPhone(newcomer, phone));
  if (offer.code !== 'PHONE_BELONGS_TO_ANOTHER_ACCOUNT' || !offer.details) throw new Error(`no link offer: ${offer.code}`);
  return { owner, ownerId, newcomer, newcomerId, ticket: offer.details.ticket, offer };
}

describe('linking to an existing account through the emulator', () => {
  it('offers a preview and a ticket; confirmLink moves the WeChat identities and keeps the other providers', async () => {
    const { owner, ownerId, newcomer, newcomerId, ticket, offer } = await linkScenario('13800000010');
    expect(offer.details?.preview).toMatchObject({
      target: { maskedPhoneNumber: '138****0010', nickName: '网页账号' },
      movingIdentities: ['wechat-unionid', 'wechat'],
      keptFields: ['nickName'],
    });
    expect(JSON.stringify(offer)).not.toContain(ownerId);

    const { user } = dataOf(await call(newcomer, 'confirmLink', { ticket }));

    expect(user).toMatchObject({ id: ownerId, nickName: '网页账号', hasPhone: true });
    expect(doc('identities', `wx-openid:wx-accounts-app:${newcomer.openid}`)).toMatchObject({ userId: ownerId, movedFrom: newcomerId });
    expect(doc('identities', `wx-unionid:${newcomer.unionid}`)?.userId).toBe(ownerId);
    expect(doc('identities', `email:${ownerId}@example.com`)?.userId).toBe(ownerId);
    expect(doc('users', newcomerId)).toMatchObject({ status: 'merged', mergedInto: ownerId, identityKeys: [], nickName: '微信新用户' });
    expect(docs('account_audit').find((entry) => entry.fromUserId === newcomerId)).toMatchObject({
      type: 'account-linked',
      toUserId: ownerId,
    });
    expect(danglingIdentities()).toEqual([]);

    expect(dataOf(await call(newcomer, 'login'))).toMatchObject({ isNewUser: false, user: { id: ownerId } });
    expect(dataOf(await call(owner, 'login')).user.id).toBe(ownerId);
  });

  it('tells the account holder at their next login, once; the linked WeChat is not told', async () => {
    const { owner, newcomer, ticket } = await linkScenario('13800000016');
    dataOf(await call(newcomer, 'confirmLink', { ticket }));

    expect(dataOf(await call(newcomer, 'login'))).not.toHaveProperty('notices');
    const told = dataOf(await call(owner, 'login'));
    expect(told.notices).toEqual([{ kind: 'linked-by-phone', at: expect.any(Number) }]);
    expect(Math.abs((told.notices?.[0]?.at ?? 0) - Date.now())).toBeLessThan(60_000);
    expect(dataOf(await call(owner, 'login'))).not.toHaveProperty('notices');
  });

  it('given the ticket replayed, answers LINK_TICKET_USED', async () => {
    const { newcomer, ticket } = await linkScenario('13800000011');
    dataOf(await call(newcomer, 'confirmLink', { ticket }));
    expect(errorOf(await call(newcomer, 'confirmLink', { ticket })).code).toBe('LINK_TICKET_USED');
  });

  it('given the ticket expired, answers LINK_TICKET_EXPIRED and links nothing', async () => {
    const { newcomer, newcomerId, ticket } = await linkScenario('13800000012');
    await patch('link_tickets', ticketRecordId(ticket), { expiresAt: new Date(Date.now() - 1) });

    expect(errorOf(await call(newcomer, 'confirmLink', { ticket })).code).toBe('LINK_TICKET_EXPIRED');
    expect(doc('users', newcomerId)?.status).toBe('active');
  });

  it('given the ticket used by another person, answers LINK_TICKET_NOT_YOURS and links nothing', async () => {
    const { newcomerId, ticket } = await linkScenario('13800000013');
    const stranger = person('stranger');
    const strangerId = await signUp(stranger);

    expect(errorOf(await call(stranger, 'confirmLink', { ticket })).code).toBe('LINK_TICKET_NOT_YOURS');
    expect(doc('users', strangerId)?.status).toBe('active');
    expect(doc('users', newcomerId)?.status).toBe('active');
  });

  it('given a fault in the middle of the merge, nothing changes; the retry completes it with no dangling identity', async () => {
    const { ownerId, newcomer, newcomerId, ticket } = await linkScenario('13800000014');
    const snapshot = () => JSON.stringify([docs('users'), docs('identities'), docs('link_tickets')]);
    const before = snapshot();
    // The merge updates the target, then the source: fail the second users write, inside the transaction.
    const fault = emulator.faults.add({
      action: 'database.modifyDocument',
      collection: 'users',
      nth: 2,
      error: { code: 'DATABASE_REQUEST_FAILED', message: 'injected failure in the middle of the merge' },
    });

    const failed = await call(newcomer, 'confirmLink', { ticket });
    fault.remove();

    expect(errorOf(failed).code).toBe('INTERNAL');
    expect(snapshot()).toBe(before);

    dataOf(await call(newcomer, 'confirmLink', { ticket }));
    expect(doc('users', newcomerId)).toMatchObject({ status: 'merged', mergedInto: ownerId });
    expect(doc('identities', `wx-unionid:${newcomer.unionid}`)?.userId).toBe(ownerId);
    expect(danglingIdentities()).toEqual([]);
    expect(docs('account_audit').filter((entry) => entry.fromUserId === newcomerId)).toHaveLength(1);
  });

  it("given the commit's answer lost, the link is complete; the retry finishes its data move and answers the joined account", async () => {
    const { ownerId, newcomer, newcomerId, ticket } = await linkScenario('13800000015');
    const fault = emulator.faults.add({
      action: 'database.commitTransaction',
      when: 'after',
      error: { code: 'SYS_ERR', message: 'injected: reply lost' },
    });

    const failed = await call(newcomer, 'confirmLink', { ticket });
    fault.remove();

    expect(errorOf(failed).code).toBe('INTERNAL');
    expect(doc('users', newcomerId)).toMatchObject({ status: 'merged', mergedInto: ownerId });
    expect(danglingIdentities()).toEqual([]);
    // The commit recorded the per-user data move as owed; the answer never came, so the retry does it.
    expect(doc('users', ownerId)?.pendingDataMoves).toEqual([newcomerId]);
    expect(dataOf(await call(newcomer, 'confirmLink', { ticket })).user.id).toBe(ownerId);
    expect(doc('users', ownerId)?.pendingDataMoves).toEqual([]);
    expect(errorOf(await call(newcomer, 'confirmLink', { ticket })).code).toBe('LINK_TICKET_USED');
    expect(dataOf(await call(newcomer, 'login')).user.id).toBe(ownerId);
  });
});

describe('identities and deletion through the emulator', () => {
  it('lists identities masked; unlinks the phone; refuses to unlink the last way to sign in', async () => {
    const alice = person('alice');
    const id = await signUp(alice);
    dataOf(await bindPhone(alice, '13800000020'));

    const { identities } = dataOf(await call(alice, 'listIdentities'));
    expect(identities.map((identity) => [identity.kind, identity.current, identity.canUnlink])).toEqual([
      ['wechat', true, true],
      ['phone', false, true],
    ]);
    expect(JSON.stringify(identities)).not.toContain(alice.openid);

    const phone = identities.find((identity) => identity.kind === 'phone');
    const after = dataOf(await call(alice, 'unlinkIdentity', { identityId: phone?.id }));
    expect(after.identities.map((identity) => identity.canUnlink)).toEqual([false]);
    expect(doc('identities', 'phone:+86:13800000020')).toBeUndefined();
    expect(doc('users', id)?.boundPhone).toBeUndefined();

    const wechat = after.identities[0];
    expect(errorOf(await call(alice, 'unlinkIdentity', { identityId: wechat?.id })).code).toBe('LAST_IDENTITY');
    expect(danglingIdentities()).toEqual([]);
  });

  it('deletes the account: profile, identities and avatar file go, a minimal audit entry stays, the next login is new', async () => {
    const alice = person('alice');
    const id = await signUp(alice);
    dataOf(await bindPhone(alice, '13800000030'));
    const fileID = await emulator.storage.write(`avatars/${id}/a.png`, Buffer.from('png'), 'image/png');
    dataOf(await call(alice, 'updateProfile', { nickName: '要注销的人', avatarFileID: fileID }));
    // An account once merged into this one, and a tutorial-style duplicate login never adopted.
    await emulator.database.importCollection(
      'users',
      [
        JSON.stringify({ _id: `merged-into-${id}`, status: 'merged', mergedInto: id, identityKeys: [], nickName: '旧号' }),
        JSON.stringify({ _id: `legacy-of-${id}`, _openid: alice.openid, nickName: '教程' }),
      ].join('\n'),
    );

    expect(errorOf(await call(alice, 'deleteAccount')).code).toBe('CONFIRMATION_REQUIRED');
    expect(dataOf(await call(alice, 'deleteAccount', { confirm: true }))).toEqual({ deleted: true });

    expect(doc('users', id)).toBeUndefined();
    expect(doc('users', `merged-into-${id}`)).toBeUndefined();
    expect(doc('users', `legacy-of-${id}`)).toBeUndefined();
    expect(docs('identities').filter((identity) => identity.userId === id)).toEqual([]);
    expect(emulator.storage.list().some((file) => file.fileID === fileID)).toBe(false);
    const audit = docs('account_audit').filter((entry) => entry.userId === id);
    expect(audit).toEqual([expect.objectContaining({ type: 'account-deleted', identityCount: 3, mergedAccountCount: 1 })]);
    expect(JSON.stringify(audit)).not.toMatch(/要注销的人|13800000030|o-alice/);

    const next = dataOf(await call(alice, 'login'));
    expect(next.isNewUser).toBe(true);
    expect(next.user.id).not.toBe(id);
    expect(next.user).toMatchObject({ nickName: '', avatarUrl: '', hasPhone: false });
  });

  it('given deleteAccount racing confirmLink into the account, no merged document, profile or avatar survives', async () => {
    for (let round = 0; round < 6; round += 1) {
      const { owner, ownerId, newcomer, newcomerId, ticket } = await linkScenario(`1380000006${round}`);
      const fileID = await emulator.storage.write(`avatars/${newcomerId}/n.png`, Buffer.from('png'), 'image/png');
      dataOf(await call(newcomer, 'updateProfile', { avatarFileID: fileID }));
      // The race only, slowed down and staggered so that the link commits while the deletion is
      // between its queries and its transaction.
      const latency = emulator.faults.add({ action: /^database\./, latencyMs: 10, times: 'always' });
      try {
        const deletion = call(owner, 'deleteAccount', { confirm: true });
        await new Promise((resolve) => setTimeout(resolve, round * 15));
        const linked = await call(newcomer, 'confirmLink', { ticket });
        expect(dataOf(await deletion)).toEqual({ deleted: true });

        expect(doc('users', ownerId)).toBeUndefined();
        const survivors = docs('users').filter((user) => user.mergedInto === ownerId);
        expect(survivors).toEqual([]);
        if (linked.ok) {
          expect(doc('users', newcomerId)).toBeUndefined();
          expect(emulator.storage.list().some((file) => file.fileID === fileID)).toBe(false);
          expect(doc('account_audit', `delete:${ownerId}`)).toMatchObject({ mergedAccountCount: 1 });
        } else {
          expect(doc('users', newcomerId)).toMatchObject({ status: 'active', nickName: '微信新用户' });
        }
        expect(danglingIdentities()).toEqual([]);
      } finally {
        latency.remove();
      }
    }
  }, 60_000);

  it('given logins of the same person in a loop, deleteAccount still succeeds', async () => {
    const alice = person('alice');
    const id = await signUp(alice);
    const latency = emulator.faults.add({ action: /^database\./, latencyMs: 5, times: 'always' });
    let deleting = true;
    const logins = Array.from({ length: 4 }, async () => {
      while (deleting) await call(alice, 'login');
    });
    try {
      for (let round = 0; round < 3; round += 1) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(dataOf(await call(alice, 'deleteAccount', { confirm: true }))).toEqual({ deleted: true });
    } finally {
      deleting = false;
      await Promise.all(logins);
      latency.remove();
    }
    expect(doc('users', id)).toBeUndefined();
    expect(docs('identities').filter((identity) => identity.userId === id)).toEqual([]);
  }, 60_000);

  it('given the deletion commit failing after the data removal, keeps the account marked and its avatar file; a retry deletes both', async () => {
    const alice = person('alice');
    const id = await signUp(alice);
    const fileID = await emulator.storage.write(`avatars/${id}/a.png`, Buffer.from('png'), 'image/png');
    dataOf(await call(alice, 'updateProfile', { nickName: '还在', avatarFileID: fileID }));
    const fault = emulator.faults.add({
      action: 'database.commitTransaction',
      times: 1,
      error: { code: 'DATABASE_REQUEST_FAILED', message: 'injected commit failure' },
    });
    const failed = await call(alice, 'deleteAccount', { confirm: true });
    fault.remove();

    // Per-user data removal had begun: the account is not handed back as if whole; the retry resumes.
    expect(errorOf(failed).code).toBe('INTERNAL');
    expect(doc('users', id)).toMatchObject({ status: 'deleting', nickName: '还在' });
    expect(emulator.storage.list().some((file) => file.fileID === fileID)).toBe(true);

    dataOf(await call(alice, 'deleteAccount', { confirm: true }));
    expect(doc('users', id)).toBeUndefined();
    expect(emulator.storage.list().some((file) => file.fileID === fileID)).toBe(false);
    expect(doc('account_audit', `delete:${id}`)).toMatchObject({ pendingFileIDs: [] });
  });

  it('given a crash between the deletion mark and its commit, the next login completes the deletion', async () => {
    const alice = person('alice');
    const id = await signUp(alice);
    const fileID = await emulator.storage.write(`avatars/${id}/a.png`, Buffer.from('png'), 'image/png');
    dataOf(await call(alice, 'updateProfile', { nickName: '崩溃前', avatarFileID: fileID }));
    // The deletion's commit fails and so does the transaction giving the account back: what a
    // process killed after the mark leaves (the mark, and everything else in place).
    const crash = emulator.faults.add({
      action: 'database.commitTransaction',
      times: 2,
      error: { code: 'DATABASE_REQUEST_FAILED', message: 'injected: the instance died' },
    });
    const failed = await call(alice, 'deleteAccount', { confirm: true });
    crash.remove();
    expect(errorOf(failed).code).toBe('INTERNAL');
    expect(doc('users', id)).toMatchObject({ status: 'deleting', nickName: '崩溃前' });
    expect(errorOf(await call(alice, 'listIdentities')).code).toBe('USER_NOT_FOUND');

    const next = dataOf(await call(alice, 'login'));

    expect(next).toMatchObject({ isNewUser: true, user: { nickName: '' } });
    expect(doc('users', id)).toBeUndefined();
    expect(docs('identities').filter((identity) => identity.userId === id)).toEqual([]);
    expect(emulator.storage.list().some((file) => file.fileID === fileID)).toBe(false);
    expect(doc('account_audit', `delete:${id}`)).toMatchObject({ identityCount: 2, pendingFileIDs: [] });
    expect(danglingIdentities()).toEqual([]);
  });

  it('given an avatar the page uploaded to the path the function named and never saved, 注销 removes it', async () => {
    const alice = person('alice');
    const aliceId = await signUp(alice);
    const { cloudPath } = dataOf(await call(alice, 'prepareAvatarUpload', { extension: 'png' }));
    expect(cloudPath.startsWith(`avatars/${aliceId}/`)).toBe(true);
    // The mini-program's own upload (wx.cloud.uploadFile, as this user); the page is closed before updateProfile.
    const fileID = await emulator.storage.write(cloudPath, Buffer.from('png'), 'image/png', { openid: alice.openid });
    expect(doc('users', aliceId)?.pendingUploads).toEqual([cloudPath]);

    dataOf(await call(alice, 'deleteAccount', { confirm: true }));

    expect(emulator.storage.list().filter((file) => file.cloudPath.startsWith(`avatars/${aliceId}/`))).toEqual([]);
    expect(await emulator.storage.read(fileID)).toBeNull();
  });

  it('given storage failing after a deletion commit, the next deletion of anyone removes the file left behind', async () => {
    const alice = person('alice');
    const aliceId = await signUp(alice);
    const fileID = await emulator.storage.write(`avatars/${aliceId}/a.png`, Buffer.from('png'), 'image/png');
    dataOf(await call(alice, 'updateProfile', { avatarFileID: fileID }));
    const storageDown = emulator.faults.add({
      action: 'storage.batchDeleteFile',
      times: 'always',
      error: { code: 'STORAGE_REQUEST_FAIL', message: 'injected storage failure' },
    });
    try {
      dataOf(await call(alice, 'deleteAccount', { confirm: true }));
    } finally {
      storageDown.remove();
    }
    expect(doc('users', aliceId)).toBeUndefined();
    expect(doc('account_audit', `delete:${aliceId}`)).toMatchObject({ pendingFileIDs: [fileID] });
    expect(emulator.storage.list().some((file) => file.fileID === fileID)).toBe(true);

    const bob = person('bob');
    await signUp(bob);
    dataOf(await call(bob, 'deleteAccount', { confirm: true }));

    expect(emulator.storage.list().some((file) => file.fileID === fileID)).toBe(false);
    expect(doc('account_audit', `delete:${aliceId}`)).toMatchObject({ pendingFileIDs: [] });
  });

  it('given a banned user, every account action answers USER_BANNED', async () => {
    const alice = person('alice');
    const id = await signUp(alice);
    await patch('users', id, { status: 'banned' });

    for (const [action, payload] of [
      ['updateProfile', { nickName: '小明' }],
      ['bindPhone', { code: emulator.openapi.issuePhoneCode('13800000040') }],
      ['confirmLink', { ticket: `lt1_${'A'.repeat(43)}` }],
      ['listIdentities', {}],
      ['unlinkIdentity', { identityId: 'abc' }],
      ['deleteAccount', { confirm: true }],
      ['login', {}],
    ] as const) {
      expect(errorOf(await call(alice, action, payload)).code).toBe('USER_BANNED');
    }
    expect(doc('users', id)).toMatchObject({ status: 'banned', nickName: '' });
  });

  it('given no OPENID, answers UNAUTHENTICATED without any request', async () => {
    const invocation = await invoke({ appid: 'wx-accounts-app' }, 'listIdentities');
    expect(errorOf(invocation.response).code).toBe('UNAUTHENTICATED');
    expect(invocation.requests).toEqual([]);
  });
});

describe('collections a client could write (not ADMINONLY)', () => {
  it('given a ticket record written by a client (it carries _openid), refuses it as LINK_TICKET_INVALID and links nothing', async () => {
    const { newcomer, newcomerId, ticket } = await linkScenario('13800000030');
    // What an attacker with write access would store: a record pointing their WeChat at someone's account.
    await patch('link_tickets', ticketRecordId(ticket), { _openid: newcomer.openid });

    expect(errorOf(await call(newcomer, 'confirmLink', { ticket })).code).toBe('LINK_TICKET_INVALID');
    expect(doc('users', newcomerId)?.status).toBe('active');
  });

  it('given an identity document written by a client, fails closed instead of signing in to the user it names', async () => {
    const victim = person('victim');
    const victimId = await signUp(victim);
    const attacker = person('attacker');
    await emulator.database.importCollection(
      'identities',
      JSON.stringify({ _id: `wx-unionid:${attacker.unionid}`, userId: victimId, _openid: attacker.openid }),
    );

    const response = await call(attacker, 'login');

    expect(errorOf(response).code).toBe('INTERNAL');
    expect(
      docs('users').filter((user) => (user.identityKeys as string[] | undefined)?.some((key) => key.includes(attacker.openid))),
    ).toEqual([]);
  });
});

/** The WeChat-account rows of `caller`'s account, by who they belong to. */
async function rows(caller: Caller) {
  return dataOf(await call(caller, 'listIdentities')).identities;
}

async function unlink(caller: Caller, identityId: string | undefined) {
  return call(caller, 'unlinkIdentity', { identityId });
}

/** 小明 owns the account (his phone, his nickname); 小红 proves his number and links her WeChat into it. */
async function linkedCouple(phone: string, apps: { ming?: Partial<Caller>; hong?: Partial<Caller> } = {}) {
  const ming = { ...person('ming'), ...apps.ming };
  const accountId = await signUp(ming);
  dataOf(await bindPhone(ming, phone));
  dataOf(await call(ming, 'updateProfile', { nickName: '小明' }));
  const hong = { ...person('hong'), ...apps.hong };
  const hongOldId = await signUp(hong);
  dataOf(await call(hong, 'updateProfile', { nickName: '小红' }));
  const offer = errorOf(await bindPhone(hong, phone));
  if (offer.code !== 'PHONE_BELONGS_TO_ANOTHER_ACCOUNT') throw new Error(`no link offer: ${offer.code}`);
  expect(dataOf(await call(hong, 'confirmLink', { ticket: offer.details.ticket })).user.id).toBe(accountId);
  return { ming, hong, accountId, hongOldId };
}

/** A new WeChat recovers the account with the phone: 「换了微信？用手机号找回账号」 on the login page. */
async function recoverWithPhone(caller: Caller, phone: string) {
  const fresh = dataOf(await call(caller, 'login'));
  const offer = errorOf(await bindPhone(caller, phone));
  if (offer.code !== 'PHONE_BELONGS_TO_ANOTHER_ACCOUNT') throw new Error(`no link offer: ${offer.code}`);
  return { fresh, user: dataOf(await call(caller, 'confirmLink', { ticket: offer.details.ticket })).user };
}

describe('WeChat accounts as units, through the emulator', () => {
  it("the path of issue 11: 小红 unlinks 小明's WeChat — only his goes; both then sign in to what they expect", async () => {
    const { ming, hong, accountId, hongOldId } = await linkedCouple('13800000101');

    const listed = await rows(hong);
    expect(listed.map((row) => [row.kind, row.current, row.linked, row.linkedFromNickName, row.canUnlink])).toEqual([
      ['wechat', true, true, '小红', true],
      ['wechat', false, false, '', true],
      ['phone', false, false, '', true],
    ]);
    const mingsRow = listed[1];
    const unlinked = dataOf(await unlink(hong, mingsRow?.id));

    expect(unlinked.signedOut).toBe(false);
    expect(unlinked.identities.map((row) => [row.kind, row.current])).toEqual([
      ['wechat', true],
      ['phone', false],
    ]);
    expect(doc('identities', `wx-openid:wx-accounts-app:${ming.openid}`)).toBeUndefined();
    expect(doc('identities', `wx-unionid:${ming.unionid}`)).toBeUndefined();
    expect(doc('identities', `wx-unionid:${hong.unionid}`)?.userId).toBe(accountId);
    expect(dataOf(await call(hong, 'login'))).toMatchObject({ isNewUser: false, user: { id: accountId, nickName: '小明' } });

    // 小明 is told he is in a new account, and gets back in with his phone number.
    const { fresh, user } = await recoverWithPhone(ming, '13800000101');
    expect(fresh.isNewUser).toBe(true);
    expect(fresh.user.id).not.toBe(accountId);
    expect(user).toMatchObject({ id: accountId, nickName: '小明', hasPhone: true });
    expect(dataOf(await call(ming, 'login')).user.id).toBe(accountId);
    expect(dataOf(await call(hong, 'login')).user.id).toBe(accountId);
    expect(doc('users', hongOldId)).toMatchObject({ status: 'merged', mergedInto: accountId });
    const theirs = [ming.openid, ming.unionid, hong.openid, hong.unionid, '13800000101'];
    expect(danglingIdentities().filter((key) => theirs.some((part) => key.endsWith(part)))).toEqual([]);
  });

  it('given two linked unionids, unlinking the current one signs this WeChat out; the other still signs in', async () => {
    const { ming, hong, accountId } = await linkedCouple('13800000102');
    const own = (await rows(hong)).find((row) => row.current);

    const unlinked = dataOf(await unlink(hong, own?.id));

    expect(unlinked.signedOut).toBe(true);
    expect(unlinked.identities.map((row) => [row.kind, row.current])).toEqual([
      ['wechat', false],
      ['phone', false],
    ]);
    expect(errorOf(await call(hong, 'listIdentities')).code).toBe('USER_NOT_FOUND');
    expect(dataOf(await call(ming, 'login')).user.id).toBe(accountId);
    const next = dataOf(await call(hong, 'login'));
    expect(next.isNewUser).toBe(true);
    expect(next.user.id).not.toBe(accountId);
  });

  it('given one unionid across two apps, shows one row naming both apps and unlinks all its keys together', async () => {
    const inA = person('twoapps');
    const inB = { ...inA, openid: `${inA.openid}-b`, appid: 'wx-accounts-app-b' };
    const id = await signUp(inA);
    expect(await signUp(inB)).toBe(id);

    expect((await rows(inA)).map((row) => [row.kind, row.apps, row.canUnlink])).toEqual([
      [
        'wechat',
        [
          { appid: 'wx-accounts-app', thisApp: true },
          { appid: 'wx-accounts-app-b', thisApp: false },
        ],
        false,
      ],
    ]);
    expect(errorOf(await unlink(inA, (await rows(inA))[0]?.id)).code).toBe('LAST_IDENTITY');

    dataOf(await bindPhone(inA, '13800000103'));
    const wechat = (await rows(inB)).find((row) => row.kind === 'wechat');
    expect(wechat?.apps.map((app) => app.thisApp)).toEqual([true, false]);
    expect(dataOf(await unlink(inB, wechat?.id)).signedOut).toBe(true);

    expect(
      docs('identities')
        .filter((identity) => identity.userId === id)
        .map((identity) => identity._id),
    ).toEqual(['phone:+86:13800000103']);
    expect(dataOf(await call(inA, 'login')).isNewUser).toBe(true);
  });

  it('given openid-only WeChat accounts (an app without open platform), unlinks exactly the other one', async () => {
    const noUnionid = { unionid: undefined };
    const { ming, hong, accountId } = await linkedCouple('13800000104', { ming: noUnionid, hong: noUnionid });
    const listed = await rows(hong);
    expect(listed.map((row) => [row.kind, row.current, row.openPlatform])).toEqual([
      ['wechat', true, false],
      ['wechat', false, false],
      ['phone', false, false],
    ]);

    expect(dataOf(await unlink(hong, listed[1]?.id)).signedOut).toBe(false);

    expect(doc('identities', `wx-openid:wx-accounts-app:${hong.openid}`)?.userId).toBe(accountId);
    expect(doc('identities', `wx-openid:wx-accounts-app:${ming.openid}`)).toBeUndefined();
    expect(dataOf(await call(ming, 'login')).isNewUser).toBe(true);
  });

  it('given the phone as the only remainder, the WeChat may go; the new WeChat recovers the account with the phone', async () => {
    const alice = person('alice');
    const id = await signUp(alice);
    dataOf(await bindPhone(alice, '13800000105'));
    dataOf(await call(alice, 'updateProfile', { nickName: '只剩手机号' }));

    const wechat = (await rows(alice)).find((row) => row.kind === 'wechat');
    expect(dataOf(await unlink(alice, wechat?.id))).toMatchObject({ signedOut: true, identities: [{ kind: 'phone' }] });
    expect(doc('users', id)?.identityKeys).toEqual(['phone:+86:13800000105']);

    const changed = person('alice-new-wechat');
    const { fresh, user } = await recoverWithPhone(changed, '13800000105');
    expect(fresh.isNewUser).toBe(true);
    expect(user).toMatchObject({ id, nickName: '只剩手机号' });
    expect((await rows(changed)).map((row) => [row.kind, row.current, row.canUnlink])).toEqual([
      ['wechat', true, true],
      ['phone', false, true],
    ]);
  });

  it('records which openid came with which unionid at login; an account from before that is migrated by its next login', async () => {
    const alice = person('alice');
    const id = await signUp(alice);
    const pair = { openidKey: `wx-openid:wx-accounts-app:${alice.openid}`, unionidKey: `wx-unionid:${alice.unionid}` };
    expect(doc('users', id)?.wechatPairs).toEqual([pair]);

    const { wechatPairs: _recorded, ...before } = doc('users', id) ?? {};
    await emulator.database.importCollection('users', EJSON.stringify(before, { relaxed: false }));
    const latency = emulator.faults.add({ action: /^database\./, latencyMs: ROUND_TRIP_LATENCY_MS, times: 'always' });
    try {
      const migrating = await invoke(alice, 'login');
      const returning = await invoke(alice, 'login');
      expect(dataOf(migrating.response).user.id).toBe(id);
      expect(migrating.roundTrips).toBe(2);
      expect(returning.roundTrips).toBe(1);
    } finally {
      latency.remove();
    }
    expect(doc('users', id)?.wechatPairs).toEqual([pair]);
  });

  it('given a linked account from before the pairs, still tells the two WeChat accounts apart and unlinks one', async () => {
    const { ming, hong, accountId } = await linkedCouple('13800000106');
    const { wechatPairs: _recorded, ...before } = doc('users', accountId) ?? {};
    await emulator.database.importCollection('users', EJSON.stringify(before, { relaxed: false }));

    const listed = await rows(hong);
    expect(listed.filter((row) => row.kind === 'wechat')).toHaveLength(2);
    dataOf(await unlink(hong, listed.find((row) => row.kind === 'wechat' && !row.current)?.id));

    expect(doc('identities', `wx-unionid:${ming.unionid}`)).toBeUndefined();
    expect(doc('identities', `wx-openid:wx-accounts-app:${ming.openid}`)).toBeUndefined();
    expect(doc('identities', `wx-openid:wx-accounts-app:${hong.openid}`)?.userId).toBe(accountId);
  });
});

describe('rate limits through the emulator', () => {
  it('given 12 parallel binds of one person in separate instances, exactly the limit (5) pass; the rest answer RATE_LIMITED with the wait', async () => {
    const caller = person('hasty');
    const userId = await signUp(caller);
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, index) => bindPhone(caller, `1390000${String(index).padStart(4, '0')}`)),
    );

    const limited = results.filter((result) => !result.ok && result.error.code === 'RATE_LIMITED');
    expect(limited).toHaveLength(12 - 5);
    for (const result of limited) {
      const error = errorOf(result);
      const retryAfterMs = error.code === 'RATE_LIMITED' ? error.details.retryAfterMs : 0;
      expect(retryAfterMs).toBeGreaterThan(0);
      expect(retryAfterMs).toBeLessThanOrEqual(60 * 60 * 1000);
    }
    // The calls really ran in several instances: the counter, not an instance's memory, held the limit.
    expect(emulator.functions.stats('login').instances).toBeGreaterThan(1);
    // Counted per person (their account), stored only as a hash.
    const keyHash = createHash('sha256').update(`user:${userId}`).digest('base64url');
    const counters = docs('rate_limits').filter((counter) => counter.action === 'bindPhone' && counter.keyHash === keyHash);
    expect(counters.map((counter) => counter.count)).toEqual([5]);
    expect(JSON.stringify(counters)).not.toContain(caller.openid);
  }, 30_000);

  it('counts per person: the same person calling from two apps (one unionid) shares one allowance', async () => {
    const inFirstApp = person('two-apps-limit');
    await signUp(inFirstApp);
    const inSecondApp = { ...inFirstApp, openid: `${inFirstApp.openid}-second`, appid: 'wx-accounts-second-app' };
    await signUp(inSecondApp);
    const codes: string[] = [];
    for (let bind = 0; bind < 6; bind += 1) {
      const result = await bindPhone(bind % 2 === 0 ? inFirstApp : inSecondApp, `1360000${String(bind).padStart(4, '0')}`);
      codes.push(result.ok ? 'ok' : result.error.code);
    }
    expect(codes).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'RATE_LIMITED']);
  });

  it('the counter costs one round trip, after the caller is known (it counts the account): a nickname change is at most one trip over the unlimited avatar path', async () => {
    const caller = person('counted');
    await signUp(caller);
    // The environment's very first counter creates the collection (once, and not on this path).
    const other = person('other');
    await signUp(other);
    dataOf(await call(other, 'updateProfile', { nickName: '别人' }));
    const latency = emulator.faults.add({ action: /^database\./, latencyMs: ROUND_TRIP_LATENCY_MS, times: 'always' });
    try {
      // An avatar-only change is not limited: the baseline of the same action without a counter.
      const avatar = await emulator.storage.write(
        `avatars/${dataOf(await call(caller, 'login')).user.id}/a.png`,
        Buffer.from('png'),
        'image/png',
      );
      const baseline = await invoke(caller, 'updateProfile', { avatarFileID: avatar });
      const first = await invoke(caller, 'updateProfile', { nickName: '第一次' });
      const second = await invoke(caller, 'updateProfile', { nickName: '第二次' });

      expect([baseline, first, second].map(({ response }) => response.ok)).toEqual([true, true, true]);
      // updateProfile with an avatar: caller, storage URL (not a database trip), write, old-file check — the nickname path
      // has caller, counter (per person: it needs the account, so it follows the caller) and write.
      expect(first.roundTrips).toBeLessThanOrEqual(baseline.roundTrips + 1);
      expect(second.roundTrips).toBe(first.roundTrips);
    } finally {
      latency.remove();
    }
  });
});
