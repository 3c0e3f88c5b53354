/**
 * `npm run admin` against the local emulator, through the unmodified wx-server-sdk in this
 * process (pointed there by the SDK's own variables, as for any script), with users made by the
 * BUILT login function.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import cloud from 'wx-server-sdk';
import { createEmulator, type Caller, type Emulator } from '@wx-cloud-login/cloudbase-emulator';
import { runAdmin } from '../../scripts/lib/admin/run';
import { runAdminAt } from './support/admin';
import { LATE_WRITE_WINDOW_MS } from '@wx-cloud-login/server-auth/src/late-write';
import { scratchFolder } from '../support/scratch-folders';

let emulator: Emulator;
const saved = { ...process.env };
const caller = (name: string): Caller => ({ openid: `o-${name}`, appid: 'wx-admin-app' });

async function login(name: string, nickName?: string): Promise<string> {
  const invocation = await emulator.callFunction('login', { action: 'login' }, caller(name));
  const result = invocation.result as { ok: boolean; data: { user: { id: string } } };
  if (!result?.ok) throw new Error(`login of ${name} failed: ${JSON.stringify(invocation.result ?? invocation.error)}`);
  if (nickName) await emulator.callFunction('login', { action: 'updateProfile', nickName }, caller(name));
  return result.data.user.id;
}

function admin(...argv: string[]) {
  return runAdminAt(emulator.url, argv);
}

type Data = Record<string, unknown>;
/** The SDK's typings declare callback overloads; this is the part used here. */
interface TestDatabase {
  collection(name: string): {
    count(): Promise<{ total: number }>;
    where(condition: Data): { get(): Promise<{ data: Data[] }> };
    doc(id: string): { get(): Promise<{ data: Data | null }>; update(options: { data: Data }): Promise<unknown> };
  };
}

function db(): TestDatabase {
  return cloud.database({ throwOnNotFound: false } as Parameters<typeof cloud.database>[0]) as unknown as TestDatabase;
}

async function auditCount(): Promise<number> {
  const { total } = await db()
    .collection('account_audit')
    .count()
    .catch(() => ({ total: 0 })); // not created until the first entry
  return total;
}

let xiaoming: string;
let xiaohong: string;

beforeAll(async () => {
  emulator = await createEmulator({ memory: true });
  Object.assign(process.env, emulator.sdkEnv());
  cloud.init({ env: emulator.env });
  xiaoming = await login('xiaoming', '小明');
  xiaohong = await login('xiaohong', '小红');
  await db()
    .collection('users')
    .doc(xiaohong)
    .update({
      data: { boundPhone: { countryCode: '86', purePhoneNumber: '13800005678', key: 'phone:+86:13800005678', boundAt: new Date() } },
    });
});

afterAll(async () => {
  await emulator?.close();
  process.env = saved;
});

describe('npm run admin', () => {
  it('lists users as a table and as JSON, with phones masked', async () => {
    const table = await admin('users', 'list');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/用户 ID\s+昵称\s+状态/);
    expect(table.stdout).toContain('小明');
    expect(table.stdout).toContain('138****5678');
    expect(table.stdout).not.toContain('13800005678');
    const json = await admin('users', 'list', '--json');
    const rows = JSON.parse(json.stdout) as Array<{ id: string; nickName: string }>;
    expect(rows.map((row) => row.id).sort()).toEqual([xiaoming, xiaohong].sort());
  });

  it('finds a user by nickname, last 4 phone digits, identity key and id', async () => {
    const ids = async (text: string) =>
      (JSON.parse((await admin('users', 'search', text, '--json')).stdout) as Array<{ id: string }>).map((row) => row.id);
    expect(await ids('小')).toHaveLength(2);
    expect(await ids('小红')).toEqual([xiaohong]);
    expect(await ids('5678')).toEqual([xiaohong]);
    expect(await ids('wx-openid:wx-admin-app:o-xiaoming')).toEqual([xiaoming]);
    expect(await ids(xiaoming)).toEqual([xiaoming]);
    expect(await ids('nobody')).toEqual([]);
  });

  it('shows one user with masked sign-in methods and audit entries', async () => {
    const shown = await admin('user', 'show', xiaoming);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('小明');
    expect(shown.stdout).toContain('wx-admin-app');
    expect(shown.stdout).not.toContain('o-xiaoming');
    const missing = await admin('user', 'show', 'no-such-user');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('没有这个用户');
  });

  it('with --dry-run prints the ban and writes nothing', async () => {
    const before = await auditCount();
    const dry = await admin('ban', xiaoming, '--reason', 'spam', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('[dry-run]');
    expect(await auditCount()).toBe(before);
    const user = (await db().collection('users').doc(xiaoming).get()).data as { status?: string };
    expect(user.status).toBe('active');
  });

  it('bans with an audit entry naming the operator, the login refuses, and unban lets them back in', async () => {
    const before = await auditCount();
    const banned = await admin('ban', xiaoming, '--reason', 'spam', '--until', '2099-12-31', '--operator', 'ops-li');
    expect(banned.code).toBe(0);
    expect(banned.stdout).toContain('已封禁');
    expect(await auditCount()).toBe(before + 1);
    const { data: entries } = await db().collection('account_audit').where({ type: 'admin-action', userId: xiaoming }).get();
    expect(entries).toEqual([
      expect.objectContaining({ action: 'ban', operator: 'ops-li', reason: 'spam', until: new Date('2099-12-31T16:00:00Z') }),
    ]);
    expect(JSON.stringify(entries)).not.toContain('小明');

    const refused = await emulator.callFunction('login', { action: 'login' }, caller('xiaoming'));
    expect(refused.result).toEqual({
      ok: false,
      error: expect.objectContaining({ code: 'USER_BANNED', details: { bannedUntil: Date.parse('2099-12-31T16:00:00Z'), reason: 'spam' } }),
    });

    const lifted = await admin('unban', xiaoming, '--operator', 'ops-li');
    expect(lifted.code).toBe(0);
    expect(await auditCount()).toBe(before + 2);
    const back = await emulator.callFunction('login', { action: 'login' }, caller('xiaoming'));
    expect(back.result).toEqual(expect.objectContaining({ ok: true }));
    const again = await admin('unban', xiaoming);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('未被封禁');
  });
});

describe('npm run admin: where it connects', () => {
  it('says how to start the emulator when none is running', async () => {
    let stderr = '';
    const code = await runAdmin(['users', 'list', '--data-dir', '/nonexistent-admin-data'], {
      stdout: () => undefined,
      stderr: (text) => {
        stderr += text;
      },
      env: {},
    });
    expect(code).toBe(1);
    expect(stderr).toContain('npm start');
  });

  it('asks for the standard credentials for a real environment', async () => {
    let stderr = '';
    const code = await runAdmin(['users', 'list', '--env', 'prod-1a2b'], {
      stdout: () => undefined,
      stderr: (text) => {
        stderr += text;
      },
      env: {},
    });
    expect(code).toBe(1);
    expect(stderr).toContain('TENCENTCLOUD_SECRETID');
  });
});

describe('a timed ban through the built function', () => {
  it('is lifted by the first login after its end, which clears it from the document', async () => {
    const id = await login('xiaogang');
    expect((await admin('ban', id, '--reason', 'abuse', '--until', '2099-01-01')).code).toBe(0);
    // The end passes (written directly: the CLI only takes ends in the future).
    await db()
      .collection('users')
      .doc(id)
      .update({ data: { bannedUntil: new Date(Date.now() - 1000) } });

    const back = await emulator.callFunction('login', { action: 'login' }, caller('xiaogang'));

    expect(back.result).toEqual(expect.objectContaining({ ok: true }));
    const stored = (await db().collection('users').doc(id).get()).data as Record<string, unknown>;
    expect(stored.status).toBe('active');
    expect(stored).not.toHaveProperty('bannedUntil');
    expect(stored).not.toHaveProperty('banReason');
  });
});

describe('npm run admin -- delete', () => {
  it('without --yes prints the plan and exits 2; --dry-run writes nothing; --yes deletes as 注销 does, with its audit entries', async () => {
    const id = await login('xiaoli', '小李');
    const bound = await emulator.callFunction(
      'login',
      { action: 'bindPhone', code: emulator.openapi.issuePhoneCode('13800009999') },
      caller('xiaoli'),
    );
    expect(bound.result).toEqual(expect.objectContaining({ ok: true }));
    const avatar = await emulator.storage.write(`avatars/${id}/a.png`, Buffer.from('png-bytes'), 'image/png');
    const profile = await emulator.callFunction('login', { action: 'updateProfile', avatarFileID: avatar }, caller('xiaoli'));
    expect(profile.result).toEqual(expect.objectContaining({ ok: true }));
    const before = await auditCount();

    const unconfirmed = await admin('delete', id);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stdout).toContain(`将注销 ${id}`);
    expect(unconfirmed.stdout).toMatch(/登录方式 identities:\s+2/);
    expect(unconfirmed.stdout).toContain('138****9999');
    expect(unconfirmed.stdout).toMatch(/头像文件 avatar files:\s+1/);
    expect(unconfirmed.stdout).not.toContain('13800009999');
    expect(unconfirmed.stderr).toContain('--yes');
    const dry = await admin('delete', id, '--yes', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('未写入');
    expect(await emulator.storage.read(avatar)).not.toBeNull();
    expect((await db().collection('users').doc(id).get()).data).toMatchObject({ _id: id });
    expect(await auditCount()).toBe(before);

    const deleted = await admin('delete', id, '--yes', '--operator', 'ops-wang');
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toContain(`已注销 ${id}`);

    expect((await db().collection('users').doc(id).get()).data ?? null).toBeNull();
    expect(await emulator.storage.read(avatar)).toBeNull();
    expect((await db().collection('identities').where({ userId: id }).get()).data).toEqual([]);
    const { data: entries } = await db().collection('account_audit').where({ userId: id }).get();
    expect(entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ _id: `delete:${id}`, type: 'account-deleted', identityCount: 2, pendingFileIDs: [] }),
        expect.objectContaining({ type: 'admin-action', action: 'delete', operator: 'ops-wang' }),
      ]),
    );
    expect(JSON.stringify(entries)).not.toMatch(/小李|13800009999|o-xiaoli/);
    // The next login of that WeChat starts a new account, as after the person's own 注销.
    const again = await emulator.callFunction('login', { action: 'login' }, caller('xiaoli'));
    expect(again.result).toEqual(expect.objectContaining({ ok: true, data: expect.objectContaining({ isNewUser: true }) }));

    const missing = await admin('delete', id, '--yes');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('没有这个用户');
  });

  it('refuses a banned account, as the person’s own 注销 does', async () => {
    const id = await login('xiaozhao');
    expect((await admin('ban', id, '--reason', 'fraud')).code).toBe(0);
    const refused = await admin('delete', id, '--yes');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('unban');
    expect((await db().collection('users').doc(id).get()).data).toMatchObject({ status: 'banned' });
  });
});

describe('npm run admin -- cleanup', () => {
  it('finishes what a deletion could not: its notes written late and its files, then records when it finished', async () => {
    const person = caller('xiaosun');
    const id = await login('xiaosun', '小孙');
    const avatar = await emulator.storage.write(`avatars/${id}/a.png`, Buffer.from('png-bytes'), 'image/png');
    expect((await emulator.callFunction('login', { action: 'updateProfile', avatarFileID: avatar }, person)).result).toEqual(
      expect.objectContaining({ ok: true }),
    );
    await emulator.callFunction('notes', { action: 'add', text: '小孙的笔记' }, person);
    // After the commit, storage is down and the second removal of the notes fails.
    const storage = emulator.faults.add({
      action: 'storage.batchDeleteFile',
      times: 'always',
      error: { code: 'STORAGE_REQUEST_FAIL', message: 'injected: storage down' },
    });
    const notes = emulator.faults.add({
      action: 'database.removeDocument',
      collection: 'notes',
      nth: 2,
      error: { code: 'DATABASE_REQUEST_FAILED', message: 'injected: notes down' },
    });
    const deleted = await emulator.callFunction('login', { action: 'deleteAccount', confirm: true }, person);
    storage.remove();
    notes.remove();
    expect(deleted.result).toEqual(expect.objectContaining({ ok: true }));
    // A note written by a request in flight during the deletion, landing after its first removal.
    await (cloud.database() as unknown as { collection(name: string): { add(options: { data: Data }): Promise<unknown> } })
      .collection('notes')
      .add({ data: { owner: id, text: '迟到的笔记', createdAt: new Date(), updatedAt: new Date() } });
    const pending = (await db().collection('account_audit').doc(`delete:${id}`).get()).data;
    expect(pending).toMatchObject({ pendingFileIDs: [avatar], pendingUserIds: [id], finishedAt: null });

    const dry = await admin('cleanup', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('[dry-run]');
    expect(await emulator.storage.read(avatar)).not.toBeNull();

    // Run after the deletion's late-write window (late-writes.emulator.test.ts: what a run inside it does).
    const afterTheWindow = () => new Date(Date.now() + LATE_WRITE_WINDOW_MS);
    const done = await runAdminAt(emulator.url, ['cleanup'], afterTheWindow);
    expect(done.code).toBe(0);
    expect(done.stdout).toContain('清理完成');
    expect(await emulator.storage.read(avatar)).toBeNull();
    expect((await db().collection('notes').where({ owner: id }).get()).data).toEqual([]);
    const finished = (await db().collection('account_audit').doc(`delete:${id}`).get()).data;
    expect(finished).toMatchObject({ pendingFileIDs: [], pendingUserIds: [], finishedAt: expect.any(Date) });
    expect((await runAdminAt(emulator.url, ['cleanup', '--json'], afterTheWindow)).stdout).toContain('"left": 0');
  });
});

describe('npm run admin -- cleanup and upload paths', () => {
  it('deletes an avatar a live account was handed a path for and never saved, once it is an hour old, and keeps recent ones', async () => {
    const person = caller('xiaozhou');
    const id = await login('xiaozhou', '小周');
    const prepare = async () =>
      (
        (await emulator.callFunction('login', { action: 'prepareAvatarUpload', extension: 'png' }, person)).result as {
          data: { cloudPath: string };
        }
      ).data.cloudPath;
    const left = await prepare();
    const leftFile = await emulator.storage.write(left, Buffer.from('png'), 'image/png', { openid: person.openid });

    const soon = await runAdminAt(emulator.url, ['cleanup', '--json']);
    expect(JSON.parse(soon.stdout)).toMatchObject({ staleUploads: 0 });
    expect(await emulator.storage.read(leftFile)).not.toBeNull();

    const anHourLater = () => new Date(Date.now() + 61 * 60 * 1000);
    const done = await runAdminAt(emulator.url, ['cleanup', '--json'], anHourLater);

    expect(JSON.parse(done.stdout)).toMatchObject({ staleUploads: 1 });
    expect(await emulator.storage.read(leftFile)).toBeNull();
    expect((await db().collection('users').doc(id).get()).data).toMatchObject({ pendingUploads: [] });
  });
});

describe('npm run admin -- export', () => {
  it('prints the same document 下载我的信息 gives the person, records who exported it; --dry-run and --out', async () => {
    const person = caller('xiaoqian');
    const id = await login('xiaoqian', '小钱');
    await emulator.callFunction('notes', { action: 'add', text: '小钱的笔记' }, person);
    const own = (await emulator.callFunction('login', { action: 'exportMyData' }, person)).result as {
      ok: true;
      data: { delivery: 'inline'; document: Record<string, unknown> };
    };
    const before = await auditCount();

    const dry = await admin('export', id, '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('[dry-run]');
    expect(await auditCount()).toBe(before);

    const printed = await admin('export', id, '--operator', 'ops-wang');
    expect(printed.code).toBe(0);
    const document = JSON.parse(printed.stdout) as Record<string, unknown>;
    expect({ ...document, exportedAt: null }).toEqual({ ...own.data.document, exportedAt: null });
    expect(printed.stdout).toContain('小钱的笔记');
    expect(printed.stdout).not.toContain('o-xiaoqian');
    expect(printed.stderr).toContain('已导出');
    const { data: entries } = await db().collection('account_audit').where({ type: 'admin-action', action: 'export', userId: id }).get();
    expect(entries).toEqual([expect.objectContaining({ operator: 'ops-wang', userId: id })]);

    const out = path.join(scratchFolder('admin-export'), 'xiaoqian.json');
    const saved = await admin('export', id, '--out', out, '--json');
    expect(saved.code).toBe(0);
    expect(JSON.parse(saved.stdout)).toMatchObject({
      userId: id,
      file: out,
      summary: { collections: [{ collection: 'notes', documents: 1 }] },
    });
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({ account: { id, nickName: '小钱' } });
    expect(await auditCount()).toBe(before + 2);

    expect((await admin('export', 'no-such-user')).code).toBe(1);
  });
});
