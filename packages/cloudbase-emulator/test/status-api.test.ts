/**
 * The status page's JSON API (what its buttons call; the page itself is tested in Chromium in the
 * root test/e2e/emulator-status.test.ts), and the bounds of the live log behind it.
 */
import path from 'node:path';
import { createActivityLog, MAX_VALUE_CHARS } from '../src/activity-log';
import { createEmulator, type Emulator } from '../src/server';

let emulator: Emulator;

beforeAll(async () => {
  emulator = await createEmulator({
    memory: true,
    functionsRoot: path.join(__dirname, 'fixtures', 'functions'),
    onFunctionOutput: () => undefined,
  });
});
afterAll(async () => emulator?.close());

const post = (pathname: string, body?: string, headers: Record<string, string> = {}) =>
  fetch(`${emulator.url}${pathname}`, { method: 'POST', ...(body !== undefined && { body }), headers });
const json = async (response: Response) => ({ status: response.status, body: (await response.json()) as Record<string, unknown> });

describe('collections and documents', () => {
  it('creates a collection, upserts documents in relaxed Extended JSON, deletes one by _id, and clears the rest', async () => {
    expect(await json(await post('/api/collections', JSON.stringify({ name: 'notes' })))).toEqual({
      status: 200,
      body: { collection: 'notes' },
    });
    await post('/api/collections/notes/documents', '{"_id":"a","at":{"$date":"2026-01-02T00:00:00Z"}}');
    await post('/api/collections/notes/documents', '{"_id":{"$oid":"65a1b2c3d4e5f60718293a4b"},"n":1}');
    await post('/api/collections/notes/documents', '{"_id":"a","at":{"$date":"2026-01-03T00:00:00Z"},"edited":true}');
    expect(emulator.database.documents('notes')[0]).toEqual({ _id: 'a', at: new Date('2026-01-03T00:00:00Z'), edited: true });
    const listed = await json(await fetch(`${emulator.url}/api/collections/notes`));
    expect(listed.body['documents']).toEqual([
      { _id: 'a', at: { $date: '2026-01-03T00:00:00Z' }, edited: true },
      { _id: { $oid: '65a1b2c3d4e5f60718293a4b' }, n: 1 },
    ]);

    expect((await json(await post('/api/collections/notes/delete', '{"_id":{"$oid":"65a1b2c3d4e5f60718293a4b"}}'))).body).toMatchObject({
      deleted: 1,
    });
    await post('/api/collections/notes/documents', '{"_id":"b"}');
    expect((await json(await post('/api/collections/notes/clear'))).body).toMatchObject({ deleted: 2 });
    expect(emulator.database.listCollections()).toContain('notes');
    expect(emulator.database.count('notes')).toBe(0);
  });

  it.each([
    ['a body that is not JSON', '/api/collections/notes/documents', '{"_id":', 400, 'INVALID_PARAM'],
    ['an array', '/api/collections/notes/documents', '[1]', 400, 'INVALID_PARAM'],
    ['a delete without _id', '/api/collections/notes/delete', '{}', 400, 'INVALID_PARAM'],
    ['a collection that does not exist', '/api/collections/nope/clear', '', 404, 'DATABASE_COLLECTION_NOT_EXIST'],
    ['an invalid collection name', '/api/collections', '{"name":"a/b"}', 400, 'INVALID_PARAM'],
  ])('given %s, answers an error code and a message, never a stack', async (_case, pathname, body, status, code) => {
    const answer = await json(await post(pathname, body));
    expect(answer).toMatchObject({ status, body: { code } });
    expect(String(answer.body['message'])).not.toMatch(/\n\s+at |node_modules|\/src\//);
  });
});

describe('storage', () => {
  it('uploads raw bytes to a path, lists and downloads them, and deletes them', async () => {
    const uploaded = await json(await post('/api/storage/upload?cloudPath=docs%2Fa.txt', 'hello', { 'content-type': 'text/plain' }));
    expect(uploaded.body['fileID']).toBe(emulator.storage.fileIdFor('docs/a.txt'));
    const listed = await json(await fetch(`${emulator.url}/api/storage`));
    expect(listed.body['files']).toEqual([
      expect.objectContaining({ cloudPath: 'docs/a.txt', size: 5, contentType: 'text/plain; charset=utf-8' }),
    ]);
    expect(await (await fetch(`${emulator.url}/api/storage/download?cloudPath=docs%2Fa.txt`)).text()).toBe('hello');
    expect((await json(await post('/api/storage/delete?cloudPath=docs%2Fa.txt'))).status).toBe(200);
    expect((await json(await post('/api/storage/delete?cloudPath=docs%2Fa.txt'))).body).toMatchObject({ code: 'STORAGE_FILE_NONEXIST' });
    expect((await json(await post('/api/storage/upload?cloudPath=%2Fabs', 'x'))).status).toBe(400);
  });
});

describe('the live log', () => {
  it('numbers every call in order and answers what came after a number', async () => {
    const before = (await json(await fetch(`${emulator.url}/api/log`))).body['entries'] as { seq: number }[];
    const last = before.at(-1)?.seq ?? 0;
    await emulator.callFunction('echo', { n: 1 }, { openid: 'o_log' });
    await emulator.callFunction('faulty', { mode: 'throw' }, { openid: 'o_log' });
    const entries = (await json(await fetch(`${emulator.url}/api/log?after=${last}`))).body['entries'] as Record<string, unknown>[];
    expect(entries.map((entry) => [entry['name'], entry['kind'], entry['error'] ? 'error' : 'ok'])).toEqual([
      ['echo', 'call', 'ok'],
      ['faulty', 'call', 'error'],
    ]);
    expect(entries[0]).toMatchObject({ caller: { openid: 'o_log' }, roundTrips: 0, requests: [] });
    expect(String(entries[0]?.['event'])).toContain('"n": 1');
  });

  it('keeps only the newest entries and cuts long values', () => {
    const log = createActivityLog(3);
    for (let index = 0; index < 5; index++) log.output('f', 'stdout', Buffer.from(`line ${index}`));
    expect(log.since(0).map((entry) => entry.seq)).toEqual([3, 4, 5]);
    log.call({
      name: 'f',
      caller: {},
      event: { big: 'x'.repeat(MAX_VALUE_CHARS * 2) },
      invocation: { result: null, invocationId: 'i', requests: [], roundTrips: 0, instance: null },
      startedAt: 0,
      endedAt: 1,
    });
    const [call] = log.since(5);
    expect(call?.kind === 'call' && call.event.length).toBeLessThan(MAX_VALUE_CHARS + 100);
  });
});
