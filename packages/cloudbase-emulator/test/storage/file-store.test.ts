import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryFileStore, openDiskFileStore } from '../../src/storage/file-store';

describe('disk file store', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'storage-store-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps files and the signing key across reopen', async () => {
    const first = openDiskFileStore(dir);
    await first.put('a/b.txt', Buffer.from('hello'), 'text/plain', 1000);
    await first.close();

    const second = openDiskFileStore(dir);
    const file = second.get('a/b.txt');
    expect(file).toMatchObject({ cloudPath: 'a/b.txt', size: 5, contentType: 'text/plain', uploadedAt: 1000 });
    expect(file && (await second.read(file)).toString()).toBe('hello');
    expect(second.secret).toBe(first.secret);
  });

  it('replacing or deleting a file removes its old bytes from disk', async () => {
    const store = openDiskFileStore(dir);
    await store.put('x.bin', Buffer.from('one'), 'application/octet-stream', 1);
    await store.put('x.bin', Buffer.from('two'), 'application/octet-stream', 2);
    expect(readdirSync(join(dir, 'blobs'))).toHaveLength(1);

    expect(await store.delete('x.bin')).toBe(true);
    expect(await store.delete('x.bin')).toBe(false);
    expect(readdirSync(join(dir, 'blobs'))).toHaveLength(0);
    expect(JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')).files).toEqual({});
  });

  it('given concurrent writes, ends with every file indexed', async () => {
    const store = openDiskFileStore(dir);
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.put(`f${i}`, Buffer.from(String(i)), 'text/plain', i)));
    expect(Object.keys(JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')).files)).toHaveLength(20);
  });

  it('on open, deletes blobs the index does not reference (left by a crash)', () => {
    openDiskFileStore(dir);
    writeFileSync(join(dir, 'blobs', 'deadbeef'), 'orphan');
    openDiskFileStore(dir);
    expect(readdirSync(join(dir, 'blobs'))).toEqual([]);
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
    await store.put('m.txt', Buffer.from('1'), 'text/plain', 1);
    await store.put('m.txt', Buffer.from('22'), 'text/plain', 2);
    const file = store.get('m.txt');
    expect(file?.size).toBe(2);
    expect(file && (await store.read(file)).toString()).toBe('22');
    expect(await store.delete('m.txt')).toBe(true);
    expect(store.list()).toEqual([]);
  });
});
