/**
 * The Store contract (cloudfunctions/login/src/ports.ts) as one suite, run against every
 * implementation: the CloudBase store on the emulator through the real wx-server-sdk (the
 * reference) and the in-memory store the action tests use, so the fake can never drift from the
 * real one. Each test gets a fresh database (`setup` is called per test; on CloudBase it picks
 * fresh collection names, so every collection starts missing).
 */
import type { IdentityKeys } from '../../../../cloudfunctions/login/src/rules/identity';
import type { AuditEntry, LinkTicketDoc, UserDoc } from '../../../../cloudfunctions/login/src/model';
import type { Store } from '../../../../cloudfunctions/login/src/ports';

export interface StoreUnderTest {
  store: Store;
  /** Writes a document as is, bypassing the store (a hand-edited or client-written one). */
  writeRaw?(collection: 'users' | 'identities' | 'linkTickets' | 'audit', doc: Record<string, unknown> & { _id: string }): Promise<void>;
}

const keys: IdentityKeys = {
  openid: 'wx-openid:wxapp1:o-alice',
  unionid: 'wx-unionid:u-alice',
  primary: 'wx-unionid:u-alice',
  all: ['wx-unionid:u-alice', 'wx-openid:wxapp1:o-alice'],
};
const at = new Date('2026-01-01T00:00:00Z');
const later = new Date('2026-01-02T00:00:00Z');

function ticket(id: string, overrides: Partial<LinkTicketDoc> = {}): LinkTicketDoc {
  return {
    _id: id,
    callerKey: keys.openid,
    fromUserId: 'u1',
    toUserId: 'u2',
    phoneKey: 'phone:+86:13800000000',
    createdAt: at,
    expiresAt: later,
    usedAt: null,
    ...overrides,
  };
}

const ids = (users: UserDoc[]) => users.map((user) => user._id).sort();

export function describeStoreConformance(name: string, setup: () => Promise<StoreUnderTest>): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    let subject: StoreUnderTest;
    beforeEach(async () => {
      subject = await setup();
      store = subject.store;
    });

    describe('on a fresh database (no collections yet)', () => {
      it('reads answer null or empty', async () => {
        expect(await store.getUser('nobody')).toBeNull();
        expect(await store.getIdentity(keys.openid)).toBeNull();
        expect(await store.getLinkTicket('t')).toBeNull();
        expect(await store.findUsersByIdentity(keys.all)).toEqual([]);
        expect(await store.identitiesOf(['u1'])).toEqual([]);
        expect(await store.usersMergedInto('u1')).toEqual([]);
        expect(await store.updateUser('nobody', { set: { nickName: 'x' } })).toBe(false);
      });

      it('legacy clean-ups find nothing to clean (a WeChat push can come before any login)', async () => {
        await store.scrubLegacyDocuments('o-alice', ['nickName', 'userInfo']);
        await store.removeLegacyUsers('o-alice');
        expect(await store.findUsersByIdentity(keys.all)).toEqual([]);
      });

      it('stampAndFind finds nothing and stamps nothing', async () => {
        expect(await store.stampAndFind(keys, 'o-alice', { id: 'l1', at })).toEqual({ users: [], stamped: false });
      });

      it('removals of what is not there succeed', async () => {
        await store.removeUser('nobody');
        await store.removeLinkTicketsOf(['u1'], [keys.openid]);
        await store.removeExpiredLinkTickets(later);
        await store.removeLegacyUsers('o-alice');
      });

      it('the first writes create the collections', async () => {
        expect(await store.claimIdentity(keys.openid, 'u1', at)).toBe('u1');
        expect(await store.insertUser({ _id: 'u1', identityKeys: [keys.openid] })).toBe(true);
        await store.insertLinkTicket(ticket('t1'));
        expect(await store.getUser('u1')).toMatchObject({ _id: 'u1', identityKeys: [keys.openid] });
        expect(await store.getLinkTicket('t1')).toMatchObject({ _id: 't1', usedAt: null });
      });
    });

    describe('users', () => {
      it('insertUser answers false for a duplicate id and writes nothing', async () => {
        expect(await store.insertUser({ _id: 'u1', nickName: 'first' })).toBe(true);
        expect(await store.insertUser({ _id: 'u1', nickName: 'second' })).toBe(false);
        expect((await store.getUser('u1'))?.nickName).toBe('first');
      });

      it('updateUser applies every patch field', async () => {
        await store.insertUser({ _id: 'u1', identityKeys: ['a', 'b'], loginCount: 1, session_key: 's', nickName: 'old' });
        expect(await store.updateUser('u1', { set: { nickName: 'new', createdAt: at }, remove: ['session_key'] })).toBe(true);
        expect(await store.updateUser('u1', { addIdentityKeys: ['b', 'c'], noteKeysHeldElsewhere: ['x'] })).toBe(true);
        expect(await store.updateUser('u1', { noteKeysHeldElsewhere: ['x', 'y'], stamp: { id: 'l2', at: later } })).toBe(true);
        const user = await store.getUser('u1');
        expect(user).toMatchObject({ nickName: 'new', createdAt: at, identityKeys: ['a', 'b', 'c'], keysHeldElsewhere: ['x', 'y'] });
        expect(user).toMatchObject({ lastLoginAt: later, lastLoginId: 'l2', loginCount: 2 });
        expect(user).not.toHaveProperty('session_key');

        expect(await store.updateUser('u1', { removeIdentityKeys: ['a', 'c'] })).toBe(true);
        expect((await store.getUser('u1'))?.identityKeys).toEqual(['b']);
        expect(await store.updateUser('u1', { set: { identityKeys: ['z'] } })).toBe(true);
        expect((await store.getUser('u1'))?.identityKeys).toEqual(['z']);
      });

      it('updateUser adds to and pulls from the pending-cleanup lists without repeats', async () => {
        await store.insertUser({ _id: 'u1' });
        expect(await store.updateUser('u1', { addToLists: { filesToDelete: ['f1', 'f2'], pendingDataMoves: ['m1'] } })).toBe(true);
        expect(await store.updateUser('u1', { addToLists: { filesToDelete: ['f2', 'f3'] }, set: { nickName: 'n' } })).toBe(true);
        expect(await store.getUser('u1')).toMatchObject({ nickName: 'n', filesToDelete: ['f1', 'f2', 'f3'], pendingDataMoves: ['m1'] });
        expect(await store.updateUser('u1', { pullFromLists: { filesToDelete: ['f1', 'f3', 'absent'], pendingDataMoves: ['m1'] } })).toBe(
          true,
        );
        expect(await store.getUser('u1')).toMatchObject({ filesToDelete: ['f2'], pendingDataMoves: [] });
        // Pulling from a list that was never written leaves an empty one or none: both mean nothing
        // pending. (Such a pull changes nothing, and CloudBase counts it as no update: its answer is not relied on.)
        await store.insertUser({ _id: 'u2' });
        await store.updateUser('u2', { pullFromLists: { filesToDelete: ['f1'] } });
        expect((await store.getUser('u2'))?.filesToDelete ?? []).toEqual([]);
      });

      it('updateUser removes fields at any depth by dotted path, inside arrays too', async () => {
        await store.insertUser({
          _id: 'u1',
          nickName: 'kept',
          userInfo: { nickName: '老用户', session_key: 's', deeper: { token: 't', city: '杭州' } } as UserDoc['userInfo'],
          accounts: [
            { provider: 'qq', access_token: 'a' },
            { provider: 'weibo', refresh_token: 'r' },
          ],
        });
        const paths = [
          'userInfo.session_key',
          'userInfo.deeper.token',
          'accounts.0.access_token',
          'accounts.1.refresh_token',
          'absent.path',
        ];
        expect(await store.updateUser('u1', { remove: paths })).toBe(true);
        expect(await store.getUser('u1')).toMatchObject({
          nickName: 'kept',
          userInfo: { nickName: '老用户', deeper: { city: '杭州' } },
          accounts: [{ provider: 'qq' }, { provider: 'weibo' }],
        });
        const user = await store.getUser('u1');
        expect(JSON.stringify(user)).not.toMatch(/session_key|token/);
      });

      it('updateUser answers false when no user has the id, with or without fields to write', async () => {
        expect(await store.updateUser('nobody', { set: { nickName: 'x' } })).toBe(false);
        await store.insertUser({ _id: 'u1' });
        expect(await store.updateUser('nobody', {})).toBe(false);
        expect(await store.updateUser('u1', {})).toBe(true);
        expect(await store.getUser('nobody')).toBeNull();
      });

      it('removeUser deletes the document', async () => {
        await store.insertUser({ _id: 'u1' });
        await store.removeUser('u1');
        expect(await store.getUser('u1')).toBeNull();
      });

      it('findUsersByIdentity and usersMergedInto answer the matching users', async () => {
        await store.insertUser({ _id: 'u1', identityKeys: [keys.openid] });
        await store.insertUser({ _id: 'u2', identityKeys: ['other'] });
        await store.insertUser({ _id: 'm1', status: 'merged', mergedInto: 'u1' });
        await store.insertUser({ _id: 'm2', status: 'active', mergedInto: 'u1' });
        expect(ids(await store.findUsersByIdentity([keys.unionid ?? '', keys.openid]))).toEqual(['u1']);
        expect(ids(await store.usersMergedInto('u1'))).toEqual(['m1']);
      });

      it('usersOwingDataMoves answers users listing a pending or late data move, bounded', async () => {
        expect(await store.usersOwingDataMoves(5)).toEqual([]);
        await store.insertUser({ _id: 'none', identityKeys: [] });
        await store.insertUser({ _id: 'empty', identityKeys: [], pendingDataMoves: [], lateDataMoves: [] });
        await store.insertUser({ _id: 'owed', identityKeys: [], pendingDataMoves: ['m1'] });
        await store.insertUser({ _id: 'late', identityKeys: [], lateDataMoves: ['m2'] });
        expect(ids(await store.usersOwingDataMoves(5)).sort()).toEqual(['late', 'owed']);
        expect(await store.usersOwingDataMoves(1)).toHaveLength(1);
        await store.updateUser('late', { pullFromLists: { lateDataMoves: ['m2'] } });
        expect(ids(await store.usersOwingDataMoves(5))).toEqual(['owed']);
      });
    });

    describe('markUserDeleting', () => {
      it('marks an active user, again on a retry, and never a banned, merged or missing one', async () => {
        await store.insertUser({ _id: 'u1', status: 'active', identityKeys: [keys.openid] });
        await store.insertUser({ _id: 'b1', status: 'banned' });
        await store.insertUser({ _id: 'm1', status: 'merged', mergedInto: 'u1' });
        expect(await store.markUserDeleting('u1')).toBe(true);
        expect(await store.markUserDeleting('u1')).toBe(true);
        expect(await store.getUser('u1')).toMatchObject({ status: 'deleting' });
        expect(await store.markUserDeleting('b1')).toBe(false);
        expect(await store.markUserDeleting('m1')).toBe(false);
        expect(await store.markUserDeleting('nobody')).toBe(false);
        expect(await store.getUser('b1')).toMatchObject({ status: 'banned' });
        expect(await store.getUser('m1')).toMatchObject({ status: 'merged' });
      });

      it('a user being deleted is not stamped by a login', async () => {
        await store.insertUser({ _id: 'u1', status: 'active', identityKeys: [keys.openid], loginCount: 3 });
        await store.markUserDeleting('u1');
        expect((await store.stampAndFind(keys, 'o-alice', { id: 'l1', at })).stamped).toBe(false);
        expect(await store.getUser('u1')).toMatchObject({ loginCount: 3 });
      });
    });

    describe('stampAndFind', () => {
      it('stamps only the non-banned, non-merged holder of the openid key', async () => {
        await store.insertUser({ _id: 'u1', identityKeys: [keys.openid], loginCount: 3 });
        const result = await store.stampAndFind(keys, 'o-alice', { id: 'l1', at });
        expect(result.stamped).toBe(true);
        expect(await store.getUser('u1')).toMatchObject({ loginCount: 4, lastLoginAt: at, lastLoginId: 'l1' });
        expect(ids(result.users)).toEqual(['u1']);
      });

      it.each(['banned', 'merged'] as const)('does not stamp a %s user, but finds it', async (status) => {
        await store.insertUser({ _id: 'u1', identityKeys: [keys.openid], status, loginCount: 3 });
        const result = await store.stampAndFind(keys, 'o-alice', { id: 'l1', at });
        expect(result.stamped).toBe(false);
        expect(ids(result.users)).toEqual(['u1']);
        expect((await store.getUser('u1'))?.loginCount).toBe(3);
      });

      it('finds by any key and legacy _openid / openid documents, without stamping them', async () => {
        await store.insertUser({ _id: 'byUnion', identityKeys: [keys.unionid ?? ''] });
        await store.insertUser({ _id: 'legacy1', _openid: 'o-alice' });
        await store.insertUser({ _id: 'legacy2', openid: 'o-alice' });
        await store.insertUser({ _id: 'stranger', openid: 'o-bob' });
        const result = await store.stampAndFind(keys, 'o-alice', { id: 'l1', at });
        expect(result.stamped).toBe(false);
        expect(ids(result.users)).toEqual(['byUnion', 'legacy1', 'legacy2']);
      });
    });

    describe('identities', () => {
      it('claimIdentity: the insert wins, later claims answer the owner', async () => {
        expect(await store.claimIdentity(keys.openid, 'u1', at)).toBe('u1');
        expect(await store.claimIdentity(keys.openid, 'u2', later)).toBe('u1');
        expect(await store.getIdentity(keys.openid)).toMatchObject({
          _id: keys.openid,
          userId: 'u1',
          provider: 'wx-openid',
          createdAt: at,
        });
      });

      it('claimIdentity: of 10 concurrent claims one wins and all answer the same owner', async () => {
        const owners = await Promise.all(Array.from({ length: 10 }, (_unused, index) => store.claimIdentity(keys.openid, `u${index}`, at)));
        expect(new Set(owners).size).toBe(1);
        expect((await store.getIdentity(keys.openid))?.userId).toBe(owners[0]);
      });

      it('reassignIdentity moves the key only while it still points at fromUserId', async () => {
        await store.claimIdentity(keys.openid, 'gone', at);
        expect(await store.reassignIdentity(keys.openid, 'someone-else', 'u2', later)).toBe(false);
        expect((await store.getIdentity(keys.openid))?.userId).toBe('gone');
        expect(await store.reassignIdentity(keys.openid, 'gone', 'u2', later)).toBe(true);
        expect(await store.getIdentity(keys.openid)).toMatchObject({ userId: 'u2', movedFrom: 'gone', movedAt: later });
      });

      it('putIdentity creates or replaces, removeIdentity deletes, identitiesOf finds by owner', async () => {
        await store.putIdentity({ _id: 'phone:+86:1', userId: 'u1', provider: 'phone', createdAt: at });
        await store.putIdentity({ _id: 'phone:+86:2', userId: 'u1', provider: 'phone', createdAt: at });
        await store.putIdentity({ _id: 'phone:+86:2', userId: 'u2', provider: 'phone', createdAt: later });
        expect((await store.identitiesOf(['u1'])).map((doc) => doc._id)).toEqual(['phone:+86:1']);
        expect((await store.identitiesOf(['u1', 'u2'])).map((doc) => doc._id).sort()).toEqual(['phone:+86:1', 'phone:+86:2']);
        expect(await store.identitiesOf([])).toEqual([]);
        await store.removeIdentity('phone:+86:1');
        expect(await store.getIdentity('phone:+86:1')).toBeNull();
      });
    });

    describe('link tickets and audit', () => {
      it('insert, read, mark used, remove by user and by expiry', async () => {
        await store.insertLinkTicket(ticket('t1', { fromUserId: 'u1', toUserId: 'u2' }));
        await store.insertLinkTicket(ticket('t2', { fromUserId: 'u3', toUserId: 'u1' }));
        await store.insertLinkTicket(ticket('t3', { fromUserId: 'u3', toUserId: 'u4', expiresAt: at }));
        await store.insertLinkTicket(ticket('t4', { fromUserId: 'u3', toUserId: 'u4' }));
        await store.markLinkTicketUsed('t4', at);
        expect(await store.getLinkTicket('t4')).toMatchObject({ usedAt: at, phoneKey: 'phone:+86:13800000000' });
        await store.insertLinkTicket(ticket('t5', { callerKey: 'wx-openid:other', fromUserId: 'u5', toUserId: 'u6' }));
        await store.insertLinkTicket(ticket('t6', { callerKey: 'wx-openid:kept', fromUserId: 'u5', toUserId: 'u6' }));
        await store.removeLinkTicketsOf(['u1', 'u7'], ['wx-openid:other']);
        expect(await store.getLinkTicket('t1')).toBeNull();
        expect(await store.getLinkTicket('t2')).toBeNull();
        expect(await store.getLinkTicket('t5')).toBeNull();
        expect(await store.getLinkTicket('t6')).not.toBeNull();
        await store.removeExpiredLinkTickets(new Date(at.getTime() + 1));
        expect(await store.getLinkTicket('t3')).toBeNull();
        expect(await store.getLinkTicket('t4')).not.toBeNull();
      });

      it('putAudit writes an entry once per id (a retry replaces it)', async () => {
        const entry: AuditEntry & { type: 'account-deleted' } = {
          _id: 'a1',
          type: 'account-deleted',
          at,
          userId: 'u1',
          identityCount: 2,
          mergedAccountCount: 0,
          pendingFileIDs: [],
        };
        await store.putAudit(entry);
        await store.putAudit({ ...entry, identityCount: 3 });
      });

      it('deletionsWithPendingWork answers deletion entries with files or per-user data left, bounded, never a client-written one', async () => {
        const entry = (id: string, pendingFileIDs: string[], pendingUserIds?: string[]): AuditEntry => ({
          _id: id,
          type: 'account-deleted',
          at,
          userId: `user-${id}`,
          identityCount: 1,
          mergedAccountCount: 0,
          pendingFileIDs,
          ...(pendingUserIds ? { pendingUserIds } : {}),
        });
        expect(await store.deletionsWithPendingWork(5)).toEqual([]);
        await store.putAudit(entry('done', []));
        await store.putAudit(entry('done-too', [], []));
        await store.putAudit(entry('left1', ['cloud://e.b/avatars/user-left1/a.png']));
        await store.putAudit(entry('left2', ['cloud://e.b/avatars/user-left2/a.png', 'cloud://e.b/avatars/user-left2/b.png']));
        await store.putAudit(entry('data-left', [], ['user-data-left', 'merged-one']));
        await store.putAudit({
          _id: 'link:t',
          type: 'account-linked',
          at,
          fromUserId: 'a',
          toUserId: 'b',
          movedProviders: [],
          releasedProviders: [],
          filledFields: [],
        });
        await subject.writeRaw?.('audit', { ...entry('planted', ['cloud://e.b/avatars/victim/a.png'], ['victim']), _openid: 'o-attacker' });

        const found = await store.deletionsWithPendingWork(5);
        expect(found.map((doc) => doc._id).sort()).toEqual(['data-left', 'left1', 'left2']);
        expect(found.find((doc) => doc._id === 'left2')).toMatchObject({ userId: 'user-left2', pendingFileIDs: expect.any(Array) });
        expect(found.find((doc) => doc._id === 'data-left')).toMatchObject({ pendingUserIds: ['user-data-left', 'merged-one'] });
        expect(await store.deletionsWithPendingWork(1)).toHaveLength(1);
        await store.putAudit(entry('left1', []));
        await store.putAudit(entry('data-left', [], []));
        expect((await store.deletionsWithPendingWork(5)).map((doc) => doc._id)).toEqual(['left2']);
      });

      it('deletionsWithPendingWork with dueAt leaves out entries whose only work waits for their late-write window', async () => {
        const until = (id: string, lateWritesUntil: Date | undefined, pendingFileIDs: string[] = []): AuditEntry => ({
          _id: id,
          type: 'account-deleted',
          at,
          userId: `user-${id}`,
          identityCount: 1,
          mergedAccountCount: 0,
          pendingFileIDs,
          pendingUserIds: [`user-${id}`],
          ...(lateWritesUntil ? { lateWritesUntil } : {}),
          finishedAt: null,
        });
        const later = new Date(at.getTime() + 120_000);
        await store.putAudit(until('waiting', later));
        await store.putAudit(until('waiting-with-file', later, ['cloud://e.b/avatars/user-waiting-with-file/a.png']));
        await store.putAudit(until('due', at));
        await store.putAudit(until('older', undefined));

        expect((await store.deletionsWithPendingWork(10, at)).map((doc) => doc._id).sort()).toEqual(['due', 'older', 'waiting-with-file']);
        expect((await store.deletionsWithPendingWork(10, later)).map((doc) => doc._id).sort()).toEqual([
          'due',
          'older',
          'waiting',
          'waiting-with-file',
        ]);
        expect((await store.deletionsWithPendingWork(10)).map((doc) => doc._id).sort()).toEqual([
          'due',
          'older',
          'waiting',
          'waiting-with-file',
        ]);
        expect((await store.deletionsWithPendingWork(10, at)).find((doc) => doc._id === 'due')?.lateWritesUntil).toEqual(at);
      });

      it('deletionsWithPendingWork answers entries whose upload paths are still to delete once more, when their window ended', async () => {
        const later = new Date(at.getTime() + 120_000);
        const uploads = (id: string): AuditEntry => ({
          _id: id,
          type: 'account-deleted',
          at,
          userId: `user-${id}`,
          identityCount: 1,
          mergedAccountCount: 0,
          pendingFileIDs: [],
          pendingUserIds: [],
          lateWritesUntil: later,
          lateUploadFileIDs: [`cloud://e.b/exports/user-${id}/export.json`],
          finishedAt: null,
        });
        await store.putAudit(uploads('uploads-left'));

        expect((await store.deletionsWithPendingWork(10, at)).map((doc) => doc._id)).toEqual([]);
        const due = await store.deletionsWithPendingWork(10, later);
        expect(due.map((doc) => doc._id)).toEqual(['uploads-left']);
        expect(due[0]?.lateUploadFileIDs).toEqual(['cloud://e.b/exports/user-uploads-left/export.json']);
        expect((await store.deletionsWithPendingWork(10)).map((doc) => doc._id)).toEqual(['uploads-left']);
      });
    });

    it('auditEntriesAbout answers the entries naming the user, newest first, bounded, never a client-written one', async () => {
      const link = (id: string, fromUserId: string, toUserId: string, when: Date): AuditEntry => ({
        _id: id,
        type: 'account-linked',
        at: when,
        fromUserId,
        toUserId,
        movedProviders: ['wechat'],
        releasedProviders: [],
        filledFields: [],
      });
      expect(await store.auditEntriesAbout('alice', 10)).toEqual([]);
      await store.putAudit(link('in', 'bob', 'alice', at));
      await store.putAudit(link('out', 'alice', 'carol', later));
      await store.putAudit(link('others', 'bob', 'carol', later));
      await store.putAudit({
        _id: 'ban',
        type: 'admin-action',
        at: new Date('2026-01-03T00:00:00Z'),
        operator: 'ops',
        action: 'ban',
        userId: 'alice',
        reason: 'spam',
        until: null,
      });
      await store.putAudit({ _id: 'ban-bob', type: 'admin-action', at, operator: 'ops', action: 'ban', userId: 'bob' });
      await subject.writeRaw?.('audit', { ...link('planted', 'mallory', 'alice', later), _openid: 'o-mallory' });

      const found = await store.auditEntriesAbout('alice', 10);
      expect(found.map((entry) => entry._id)).toEqual(['ban', 'out', 'in']);
      expect(found[0]).toMatchObject({ type: 'admin-action', action: 'ban', reason: 'spam', at: new Date('2026-01-03T00:00:00Z') });
      expect((await store.auditEntriesAbout('alice', 2)).map((entry) => entry._id)).toEqual(['ban', 'out']);
    });

    describe('countUse (rate-limit counters)', () => {
      const slot = (action: string, start: Date, keyHash = 'h-alice') => ({
        _id: `${action}:${start.getTime()}:${keyHash}`,
        action,
        keyHash,
        windowStart: start,
        resetAt: new Date(start.getTime() + 60 * 60 * 1000),
      });

      it('counts up to the limit on a fresh database, then refuses without counting', async () => {
        const results: boolean[] = [];
        for (let use = 0; use < 4; use += 1) results.push(await store.countUse(slot('bindPhone', at), 3));
        expect(results).toEqual([true, true, true, false]);
      });

      it('of 20 parallel uses exactly the limit are counted', async () => {
        const results = await Promise.all(Array.from({ length: 20 }, () => store.countUse(slot('bindPhone', at), 5)));
        expect(results.filter(Boolean)).toHaveLength(5);
      });

      it('another window, action or person has its own allowance; a limit of 0 refuses', async () => {
        expect(await store.countUse(slot('bindPhone', at), 1)).toBe(true);
        expect(await store.countUse(slot('bindPhone', at), 1)).toBe(false);
        expect(await store.countUse(slot('bindPhone', later), 1)).toBe(true);
        expect(await store.countUse(slot('confirmLink', at), 1)).toBe(true);
        expect(await store.countUse(slot('bindPhone', at, 'h-bob'), 1)).toBe(true);
        expect(await store.countUse(slot('nicknameCheck', at), 0)).toBe(false);
      });
    });

    describe('legacy documents', () => {
      it('scrubLegacyDocuments removes fields only from not-adopted documents of the openid', async () => {
        await store.insertUser({ _id: 'legacy', _openid: 'o-alice', session_key: 's', nickName: 'n' });
        await store.insertUser({ _id: 'adopted', openid: 'o-alice', identityKeys: [keys.openid], session_key: 's' });
        await store.scrubLegacyDocuments('o-alice', ['session_key']);
        expect(await store.getUser('legacy')).not.toHaveProperty('session_key');
        expect((await store.getUser('legacy'))?.nickName).toBe('n');
        expect(await store.getUser('adopted')).toHaveProperty('session_key', 's');
      });

      it('removeLegacyUsers removes only not-adopted documents of the openid', async () => {
        await store.insertUser({ _id: 'legacy1', _openid: 'o-alice' });
        await store.insertUser({ _id: 'legacy2', openid: 'o-alice' });
        await store.insertUser({ _id: 'adopted', openid: 'o-alice', identityKeys: [keys.openid] });
        await store.insertUser({ _id: 'bob', openid: 'o-bob' });
        await store.removeLegacyUsers('o-alice');
        expect(await store.getUser('legacy1')).toBeNull();
        expect(await store.getUser('legacy2')).toBeNull();
        expect(await store.getUser('adopted')).not.toBeNull();
        expect(await store.getUser('bob')).not.toBeNull();
      });
    });

    describe('transactions', () => {
      it('commits every write when the work resolves, and answers its result', async () => {
        await store.insertUser({ _id: 'u1', nickName: 'old' });
        await store.claimIdentity('phone:+86:1', 'u1', at);
        await store.insertLinkTicket(ticket('t1'));
        const result = await store.transaction(async (tx) => {
          expect(await tx.updateUser('u1', { set: { nickName: 'new' }, addIdentityKeys: ['k'] })).toBe(true);
          await tx.putIdentity({ _id: 'phone:+86:2', userId: 'u1', provider: 'phone', createdAt: at });
          await tx.removeIdentity('phone:+86:1');
          await tx.markLinkTicketUsed('t1', later);
          await tx.putAudit({
            _id: 'a1',
            type: 'account-deleted',
            at,
            userId: 'u1',
            identityCount: 1,
            mergedAccountCount: 0,
            pendingFileIDs: [],
          });
          return 'done';
        });
        expect(result).toBe('done');
        expect(await store.getUser('u1')).toMatchObject({ nickName: 'new', identityKeys: ['k'] });
        expect(await store.getIdentity('phone:+86:2')).toMatchObject({ userId: 'u1' });
        expect(await store.getIdentity('phone:+86:1')).toBeNull();
        expect((await store.getLinkTicket('t1'))?.usedAt).toEqual(later);
      });

      it('reads see the transaction’s own writes', async () => {
        await store.insertUser({ _id: 'u1', nickName: 'old' });
        // A transaction ensures only link_tickets and audit exist: users and identities do once anyone logged in.
        await store.claimIdentity('phone:+86:0', 'u1', at);
        await store.insertUser({ _id: 'u2' });
        await store.transaction(async (tx) => {
          await tx.updateUser('u1', { set: { nickName: 'new' } });
          expect((await tx.getUser('u1'))?.nickName).toBe('new');
          await tx.putIdentity({ _id: 'phone:+86:1', userId: 'u1', provider: 'phone', createdAt: at });
          expect((await tx.getIdentity('phone:+86:1'))?.userId).toBe('u1');
          await tx.removeUser('u2');
          expect(await tx.getUser('u2')).toBeNull();
        });
        expect(await store.getUser('u2')).toBeNull();
      });

      it('writes nothing when the work throws, and rethrows', async () => {
        await store.insertUser({ _id: 'u1', nickName: 'old' });
        await store.claimIdentity('phone:+86:1', 'u1', at);
        const failure = store.transaction(async (tx) => {
          await tx.updateUser('u1', { set: { nickName: 'new' } });
          await tx.removeIdentity('phone:+86:1');
          await tx.putIdentity({ _id: 'phone:+86:2', userId: 'u1', provider: 'phone', createdAt: at });
          throw new Error('boom');
        });
        await expect(failure).rejects.toThrow('boom');
        expect((await store.getUser('u1'))?.nickName).toBe('old');
        expect((await store.getIdentity('phone:+86:1'))?.userId).toBe('u1');
        expect(await store.getIdentity('phone:+86:2')).toBeNull();
      });

      it('a missing document reads as null inside a transaction', async () => {
        await store.insertUser({ _id: 'u1' });
        await store.transaction(async (tx) => {
          expect(await tx.getUser('nobody')).toBeNull();
          expect(await tx.getIdentity('nothing')).toBeNull();
          expect(await tx.getLinkTicket('nothing')).toBeNull();
        });
      });
    });

    describe('users written by a client (`_openid`): trusted only when an identity vouches or it is the caller’s own legacy', () => {
      it('stampAndFind neither answers nor stamps a planted document holding the caller’s keys', async () => {
        await store.insertUser({ _id: 'planted', _openid: 'o-mallory', identityKeys: [keys.openid, keys.unionid ?? ''] });
        const result = await store.stampAndFind(keys, 'o-alice', { id: 'l1', at });
        expect(result).toEqual({ users: [], stamped: false });
        expect(await store.getUser('planted')).not.toHaveProperty('loginCount');
      });

      it('stampAndFind answers the real user, not a planted one, when both hold the keys', async () => {
        await store.claimIdentity(keys.primary, 'real', at);
        await store.insertUser({ _id: 'real', identityKeys: keys.all });
        await store.insertUser({ _id: 'planted', _openid: 'o-mallory', identityKeys: keys.all });
        const result = await store.stampAndFind(keys, 'o-alice', { id: 'l1', at });
        expect(ids(result.users)).toEqual(['real']);
        expect(result.stamped).toBe(true);
        expect(await store.getUser('planted')).not.toHaveProperty('loginCount');
      });

      it('stampAndFind answers and stamps an adopted legacy document an identity points at', async () => {
        await store.claimIdentity(keys.primary, 'adopted', at);
        await store.insertUser({ _id: 'adopted', _openid: 'o-alice', identityKeys: keys.all, loginCount: 1 });
        const result = await store.stampAndFind(keys, 'o-alice', { id: 'l1', at });
        expect(ids(result.users)).toEqual(['adopted']);
        expect(result.stamped).toBe(true);
        expect((await store.getUser('adopted'))?.loginCount).toBe(2);
      });

      it('stampAndFind finds legacy documents only when written by the caller (or a function), never by openid alone', async () => {
        await store.insertUser({ _id: 'own', _openid: 'o-alice', openid: 'o-alice' });
        await store.insertUser({ _id: 'byFunction', openid: 'o-alice' });
        await store.insertUser({ _id: 'plantedOpenid', _openid: 'o-mallory', openid: 'o-alice', status: 'banned' });
        await store.insertUser({ _id: 'mismatch', _openid: 'o-alice', openid: 'o-bob' });
        await store.insertUser({ _id: 'selfKeyed', _openid: 'o-alice', identityKeys: ['wx-openid:wxapp1:o-bob'] });
        const result = await store.stampAndFind(keys, 'o-alice', { id: 'l1', at });
        expect(ids(result.users)).toEqual(['byFunction', 'own']);
      });

      it('findUsersByIdentity answers a client-written user only when an identity of the keys points at it', async () => {
        await store.insertUser({ _id: 'planted', _openid: 'o-mallory', identityKeys: [keys.openid] });
        expect(await store.findUsersByIdentity(keys.all)).toEqual([]);
        await store.claimIdentity(keys.openid, 'adopted', at);
        await store.insertUser({ _id: 'adopted', _openid: 'o-alice', identityKeys: [keys.openid] });
        expect(ids(await store.findUsersByIdentity(keys.all))).toEqual(['adopted']);
      });

      it('scrubLegacyDocuments and removeLegacyUsers leave documents someone else wrote about the openid alone', async () => {
        await store.insertUser({ _id: 'plantedOpenid', _openid: 'o-mallory', openid: 'o-alice', session_key: 's' });
        await store.scrubLegacyDocuments('o-alice', ['session_key']);
        await store.removeLegacyUsers('o-alice');
        expect(await store.getUser('plantedOpenid')).toHaveProperty('session_key', 's');
      });
    });

    describe('imported users (`importedFrom`): trusted only when an identity vouches', () => {
      it('stampAndFind and findUsersByIdentity answer an imported user only once an identity points at it', async () => {
        // What an import cut short can leave: the keys listed, no claim (scripts/lib/admin/import).
        await store.insertUser({ _id: 'lc-left', identityKeys: keys.all, importedFrom: { source: 'leancloud', id: 'left' } });
        expect((await store.stampAndFind(keys, 'o-alice', { id: 'l1', at })).users).toEqual([]);
        expect(await store.findUsersByIdentity(keys.all)).toEqual([]);
        await store.claimIdentity(keys.primary, 'lc-left', at);
        expect(ids((await store.stampAndFind(keys, 'o-alice', { id: 'l2', at })).users)).toEqual(['lc-left']);
        expect(ids(await store.findUsersByIdentity(keys.all))).toEqual(['lc-left']);
      });
    });

    describe('guards', () => {
      it('a malformed or client-written document reads as absent', async () => {
        const writeRaw = subject.writeRaw;
        if (!writeRaw) return;
        await writeRaw('identities', { _id: 'no-owner', provider: 'phone' });
        await writeRaw('identities', { _id: 'forged', userId: 'u1', _openid: 'o-attacker' });
        await writeRaw('linkTickets', { _id: 'bad-ticket', callerKey: 'k' });
        await writeRaw('linkTickets', { ...ticket('forged-ticket'), _openid: 'o-attacker' });
        expect(await store.getIdentity('no-owner')).toBeNull();
        expect(await store.getIdentity('forged')).toBeNull();
        expect(await store.identitiesOf(['u1'])).toEqual([]);
        expect(await store.getLinkTicket('bad-ticket')).toBeNull();
        expect(await store.getLinkTicket('forged-ticket')).toBeNull();
        await store.transaction(async (tx) => {
          expect(await tx.getIdentity('forged')).toBeNull();
          expect(await tx.getLinkTicket('forged-ticket')).toBeNull();
        });
      });
    });
  });
}
