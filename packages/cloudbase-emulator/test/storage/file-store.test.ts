import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADMIN, createMemoryFileStore, openDiskFileStore, StorageAccessDenied, type Writer } from '../../src/storage/file-store';

const user = (openid: string): Writer => ({ admin: false, openid });

describe('disk file store', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'storage-store-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps files and the signing key across reopen', async () => {
    const first = openDiskFileStore(dir);
    await first.put('a/b.txt', Buffer.from('hello'), 'text/plain', 1000, ADMIN);
    await first.close();

    const second = openDiskFileStore(dir);
    const file = second.get('a/b.txt');
    expect(file).toMatchObject({ cloudPath: 'a/b.txt', size: 5, contentType: 'text/plain', uploadedAt: 1000 });
    expect(file && (await second.read(file)).toString()).toBe('hello');
    expect(second.secret).toBe(first.secret);
  });

  it('replacing or deleting a file removes its old bytes from disk', async () => {
    const store = openDiskFileStore(dir);
    await store.put('x.bin', Buffer.from('one'), 'application/octet-stream', 1, ADMIN);
    await store.put('x.bin', Buffer.from('two'), 'application/octet-stream', 2, ADMIN);
    expect(readdirSync(join(dir, 'blobs'))).toHaveLength(1);

    expect(await store.delete('x.bin', ADMIN)).toBe(true);
    expect(await store.delete('x.bin', ADMIN)).toBe(false);
    expect(readdirSync(join(dir, 'blobs'))).toHaveLength(0);
    expect(JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')).files).toEqual({});
  });

  it('given concurrent writes, ends with every file indexed', async () => {
    const store = openDiskFileStore(dir);
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.put(`f${i}`, Buffer.from(String(i)), 'text/plain', i, ADMIN)));
    expect(Object.keys(JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')).files)).toHaveLength(20);
  });

  it('on open, deletes blobs the index does not reference (left by a crash)', () => {
    openDiskFileStore(dir);
    writeFileSync(join(dir, 'blobs', 'deadbeef'), 'orphan');
    openDiskFileStore(dir);
    expect(readdirSync(join(dir, 'blobs'))).toEqual([]);
  });

  it('given temporary files a kill left mid-upload, then the next open removes them and serves only whole files', async () => {
    const first = openDiskFileStore(dir);
    await first.put('kept.txt', Buffer.from('whole'), 'text/plain', 1, ADMIN);
    await first.close();
    const [blob] = readdirSync(join(dir, 'blobs'));
    // A blob being written, a blob written but never indexed, an index never renamed over index.json.
    writeFileSync(join(dir, 'blobs', '0123456789abcdef0123456789abcdef.tmp'), 'half an upl');
    writeFileSync(join(dir, 'blobs', 'fedcba9876543210fedcba9876543210'), 'never indexed');
    writeFileSync(join(dir, 'index.json.0a1b2c3d.tmp'), '{"version":1,"secret":"x","files":{"half.txt"');

    const second = openDiskFileStore(dir);
    expect(readdirSync(join(dir, 'blobs'))).toEqual([blob]);
    expect(readdirSync(dir).sort()).toEqual(['blobs', 'index.json']);
    expect(second.list().map((file) => file.cloudPath)).toEqual(['kept.txt']);
    const kept = second.get('kept.txt');
    expect(kept && (await second.read(kept)).toString()).toBe('whole');
  });

  it('records the creator; a user may overwrite and delete only their own files, an admin any', async () => {
    const store = openDiskFileStore(dir);
    await store.put('u/a.png', Buffer.from('alice'), 'image/png', 1, user('o-alice'));
    await store.put('admin.png', Buffer.from('admin'), 'image/png', 1, ADMIN);
    expect(store.get('u/a.png')?.openid).toBe('o-alice');
    expect(store.get('admin.png')?.openid).toBe('');

    await expect(store.put('u/a.png', Buffer.from('mallory'), 'image/png', 2, user('o-mallory'))).rejects.toBeInstanceOf(
      StorageAccessDenied,
    );
    await expect(store.delete('u/a.png', user('o-mallory'))).rejects.toBeInstanceOf(StorageAccessDenied);
    await expect(store.put('admin.png', Buffer.from('alice'), 'image/png', 2, user('o-alice'))).rejects.toBeInstanceOf(StorageAccessDenied);
    const alices = store.get('u/a.png');
    expect(alices && (await store.read(alices)).toString()).toBe('alice');
    expect(readdirSync(join(dir, 'blobs'))).toHaveLength(2);

    await store.put('u/a.png', Buffer.from('alice 2'), 'image/png', 3, user('o-alice'));
    await store.put('admin.png', Buffer.from('admin 2'), 'image/png', 3, ADMIN);
    expect(await store.delete('u/a.png', user('o-alice'))).toBe(true);
    await store.close();
    // The creator survives a restart.
    const reopened = openDiskFileStore(dir);
    expect(reopened.get('admin.png')?.openid).toBe('');
  });

  it('given two users racing for the same new path, then exactly one creates it', async () => {
    const store = openDiskFileStore(dir);
    const results = await Promise.allSettled([
      store.put('race.png', Buffer.from('1'), 'image/png', 1, user('o-one')),
      store.put('race.png', Buffer.from('2'), 'image/png', 1, user('o-two')),
    ]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected']);
    expect(store.get('race.png')?.openid).toBe('o-one');
  });

  it('reads an index written before creators were recorded, its files as written by an admin', () => {
    writeFileSync(
      join(dir, 'index.json'),
      JSON.stringify({
        version: 1,
        secret: 's',
        files: { 'old.txt': { cloudPath: 'old.txt', blob: 'ab', size: 1, contentType: 'text/plain', uploadedAt: 1, etag: '"x"' } },
      }),
    );
    mkdirSync(join(dir, 'blobs'));
    writeFileSync(join(dir, 'blobs', 'ab'), 'x');
    expect(openDiskFileStore(dir).get('old.txt')?.openid).toBe('');
  });

  it('refuses to open a corrupt index instead of starting empty over it', () => {
    writeFileSync(join(dir, 'index.json'), '{"version":1,');
    expect(() => openDiskFileStore(dir)).toThrow(/not valid JSON/);
    writeFileSync(join(dir, 'index.json'), '{"version":2}');
    expect(() => openDiskFileStore(dir)).toThrow(/not a storage index/);
  });
});

describe('memory file store', () => {
  it('stores, replaces and deletes without touching the disk', async () => {
    const store = createMemoryFileStore();
    await store.put('m.txt', Buffer.from('1'), 'text/plain', 1, ADMIN);
    await store.put('m.txt', Buffer.from('22'), 'text/plain', 2, ADMIN);
    const file = store.get('m.txt');
    expect(file?.size).toBe(2);
    expect(file && (await store.read(file)).toString()).toBe('22');
    expect(await store.delete('m.txt', ADMIN)).toBe(true);
    expect(store.list()).toEqual([]);
  });
});
