/**
 * Storage under the permission a project declares (cloudbaserc.json `storage`), for mini-program
 * clients: each basic permission as a pure decision, then CUSTOM rules end to end through the
 * rules-testing API.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ClientDenial } from '../../src/activity-log';
import type { AclTag, Permission } from '../../src/client-access/declarations';
import { decideStorageAccess } from '../../src/client-access/storage-access';
import { assertFails, assertSucceeds, initializeTestEnvironment, type RulesTestEnvironment } from '../../src/rules-testing';

const alice = { openid: 'o-alice' };
const bob = { openid: 'o-bob' };
const alicesFile = { openid: 'o-alice', path: 'photos/a.png' };
const basic = (aclTag: AclTag): Permission => ({ aclTag, source: 'test' });
const allowed = (operation: 'read' | 'write', caller: { openid: string } | null, permission: Permission) =>
  decideStorageAccess(operation, caller, permission, alicesFile, 0) === undefined;

describe('basic storage permissions', () => {
  it.each([
    // aclTag,      creator reads, other reads, creator writes, other writes
    ['READONLY', true, true, true, false],
    ['PRIVATE', true, false, true, false],
    ['ADMINWRITE', true, true, false, false],
    ['ADMINONLY', false, false, false, false],
  ] as const)(
    '%s: creator reads %s, another reads %s, creator writes %s, another writes %s',
    (tag, ownRead, otherRead, ownWrite, otherWrite) => {
      expect(allowed('read', alice, basic(tag))).toBe(ownRead);
      expect(allowed('read', bob, basic(tag))).toBe(otherRead);
      expect(allowed('write', alice, basic(tag))).toBe(ownWrite);
      expect(allowed('write', bob, basic(tag))).toBe(otherWrite);
    },
  );

  it('refuses a client that is not signed in', () => {
    expect(allowed('read', null, basic('READONLY'))).toBe(false);
  });

  it('decides CUSTOM rules over auth and resource (the creator and the path)', () => {
    const rule: Permission = {
      aclTag: 'CUSTOM',
      rule: { read: "auth != null && resource.path != 'photos/hidden.png'", write: 'resource.openid == auth.openid' },
      source: 'test',
    };
    expect(allowed('read', bob, rule)).toBe(true);
    expect(allowed('read', null, rule)).toBe(false);
    expect(decideStorageAccess('read', bob, rule, { openid: 'o-alice', path: 'photos/hidden.png' }, 0)).toMatchObject({
      rule: "CUSTOM read: auth != null && resource.path != 'photos/hidden.png'",
    });
    expect(allowed('write', alice, rule)).toBe(true);
    expect(allowed('write', bob, rule)).toBe(false);
  });
});

describe('storage permissions through the rules-testing API', () => {
  let projectDir: string;
  let env: RulesTestEnvironment;
  const denials: ClientDenial[] = [];

  async function start(storage: Record<string, unknown>): Promise<void> {
    await env?.cleanup();
    writeFileSync(path.join(projectDir, 'cloudbaserc.json'), JSON.stringify({ version: '2.0', storage }));
    env = await initializeTestEnvironment({ projectDir, emulator: { onClientDenied: (denial) => denials.push(denial) } });
  }

  beforeAll(() => {
    projectDir = mkdtempSync(path.join(os.tmpdir(), 'storage-acl-'));
  });
  afterAll(async () => {
    await env?.cleanup();
    rmSync(projectDir, { recursive: true, force: true });
  });

  it('READONLY by default: everyone downloads, only the creator replaces or deletes', async () => {
    await start({});
    const a = env.authenticatedContext('o-alice');
    const b = env.authenticatedContext('o-bob');
    const { fileID } = await assertSucceeds(a.uploadFile({ cloudPath: 'photos/a.txt', fileContent: 'A' }));
    expect(new TextDecoder().decode((await assertSucceeds(b.downloadFile({ fileID }))).bytes)).toBe('A');
    await assertFails(b.uploadFile({ cloudPath: 'photos/a.txt', fileContent: 'B' }));
    await assertFails(b.deleteFile({ fileList: [fileID] }));
    expect((await a.deleteFile({ fileList: [fileID] })).fileList[0]?.status).toBe(0);
  });

  it('PRIVATE: only the creator gets a temporary URL or the bytes', async () => {
    await start({ aclTag: 'PRIVATE' });
    const { fileID } = await env.authenticatedContext('o-alice').uploadFile({ cloudPath: 'notes/a.txt', fileContent: 'secret' });
    await assertSucceeds(env.authenticatedContext('o-alice').downloadFile({ fileID }));
    await assertFails(env.authenticatedContext('o-bob').getTempFileURL({ fileList: [fileID] }));
    await assertFails(env.authenticatedContext('o-bob').downloadFile({ fileID }));
    expect(denials.at(-1)).toMatchObject({
      service: 'storage',
      operation: 'read',
      target: 'notes/a.txt',
      rule: 'PRIVATE (cloudbaserc.json)',
    });
  });

  it('ADMINONLY: no client uploads, and a cloud function (admin) still can', async () => {
    await start({ aclTag: 'ADMINONLY' });
    await assertFails(env.authenticatedContext('o-alice').uploadFile({ cloudPath: 'x.txt', fileContent: 'x' }));
    const fileID = await env.withSecurityRulesDisabled((emulator) => emulator.storage.write('x.txt', Buffer.from('admin')));
    await assertFails(env.authenticatedContext('o-alice').downloadFile({ fileID }));
  });

  it('CUSTOM: a rule on the path lets every signed-in user replace files under public/', async () => {
    await start({
      aclTag: 'CUSTOM',
      aclRule: { read: true, write: "resource.openid == auth.openid || resource.path == 'public/board.txt'" },
    });
    const { fileID } = await env.authenticatedContext('o-alice').uploadFile({ cloudPath: 'public/board.txt', fileContent: 'v1' });
    await assertSucceeds(env.authenticatedContext('o-bob').uploadFile({ cloudPath: 'public/board.txt', fileContent: 'v2' }));
    expect(new TextDecoder().decode((await env.unauthenticatedContext().downloadFile({ fileID })).bytes)).toBe('v2');
    await env.authenticatedContext('o-alice').uploadFile({ cloudPath: 'private/a.txt', fileContent: 'mine' });
    await assertFails(env.authenticatedContext('o-bob').uploadFile({ cloudPath: 'private/a.txt', fileContent: 'theirs' }));
  });
});
