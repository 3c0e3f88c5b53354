import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sharedEntry } from '../../../../scripts/lib/add/shared-entry';

const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function cacheFolder(): string {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'shared-entry-'));
  folders.push(folder);
  return folder;
}

/** A maker that counts its calls. */
function counting(text: string): { make: () => string; calls: () => number } {
  let calls = 0;
  return {
    make: () => {
      calls += 1;
      return text;
    },
    calls: () => calls,
  };
}

const OTHER_PROCESS = 424242;

describe('a cache entry shared between processes', () => {
  it('given no entry, makes it once, keeps it whole, and leaves no lock behind', async () => {
    const folder = cacheFolder();
    const file = path.join(folder, 'entry.json');
    const maker = counting('{"a.d.ts":"export {};"}');
    expect(await sharedEntry(file, maker.make)).toBe('{"a.d.ts":"export {};"}');
    expect(await sharedEntry(file, maker.make)).toBe('{"a.d.ts":"export {};"}');
    expect(maker.calls()).toBe(1);
    expect(readdirSync(folder)).toEqual(['entry.json']);
  });

  it('given another live process making the entry, waits for its entry instead of making it again', async () => {
    const file = path.join(cacheFolder(), 'entry.json');
    writeFileSync(`${file}.lock`, String(OTHER_PROCESS));
    setTimeout(() => {
      writeFileSync(file, 'made by the other process');
      rmSync(`${file}.lock`);
    }, 100);
    const maker = counting('made here');
    const text = await sharedEntry(file, maker.make, { pollMs: 10, isAlive: (pid) => pid === OTHER_PROCESS });
    expect(text).toBe('made by the other process');
    expect(maker.calls()).toBe(0);
  });

  it('given a lock whose process is gone (killed while making), makes the entry itself and clears the lock', async () => {
    const file = path.join(cacheFolder(), 'entry.json');
    writeFileSync(`${file}.lock`, String(OTHER_PROCESS));
    const maker = counting('made here');
    expect(await sharedEntry(file, maker.make, { pollMs: 10, isAlive: () => false })).toBe('made here');
    expect(maker.calls()).toBe(1);
    expect(readFileSync(file, 'utf8')).toBe('made here');
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  it('given a maker that gives up without an entry, makes the entry itself', async () => {
    const file = path.join(cacheFolder(), 'entry.json');
    writeFileSync(`${file}.lock`, String(OTHER_PROCESS));
    setTimeout(() => rmSync(`${file}.lock`), 50);
    const maker = counting('made here');
    expect(await sharedEntry(file, maker.make, { pollMs: 10, isAlive: () => true })).toBe('made here');
    expect(maker.calls()).toBe(1);
  });

  it('given a live process that never finishes, makes the entry itself after the wait', async () => {
    const file = path.join(cacheFolder(), 'entry.json');
    writeFileSync(`${file}.lock`, String(OTHER_PROCESS));
    const maker = counting('made here');
    expect(await sharedEntry(file, maker.make, { waitMs: 100, pollMs: 10, isAlive: () => true })).toBe('made here');
    expect(maker.calls()).toBe(1);
    // Its lock is its own: left for it to remove.
    expect(readFileSync(`${file}.lock`, 'utf8')).toBe(String(OTHER_PROCESS));
  });

  it('given a maker that throws, releases the lock so that the next process makes the entry', async () => {
    const file = path.join(cacheFolder(), 'entry.json');
    await expect(
      sharedEntry(file, () => {
        throw new Error('.d.ts generation failed');
      }),
    ).rejects.toThrow('.d.ts generation failed');
    expect(existsSync(`${file}.lock`)).toBe(false);
    expect(await sharedEntry(file, () => 'made by the next')).toBe('made by the next');
  });

  it('given a folder it cannot write, still answers', async () => {
    const file = path.join(cacheFolder(), 'entry.json', 'below-a-file');
    writeFileSync(path.dirname(file), 'a file where the folder would be');
    expect(await sharedEntry(file, () => 'made here')).toBe('made here');
  });
});
