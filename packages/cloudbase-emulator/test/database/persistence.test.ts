/**
 * Persistence under a dataDir: what was acknowledged is there after a restart, damaged logs still
 * load, `memory` writes nothing, export/import round-trips, and group commit keeps fsync cheap.
 * (The kill -9 test is crash.test.ts.)
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDatabase, type DatabaseModule, type DatabaseOptions } from '../../src/database';
import { call, data, docById, ejson, failure, seed, updateDoc } from './wire';

let dataDir: string;
const open: DatabaseModule[] = [];

beforeEach(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'db-persist-'));
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((db) => db.close()));
  await fs.rm(dataDir, { recursive: true, force: true });
});

async function openDb(options: Partial<DatabaseOptions> = {}): Promise<DatabaseModule> {
  const db = await createDatabase({ dataDir, onWarning: () => undefined, ...options });
  open.push(db);
  return db;
}

async function reopen(db: DatabaseModule, options: Partial<DatabaseOptions> = {}): Promise<DatabaseModule> {
  await db.close();
  return openDb(options);
}

const logPath = (): string => path.join(dataDir, 'database', 'db.jsonl');

describe('restart', () => {
  it('finds every acknowledged change again: collections, inserts, updates, set, removals, commits, imports', async () => {
    let db = await openDb();
    await seed(db, 'users', [{ _id: 'a', n: 1, at: new Date(5) }, { _id: 'b' }, { _id: 'c' }]);
    await seed(db, 'empty', []);
    await updateDoc(db, 'users', 'a', { $inc: { n: 1 }, $push: { list: { $each: ['x'] } } });
    await data(db, 'database.modifyDocument', {
      collectionName: 'users',
      queryType: 'DOC',
      data: ejson({ replaced: true }),
      multi: false,
      merge: false,
      upsert: true,
      query: ejson({ _id: 'b' }),
    });
    await data(db, 'database.removeDocument', { collectionName: 'users', query: ejson({ _id: 'c' }), queryType: 'DOC', multi: false });
    const reply = await call(db, 'database.startTransaction');
    const transactionId = reply.kind === 'json' ? String(reply.top?.transactionId) : '';
    await data(db, 'database.insertDocument', { collectionName: 'users', data: [ejson({ _id: 't' })], transactionId });
    await updateDoc(db, 'users', 'a', { $set: { inTx: true } }, transactionId);
    await call(db, 'database.commitTransaction', { transactionId });
    await db.importCollection('imported', `${ejson({ _id: 'i1', big: 2 ** 60 })}\n`);
    const before = { users: db.documents('users'), imported: db.documents('imported') };

    db = await reopen(db);
    expect(db.listCollections().sort()).toEqual(['empty', 'imported', 'users']);
    expect(db.documents('users')).toEqual(before.users);
    expect(db.documents('imported')).toEqual(before.imported);
    expect(await docById(db, 'users', 'a')).toEqual({ _id: 'a', n: 2, at: new Date(5), list: ['x'], inTx: true });
  });

  it('given memory: true, then nothing is written even with a dataDir', async () => {
    const db = await openDb({ memory: true });
    await seed(db, 'users', [{ _id: 'a' }]);
    await db.close();
    expect(await fs.readdir(dataDir)).toEqual([]);
  });

  it('refuses a second open of the same directory while the first is open', async () => {
    const db = await openDb();
    await expect(createDatabase({ dataDir })).rejects.toThrow(/already open/);
    await reopen(db); // after close() it opens again
  });
});

describe('damaged logs', () => {
  async function logWithUsers(): Promise<void> {
    const db = await openDb();
    await seed(db, 'users', [{ _id: 'a' }, { _id: 'b' }]);
    await db.close();
  }

  it('given a torn last line (a crash mid-write), then it is ignored, reported, and the log is rewritten whole', async () => {
    await logWithUsers();
    await fs.appendFile(logPath(), '{"ops":[{"op":"put","c":"users","doc":{"_id":"tor');
    const warnings: string[] = [];
    let db = await openDb({ onWarning: (message) => warnings.push(message) });
    expect(db.documents('users')).toEqual([{ _id: 'a' }, { _id: 'b' }]);
    expect(warnings.join('\n')).toMatch(/torn last line/);
    expect((await fs.readFile(logPath(), 'utf8')).endsWith('\n')).toBe(true);
    await data(db, 'database.insertDocument', { collectionName: 'users', data: [ejson({ _id: 'c' })] });
    db = await reopen(db);
    expect(db.documents('users').map((doc) => doc._id)).toEqual(['a', 'b', 'c']);
  });

  it('given garbage bytes at the end, then the same', async () => {
    await logWithUsers();
    await fs.appendFile(logPath(), Buffer.from([0, 0, 0, 0xff, 0xfe, 10, 0, 0]));
    const db = await openDb();
    expect(db.documents('users').map((doc) => doc._id)).toEqual(['a', 'b']);
  });

  const corruptCopies = async (): Promise<string[]> =>
    (await fs.readdir(path.join(dataDir, 'database'))).filter((name) => name.startsWith('db.jsonl.corrupt-'));

  /** The log of logWithUsers with `bad` put in as line 2, between the collection and its documents. */
  async function corruptLineTwo(bad: Buffer): Promise<Buffer> {
    await logWithUsers();
    const log = await fs.readFile(logPath());
    const firstEnd = log.indexOf(0x0a) + 1;
    const damaged = Buffer.concat([log.subarray(0, firstEnd), bad, Buffer.from('\n'), log.subarray(firstEnd)]);
    await fs.writeFile(logPath(), damaged);
    return damaged;
  }

  it('given an unreadable line in the middle, then the rest loads, the line is copied byte for byte and kept, and the warning says how to recover', async () => {
    // Bytes no decoder can turn back into the record: invalid UTF-8 inside otherwise plausible JSON.
    const bad = Buffer.concat([
      Buffer.from('{"ops":[{"op":"put","c":"users","doc":{"_id":"z","name":"'),
      Buffer.from([0xc3, 0x28, 0xff]),
      Buffer.from('"}}]}'),
    ]);
    const damaged = await corruptLineTwo(bad);
    const warnings: string[] = [];
    let db = await openDb({ onWarning: (message) => warnings.push(message) });

    expect(db.documents('users').map((doc) => doc._id)).toEqual(['a', 'b']);
    const [copy, ...more] = await corruptCopies();
    expect(more).toEqual([]);
    const copyPath = path.join(dataDir, 'database', String(copy));
    expect(await fs.readFile(copyPath)).toEqual(Buffer.concat([bad, Buffer.from('\n')]));
    // Not compacted away: the log still holds the line where it was.
    expect(await fs.readFile(logPath())).toEqual(damaged);
    const warning = warnings.join('\n');
    expect(warning).toContain(`line 2 of ${logPath()} could not be read`);
    expect(warning).toContain('not valid UTF-8');
    expect(warning).toContain(`the exact bytes are kept in ${copyPath}`);
    expect(warning).toContain(`to recover: repair the line in ${logPath()}`);
    expect(warning).toContain(`to accept the loss: delete the line from ${logPath()}`);

    // Writes go on after it, and a restart with the same damage reuses the copy.
    await data(db, 'database.insertDocument', { collectionName: 'users', data: [ejson({ _id: 'c' })] });
    db = await reopen(db);
    expect(db.documents('users').map((doc) => doc._id)).toEqual(['a', 'b', 'c']);
    expect(await corruptCopies()).toEqual([copy]);

    // Repairing the line in place brings its write back, in its place in the order of writes.
    await db.close();
    const log = await fs.readFile(logPath());
    await fs.writeFile(
      logPath(),
      Buffer.from(log.toString('latin1').replace(bad.toString('latin1'), '{"ops":[{"op":"put","c":"users","doc":{"_id":"z"}}]}'), 'latin1'),
    );
    db = await openDb();
    expect(db.documents('users').map((doc) => doc._id)).toEqual(['z', 'a', 'b', 'c']);
  });

  it('given an unreadable middle line and a torn last line, then the torn tail is cut off but the middle line stays', async () => {
    const damaged = await corruptLineTwo(Buffer.from('not json at all'));
    await fs.appendFile(logPath(), '{"ops":[{"op":"put","c":"users","doc":{"_id":"tor');
    const warnings: string[] = [];
    let db = await openDb({ onWarning: (message) => warnings.push(message) });
    expect(warnings.join('\n')).toMatch(/torn last line/);
    expect(await fs.readFile(logPath())).toEqual(damaged);
    await data(db, 'database.insertDocument', { collectionName: 'users', data: [ejson({ _id: 'c' })] });
    db = await reopen(db);
    expect(db.documents('users').map((doc) => doc._id)).toEqual(['a', 'b', 'c']);
    expect(await fs.readFile(path.join(dataDir, 'database', String((await corruptCopies())[0])), 'utf8')).toBe('not json at all\n');
  });

  it('given a line naming an invalid collection (a hand-edited log), then it is kept out like any unreadable line', async () => {
    await logWithUsers();
    const lines = (await fs.readFile(logPath(), 'utf8')).split('\n');
    lines.splice(1, 0, '{"ops":[{"op":"create","c":"__proto__"}]}', '{"ops":[{"op":"create","c":"../../x"}]}');
    await fs.writeFile(logPath(), lines.join('\n'));
    const warnings: string[] = [];
    const db = await openDb({ onWarning: (message) => warnings.push(message) });
    expect(db.listCollections()).toEqual(['users']);
    expect(warnings.join('\n')).toMatch(/lines 2, 3 of .* could not be read.*\(line 2: .*valid collection name/);
  });

  it('given a leftover temporary file from an interrupted compaction, then the log is used and the file removed', async () => {
    await logWithUsers();
    const tmp = path.join(dataDir, 'database', 'db.jsonl.tmp');
    await fs.writeFile(tmp, '{"ops":[{"op":"create","c":"half');
    const db = await openDb();
    expect(db.documents('users')).toHaveLength(2);
    await expect(fs.stat(tmp)).rejects.toThrow();
  });
});

describe('compaction on startup', () => {
  it('rewrites a log full of superseded versions down to the live documents', async () => {
    let db = await openDb({ fsync: false }); // 200 sequential writes: fsync is not the subject here
    await seed(db, 'counters', [{ _id: 'c', n: 0 }]);
    for (let i = 0; i < 200; i += 1) await updateDoc(db, 'counters', 'c', { $inc: { n: 1 } });
    await db.close();
    const grown = (await fs.stat(logPath())).size;
    db = await openDb();
    const compacted = (await fs.readFile(logPath(), 'utf8')).trim().split('\n');
    expect(compacted).toHaveLength(2); // create + one document
    expect((await fs.stat(logPath())).size).toBeLessThan(grown / 50);
    expect(await docById(db, 'counters', 'c')).toEqual({ _id: 'c', n: 200 });
  });
});

describe('export / import', () => {
  it('round-trips a collection through JSON lines of canonical EJSON', async () => {
    const db = await openDb({ memory: true });
    await seed(db, 'users', [
      { _id: 'a', at: new Date(Date.UTC(2024, 0, 1)), big: 2 ** 40, f: 1.5, nested: { list: [1, 'x', null] } },
      { _id: 'b', re: { $regularExpression: { pattern: 'x', options: 'i' } } },
    ]);
    const exported = db.exportCollection('users');
    expect(exported.split('\n')[0]).toBe(
      '{"_id":"a","at":{"$date":{"$numberLong":"1704067200000"}},"big":{"$numberLong":"1099511627776"},"f":{"$numberDouble":"1.5"},"nested":{"list":[{"$numberInt":"1"},"x",null]}}',
    );
    expect(await db.importCollection('copy', exported)).toBe(2);
    expect(db.exportCollection('copy')).toBe(exported);
    expect(db.count('copy')).toBe(2);
  });

  it('upserts by _id, gives ids to documents without one, and accepts relaxed EJSON', async () => {
    const db = await openDb({ memory: true });
    await seed(db, 'users', [{ _id: 'a', v: 1 }]);
    const count = await db.importCollection(
      'users',
      ['{"_id":"a","v":2}', '{"name":"new","at":{"$date":"2024-01-01T00:00:00Z"}}', ''].join('\n'),
    );
    expect(count).toBe(2);
    const docs = db.documents('users');
    expect(docs[0]).toEqual({ _id: 'a', v: 2 });
    expect(docs[1]).toMatchObject({ name: 'new', at: new Date('2024-01-01T00:00:00Z') });
    expect(docs[1]?._id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('rejects a bad line without importing anything, and refuses to export a missing collection', async () => {
    const db = await openDb({ memory: true });
    await expect(db.importCollection('users', '{"_id":"ok"}\n{broken')).rejects.toMatchObject({
      code: 'INVALID_PARAM',
      message: expect.stringContaining('line 2'),
    });
    expect(db.listCollections()).toEqual([]);
    expect(() => db.exportCollection('users')).toThrow(expect.objectContaining({ code: 'DATABASE_COLLECTION_NOT_EXIST' }));
  });
});

describe('group commit', () => {
  it('given 1,000 concurrent logins of 3 writes each, then they share fsyncs instead of paying 3,000', async () => {
    const db = await openDb();
    await seed(db, 'users', []);
    // Counted, not timed: every fdatasync of the log goes through FileHandle#datasync.
    const probe = await fs.open(path.join(dataDir, 'probe'), 'w');
    const datasync = jest.spyOn(Object.getPrototypeOf(probe) as { datasync(): Promise<void> }, 'datasync');
    await probe.close();
    await Promise.all(
      Array.from({ length: 1000 }, async (_, i) => {
        const id = `user-${i}`;
        await data(db, 'database.insertDocument', {
          collectionName: 'users',
          data: [ejson({ _id: id, identityKeys: [`wx:${i}`], loginCount: 0 })],
        });
        await updateDoc(db, 'users', id, { $inc: { loginCount: 1 }, $set: { lastLoginAt: new Date() } });
        await updateDoc(db, 'users', id, { $set: { nickName: `n${i}` } });
      }),
    );
    const syncs = datasync.mock.calls.length;
    datasync.mockRestore();
    // Each write is acknowledged only after an fdatasync (~1-10 ms each on ordinary disks): shared, not 3,000.
    expect(syncs).toBeGreaterThan(0);
    expect(syncs).toBeLessThan(100);
    const reopened = await reopen(db);
    expect(reopened.documents('users')).toHaveLength(1000);
    expect(await docById(reopened, 'users', 'user-999')).toMatchObject({ loginCount: 1, nickName: 'n999' });
  });

  it('keeps concurrent read-modify-write requests atomic while writes wait for the disk', async () => {
    let db = await openDb();
    await seed(db, 'users', [{ _id: 'counter', n: 0 }]);
    await Promise.all(Array.from({ length: 100 }, () => updateDoc(db, 'users', 'counter', { $inc: { n: 1 } })));
    db = await reopen(db);
    expect((await docById(db, 'users', 'counter'))?.n).toBe(100);
  });

  it('makes a read wait for the writes it can see, so no answer rests on data a crash could lose', async () => {
    const db = await openDb();
    await seed(db, 'users', []);
    const order: string[] = [];
    const write = data(db, 'database.insertDocument', { collectionName: 'users', data: [ejson({ _id: 'w' })] }).then(() =>
      order.push('write acknowledged'),
    );
    const read = docById(db, 'users', 'w').then((doc) => order.push(`read answered ${String(doc?._id)}`));
    await Promise.all([write, read]);
    expect(order).toEqual(['write acknowledged', 'read answered w']);
    expect((await failure(db, 'database.insertDocument', { collectionName: 'users', data: [ejson({ _id: 'w' })] })).code).toBe(
      'DATABASE_DUPLICATE_WRITE',
    );
  });
});
