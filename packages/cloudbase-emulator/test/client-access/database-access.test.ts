/**
 * Each permission CloudBase offers, as a mini-program client meets it, through the rules-testing
 * API against the fixture project's cloudbaserc.json (fixtures/acl-project).
 */
import path from 'node:path';
import type { ClientDenial } from '../../src/activity-log';
import { decideDatabaseAccess } from '../../src/client-access/database-access';
import { assertFails, assertSucceeds, initializeTestEnvironment, type RulesTestEnvironment } from '../../src/rules-testing';

const PROJECT = path.join(__dirname, 'fixtures', 'acl-project');
let env: RulesTestEnvironment;
const denials: ClientDenial[] = [];

beforeAll(async () => {
  env = await initializeTestEnvironment({
    projectDir: PROJECT,
    emulator: { onClientDenied: (denial) => denials.push(denial), onFunctionOutput: () => undefined },
  });
});
afterAll(() => env.cleanup());

const db = (openid: string) => env.authenticatedContext(openid).database();
const seed = (collection: string, docs: Record<string, unknown>[]) =>
  env.withSecurityRulesDisabled((emulator) =>
    emulator.database.importCollection(collection, docs.map((doc) => JSON.stringify(doc)).join('\n')),
  );

describe('declared collections', () => {
  it('exist in the emulator as after a deploy', async () => {
    await env.withSecurityRulesDisabled(async (emulator) => {
      expect(emulator.database.listCollections()).toEqual(
        expect.arrayContaining(['diary', 'posts', 'notices', 'secrets', 'articles', 'tasks', 'teams']),
      );
    });
  });
});

describe('PRIVATE (仅创建者可读写)', () => {
  it('stamps _openid on a client add and shows a document only to its writer', async () => {
    const { _id } = await assertSucceeds(
      db('o-alice')
        .collection('diary')
        .add({ data: { text: 'mine' } }),
    );
    const mine = await db('o-alice').collection('diary').doc(String(_id)).get();
    expect(mine.data).toMatchObject({ text: 'mine', _openid: 'o-alice' });
    expect((await db('o-bob').collection('diary').get()).data).toEqual([]);
    expect(await db('o-bob').collection('diary').count()).toMatchObject({ total: 0 });
    await expect(db('o-bob').collection('diary').doc(String(_id)).get()).rejects.toMatchObject({
      errMsg: `document.get:fail document with _id ${_id} does not exist`,
    });
  });

  it("leaves another's document unchanged: an update or remove by _id finds nothing", async () => {
    const { _id } = await db('o-alice')
      .collection('diary')
      .add({ data: { text: 'keep' } });
    expect(
      await db('o-bob')
        .collection('diary')
        .doc(String(_id))
        .update({ data: { text: 'changed' } }),
    ).toMatchObject({ stats: { updated: 0 } });
    expect(await db('o-bob').collection('diary').doc(String(_id)).remove()).toMatchObject({ stats: { removed: 0 } });
    expect(
      await db('o-alice')
        .collection('diary')
        .doc(String(_id))
        .update({ data: { text: 'edited' } }),
    ).toMatchObject({ stats: { updated: 1 } });
    expect((await db('o-alice').collection('diary').doc(String(_id)).get()).data.text).toBe('edited');
  });

  it('refuses a client that sets or changes _openid', async () => {
    await expect(
      db('o-alice')
        .collection('diary')
        .add({ data: { _openid: 'o-bob' } }),
    ).rejects.toMatchObject({ errCode: -501007 });
    const { _id } = await db('o-alice')
      .collection('diary')
      .add({ data: { text: 'x' } });
    await expect(
      db('o-alice')
        .collection('diary')
        .doc(String(_id))
        .update({ data: { _openid: 'o-bob' } }),
    ).rejects.toMatchObject({
      errCode: -501007,
    });
  });

  it("refuses set() over another's document and keeps the caller as creator of its own", async () => {
    const { _id } = await db('o-alice')
      .collection('diary')
      .add({ data: { text: 'a' } });
    await assertFails(
      db('o-bob')
        .collection('diary')
        .doc(String(_id))
        .set({ data: { text: 'taken' } }),
    );
    await assertSucceeds(
      db('o-bob')
        .collection('diary')
        .doc('bob-own')
        .set({ data: { text: 'b' } }),
    );
    expect((await db('o-bob').collection('diary').doc('bob-own').get()).data).toMatchObject({ text: 'b', _openid: 'o-bob' });
  });

  it('refuses a client that is not signed in', async () => {
    await assertFails(env.unauthenticatedContext().database().collection('diary').get());
  });
});

describe('READONLY (所有用户可读，仅创建者可读写)', () => {
  it('is readable by all and changed by no one but its creator', async () => {
    const { _id } = await db('o-alice')
      .collection('posts')
      .add({ data: { title: 'hello' } });
    const id = String(_id);
    expect((await assertSucceeds(db('o-bob').collection('posts').doc(id).get())).data.title).toBe('hello');
    expect(
      await db('o-bob')
        .collection('posts')
        .doc(id)
        .update({ data: { title: 'hacked' } }),
    ).toMatchObject({ stats: { updated: 0 } });
    expect(await db('o-bob').collection('posts').where({ title: 'hello' }).remove()).toMatchObject({ stats: { removed: 0 } });
    expect((await db('o-bob').collection('posts').doc(id).get()).data.title).toBe('hello');
  });
});

describe('ADMINWRITE (所有用户可读，仅管理端可写)', () => {
  it('is readable by all and written by no client', async () => {
    await seed('notices', [{ _id: 'n1', text: 'maintenance' }]);
    expect((await db('o-bob').collection('notices').get()).data).toEqual([{ _id: 'n1', text: 'maintenance' }]);
    await assertFails(
      db('o-bob')
        .collection('notices')
        .add({ data: { text: 'spam' } }),
    );
    await assertFails(
      db('o-bob')
        .collection('notices')
        .doc('n1')
        .update({ data: { text: 'x' } }),
    );
    await assertFails(db('o-bob').collection('notices').doc('n1').remove());
  });
});

describe('ADMINONLY (仅管理端可读写)', () => {
  it('refuses every client operation, and a cloud function still reads everything', async () => {
    await seed('secrets', [{ _id: 's1', key: 'k' }]);
    const secrets = db('o-alice').collection('secrets');
    await assertFails(secrets.get());
    await assertFails(secrets.doc('s1').get());
    await assertFails(secrets.count());
    await assertFails(secrets.add({ data: { x: 1 } }));
    await assertFails(secrets.where({ key: 'k' }).update({ data: { key: 'z' } }));
    await assertFails(secrets.doc('s1').remove());
    const invocation = await env.withSecurityRulesDisabled((emulator) => emulator.callFunction('read-all', { collection: 'secrets' }));
    expect(invocation.result).toEqual(['s1']);
  });

  it('says on the terminal and the status log which rule refused', async () => {
    await assertFails(db('o-carol').collection('secrets').get());
    expect(denials.at(-1)).toMatchObject({
      openid: 'o-carol',
      service: 'database',
      operation: 'database.getDocument',
      target: 'secrets',
      rule: 'ADMINONLY (cloudbaserc.json)',
    });
    const log = (await (await fetch(`${env.url}/api/log?after=0`)).json()) as { entries: unknown[] };
    expect(log.entries).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'denial', target: 'secrets', openid: 'o-carol' })]),
    );
  });
});

describe('CUSTOM security rules', () => {
  it('allows a query that is a subset of the rule and refuses one that could reach more', async () => {
    await seed('articles', [
      { _id: 'a1', author: 'o-alice', published: true },
      { _id: 'a2', author: 'o-alice', published: false },
    ]);
    const bob = db('o-bob').collection('articles');
    expect((await assertSucceeds(bob.where({ published: true }).get())).data.map((doc) => doc._id)).toEqual(['a1']);
    // The rule is not a filter: a query that could match an unpublished article is refused whole.
    await assertFails(bob.get());
    await assertFails(bob.where({ author: 'o-alice' }).get());
    expect((await assertSucceeds(db('o-alice').collection('articles').where({ author: 'o-alice' }).get())).data).toHaveLength(2);
  });

  it("replaces '{openid}' in a query with the caller's openid", async () => {
    const mine = await assertSucceeds(db('o-alice').collection('articles').where({ author: '{openid}' }).count());
    expect(mine.total).toBe(2);
  });

  it('checks a create against the new document and an update against its query; delete: false refuses all', async () => {
    const alice = db('o-alice').collection('articles');
    await assertSucceeds(alice.add({ data: { author: 'o-alice', published: false } }));
    await assertFails(alice.add({ data: { author: 'o-bob', published: true } }));
    await assertSucceeds(alice.where({ author: '{openid}' }).update({ data: { published: true } }));
    await assertFails(alice.where({ published: false }).update({ data: { published: true } }));
    await assertFails(alice.where({ author: '{openid}' }).remove());
  });

  it('treats each $or / $in alternative as a query of its own', async () => {
    const bob = db('o-bob').collection('articles');
    const _ = env.authenticatedContext('o-bob').database().command as { or(...q: unknown[]): unknown; in(v: unknown[]): unknown };
    await assertSucceeds(bob.where(_.or([{ published: true }, { author: 'o-bob' }]) as Record<string, unknown>).get());
    await assertFails(bob.where(_.or([{ published: true }, { author: 'o-alice' }]) as Record<string, unknown>).get());
    await assertSucceeds(bob.where({ author: _.in(['o-bob']) }).get());
  });

  it("evaluates get('database.<collection>.<id>') and ranges the query bounds", async () => {
    await seed('teams', [{ _id: 't1', members: ['o-alice'] }]);
    await seed('tasks', [{ _id: 'k1', team: 't1', _openid: 'o-alice', priority: 2 }]);
    const _ = env.authenticatedContext('o-alice').database().command as {
      gte(n: number): { and(c: unknown): unknown };
      lte(n: number): unknown;
    };
    expect((await assertSucceeds(db('o-alice').collection('tasks').where({ team: 't1' }).get())).data).toHaveLength(1);
    await assertFails(db('o-bob').collection('tasks').where({ team: 't1' }).get());
    await assertFails(db('o-alice').collection('tasks').get());
    const tasks = db('o-alice').collection('tasks');
    await assertSucceeds(tasks.where({ _openid: '{openid}', priority: _.gte(1).and(_.lte(3)) }).update({ data: { done: true } }));
    await assertFails(tasks.where({ _openid: '{openid}', priority: _.gte(1) }).update({ data: { done: true } }));
  });

  it('sees a client that is not signed in as auth == null', async () => {
    const anonymous = env.unauthenticatedContext().database().collection('articles');
    await assertSucceeds(anonymous.where({ published: true }).get());
    await assertFails(anonymous.add({ data: { author: 'someone' } }));
  });
});

describe('what no client may do', () => {
  it('refuses an unknown collection name the way CloudBase does once it is past the permission', async () => {
    await expect(db('o-alice').collection('nope').get()).rejects.toMatchObject({ errCode: -502005 });
  });
});

describe('assertFails', () => {
  it('does not take a failure for another reason as a denial', async () => {
    await expect(assertFails(db('o-alice').collection('nope').get())).rejects.toThrow('failed for another reason');
  });

  it('fails when the call succeeds', async () => {
    await expect(assertFails(db('o-alice').collection('posts').get())).rejects.toThrow('the call succeeded');
  });
});

describe('requests shaped unlike the SDK’s', () => {
  const ports = { now: () => 0, findById: () => null, permissionOf: () => ({ aclTag: 'READONLY' as const, source: 'test' }) };
  const readonly = { aclTag: 'READONLY' as const, source: 'test' };

  it('refuses a query or data that is not Extended JSON text, so the rules read what the database runs', () => {
    const caller = { openid: 'o-x' };
    expect(
      decideDatabaseAccess('database.getDocument', { collectionName: 'posts', query: { _openid: 'o-y' } }, caller, readonly, ports),
    ).toMatchObject({ allow: false, code: 'INVALID_PARAM' });
    expect(
      decideDatabaseAccess('database.insertDocument', { collectionName: 'posts', data: [{ a: 1 }] }, caller, readonly, ports),
    ).toMatchObject({
      allow: false,
      code: 'INVALID_PARAM',
    });
  });

  it('refuses actions only cloud functions have: transactions, creating collections', () => {
    const caller = { openid: 'o-x' };
    expect(decideDatabaseAccess('database.startTransaction', {}, caller, readonly, ports)).toMatchObject({
      allow: false,
      code: 'INVALID_PARAM',
    });
    expect(decideDatabaseAccess('database.addCollection', { collectionName: 'x' }, caller, readonly, ports)).toMatchObject({
      allow: false,
    });
    expect(
      decideDatabaseAccess('database.getDocument', { collectionName: 'posts', query: '{}', transactionId: 't1' }, caller, readonly, ports),
    ).toMatchObject({ allow: false, code: 'INVALID_PARAM' });
  });
});
