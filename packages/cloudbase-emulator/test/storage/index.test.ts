/**
 * Cloud storage through the real wx-server-sdk against the emulator (uploadFile's metadata + PUT,
 * getTempFileURL, downloadFile, deleteFile), and the upload route the mini-program preview uses.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmulator, type Emulator } from '../../src/server';

type Cloud = typeof import('wx-server-sdk');

let emulator: Emulator;
let cloud: Cloud;

beforeAll(async () => {
  emulator = await createEmulator({ memory: true, env: 'storage-test' });
  Object.assign(process.env, emulator.sdkEnv());
  // Loaded after the environment points it at the emulator, as a cloud function's would be.
  cloud = require('wx-server-sdk') as Cloud;
  // DYNAMIC_CURRENT_ENV is typed symbol, init's env string: the SDK's typing gap.
  cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV as unknown as string });
});

afterAll(async () => {
  await emulator?.close();
});

// getTempFileURL and deleteFile are typed `Promise | void` (void when given callbacks).
async function tempFiles(fileIDs: string[]) {
  const result = await cloud.getTempFileURL({ fileList: fileIDs });
  if (!result) throw new Error('getTempFileURL answered nothing');
  return result.fileList;
}

async function tempFile(fileID: string) {
  const [file] = await tempFiles([fileID]);
  if (!file) throw new Error(`no getTempFileURL answer for ${fileID}`);
  return file;
}

async function deleteFiles(fileIDs: string[]) {
  const result = await cloud.deleteFile({ fileList: fileIDs });
  if (!result) throw new Error('deleteFile answered nothing');
  return result.fileList;
}

describe('cloud.uploadFile, getTempFileURL, downloadFile, deleteFile', () => {
  const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff, 0x10, 0x80]);

  it('uploads, serves the same bytes at the temp URL, deletes, then reports the file missing', async () => {
    const uploaded = await cloud.uploadFile({ cloudPath: 'avatars/o-alice/头像 1.png', fileContent: bytes });
    expect(uploaded.fileID).toBe('cloud://storage-test.7374-storage-test-1250000000/avatars/o-alice/头像 1.png');

    const temp = await tempFile(uploaded.fileID);
    expect(temp).toMatchObject({ fileID: uploaded.fileID, status: 0, errMsg: 'ok' });
    const response = await fetch(encodeURI(temp.tempFileURL));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await response.arrayBuffer())).toEqual(bytes);

    const downloaded = await cloud.downloadFile({ fileID: uploaded.fileID });
    expect(Buffer.from(downloaded.fileContent)).toEqual(bytes);

    expect(await deleteFiles([uploaded.fileID])).toEqual([{ fileID: uploaded.fileID, status: 0, errMsg: 'ok' }]);

    expect(await tempFile(uploaded.fileID)).toMatchObject({ status: -503003, tempFileURL: '' });
    expect((await fetch(encodeURI(temp.tempFileURL))).status).toBe(404);
    // node-sdk throws the per-file STORAGE_FILE_NONEXIST and wx-server-sdk 4.0.2 does not map a
    // thrown code, so in production too downloadFile of a missing file fails with errCode -1.
    await expect(cloud.downloadFile({ fileID: uploaded.fileID })).rejects.toMatchObject({
      errCode: -1,
      errMsg: expect.stringMatching(/^downloadFile:fail .*not exist/),
    });
    expect(await deleteFiles([uploaded.fileID])).toEqual([{ fileID: uploaded.fileID, status: -503003, errMsg: 'storage file not exists' }]);
  });

  it('uploading to the same cloud path replaces the file', async () => {
    await cloud.uploadFile({ cloudPath: 'notes/a.txt', fileContent: Buffer.from('first') });
    const { fileID } = await cloud.uploadFile({ cloudPath: 'notes/a.txt', fileContent: Buffer.from('second') });
    const downloaded = await cloud.downloadFile({ fileID });
    expect(downloaded.fileContent.toString()).toBe('second');
  });

  it('answers each file of a batch on its own', async () => {
    const { fileID } = await cloud.uploadFile({ cloudPath: 'batch/present.txt', fileContent: Buffer.from('x') });
    const fileList = await tempFiles([fileID, fileID.replace('present', 'absent'), 'cloud://other-env.6f74-other-env-1250000000/x.txt']);
    expect(fileList.map((file) => file.status)).toEqual([0, -503003, -503003]);
  });

  it('refuses a cloud path CloudBase would refuse', async () => {
    // getUploadMetadata answers INVALID_PARAM; node-sdk throws it and wx-server-sdk reports errCode -1.
    await expect(cloud.uploadFile({ cloudPath: '/leading-slash.png', fileContent: Buffer.from('x') })).rejects.toMatchObject({
      errCode: -1,
      errMsg: expect.stringMatching(/^uploadFile:fail .*start with \//),
    });
  });
});

describe('temp URLs', () => {
  it('refuses a URL whose signature does not match the file', async () => {
    const { fileID } = await cloud.uploadFile({ cloudPath: 'private/a.txt', fileContent: Buffer.from('secret') });
    const other = await cloud.uploadFile({ cloudPath: 'private/b.txt', fileContent: Buffer.from('other') });
    const { tempFileURL } = await tempFile(fileID);
    const forged = tempFileURL.replace('private/a.txt', 'private/b.txt');
    expect(other.fileID).not.toBe(fileID);
    expect((await fetch(forged)).status).toBe(403);
    expect((await fetch(tempFileURL.split('?')[0] ?? '')).status).toBe(403);
  });
});

/** What the preview's wx.cloud sends: the caller's WeChat identity in x-wx-* headers. */
function asUser(openid: string): Record<string, string> {
  return { 'x-wx-openid': openid, 'x-wx-appid': 'wx_storage_test' };
}

async function clientUpload(cloudPath: string, body: string, headers: Record<string, string>) {
  const response = await fetch(`${emulator.url}/storage/upload?cloudPath=${encodeURIComponent(cloudPath)}`, {
    method: 'POST',
    headers,
    body,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function clientDelete(fileIDs: string[], headers: Record<string, string>) {
  const response = await fetch(`${emulator.url}/storage/delete`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ fileid_list: fileIDs }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const creatorOf = (fileID: string): string | undefined => emulator.storage.list().find((file) => file.fileID === fileID)?.openid;

describe('POST /storage/upload (wx.cloud.uploadFile in the preview)', () => {
  it('stores the raw body and answers the wx.cloud.uploadFile success shape', async () => {
    const uploaded = await clientUpload('client/hello.txt', 'hello from the page', asUser('o-page'));
    expect(uploaded).toEqual({
      status: 200,
      body: {
        fileID: 'cloud://storage-test.7374-storage-test-1250000000/client/hello.txt',
        statusCode: 200,
        errMsg: 'cloud.uploadFile:ok',
      },
    });

    const downloaded = await cloud.downloadFile({ fileID: String(uploaded.body['fileID']) });
    expect(downloaded.fileContent.toString()).toBe('hello from the page');
    expect(creatorOf(String(uploaded.body['fileID']))).toBe('o-page');
  });

  it('answers an invalid cloud path with a wx.cloud.uploadFile failure', async () => {
    const response = await fetch(`${emulator.url}/storage/upload?cloudPath=`, { method: 'POST', headers: asUser('o-page'), body: 'x' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ errCode: -501007, errMsg: expect.stringMatching(/^cloud\.uploadFile:fail /) });
  });

  it('refuses an upload that names no user', async () => {
    expect(await clientUpload('client/anonymous.txt', 'x', {})).toEqual({
      status: 401,
      body: { errCode: -503002, errMsg: expect.stringMatching(/^cloud\.uploadFile:fail STORAGE_EXCEED_AUTHORITY: .*x-wx-openid/) },
    });
    expect(emulator.storage.list().some((file) => file.cloudPath === 'client/anonymous.txt')).toBe(false);
  });
});

describe('the creator-or-admin write rule', () => {
  it("given a user's file, then another user can neither overwrite nor delete it, and the creator can do both", async () => {
    const path = 'avatars/u-victim/a.png';
    const { body } = await clientUpload(path, 'victim', asUser('o-victim'));
    const fileID = String(body['fileID']);

    expect(await clientUpload(path, 'attacker', asUser('o-attacker'))).toEqual({
      status: 403,
      body: {
        errCode: -503002,
        errMsg: `cloud.uploadFile:fail STORAGE_EXCEED_AUTHORITY: only the creator of ${path} or an admin may overwrite or delete it`,
      },
    });
    expect(await clientDelete([fileID], asUser('o-attacker'))).toEqual({
      status: 200,
      body: { delete_list: [{ fileID, code: 'STORAGE_EXCEED_AUTHORITY', message: expect.stringContaining('only the creator') }] },
    });
    expect((await emulator.storage.read(fileID))?.toString()).toBe('victim');
    expect(creatorOf(fileID)).toBe('o-victim');

    expect((await clientUpload(path, 'victim 2', asUser('o-victim'))).status).toBe(200);
    expect((await emulator.storage.read(fileID))?.toString()).toBe('victim 2');
    expect(await clientDelete([fileID], asUser('o-victim'))).toEqual({ status: 200, body: { delete_list: [{ fileID, code: 'SUCCESS' }] } });
    expect(await emulator.storage.read(fileID)).toBeNull();
  });

  it("given a user's file, then the server SDK (an admin) overwrites and deletes it, and what it wrote has no user as creator", async () => {
    const path = 'avatars/u-admin-test/a.png';
    await clientUpload(path, 'user bytes', asUser('o-user'));
    const { fileID } = await cloud.uploadFile({ cloudPath: path, fileContent: Buffer.from('function bytes') });
    expect((await emulator.storage.read(fileID))?.toString()).toBe('function bytes');
    expect(creatorOf(fileID)).toBe('');
    // Nobody but an admin may write a file an admin wrote.
    expect((await clientUpload(path, 'user again', asUser('o-user'))).status).toBe(403);
    expect(await deleteFiles([fileID])).toEqual([{ fileID, status: 0, errMsg: 'ok' }]);
  });

  it('a seeded file belongs to the openid it is written for', async () => {
    const fileID = await emulator.storage.write('seeded/mine.txt', Buffer.from('x'), undefined, { openid: 'o-seeded' });
    expect(creatorOf(fileID)).toBe('o-seeded');
    expect((await clientUpload('seeded/mine.txt', 'y', asUser('o-other'))).status).toBe(403);
  });
});

describe('an emulator with a data directory', () => {
  it('keeps files, and a temp URL made before a restart still works after it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'storage-module-'));
    try {
      const first = await createEmulator({ dataDir, env: 'persist-env' });
      const fileID = await first.storage.write('kept/a.txt', Buffer.from('kept'));
      expect(first.storage.list()).toEqual([expect.objectContaining({ fileID, size: 4, contentType: 'text/plain; charset=utf-8' })]);
      const reply = await first.storage.actions?.['storage.batchGetDownloadUrl']?.({
        action: 'storage.batchGetDownloadUrl',
        body: { file_list: [{ fileid: fileID }] },
        files: {},
        env: 'persist-env',
        invocationId: '',
      });
      if (reply?.kind !== 'json') throw new Error('batchGetDownloadUrl answered no JSON');
      const [entry] = (reply.data as { download_list: { tempFileURL: string }[] }).download_list;
      const tempFileURL = new URL(entry?.tempFileURL ?? '');
      await first.close();

      const second = await createEmulator({ dataDir, env: 'persist-env' });
      try {
        expect((await second.storage.read(fileID))?.toString()).toBe('kept');
        const response = await fetch(`${second.url}${tempFileURL.pathname}${tempFileURL.search}`);
        expect(await response.text()).toBe('kept');
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('COS POST Object (the upload of wx-server-sdk 2.x, which DevTools templates declare)', () => {
  const metadata = async (path: string) => {
    const response = await fetch(`${emulator.url}/admin`, {
      method: 'POST',
      body: JSON.stringify({ action: 'storage.getUploadMetadata', path }),
    });
    return ((await response.json()) as { data: { url: string; authorization: string; fileId: string } }).data;
  };
  const post = (url: string, fields: Record<string, string>, file: Buffer) => {
    const form = new FormData();
    for (const [key, value] of Object.entries(fields)) form.append(key, value);
    form.append('file', new Blob([file]));
    return fetch(url, { method: 'POST', body: form });
  };

  it('stores the form’s file under the signed key and answers 204; a wrong signature answers COS’s 403', async () => {
    const { url, authorization, fileId } = await metadata('legacy/code.png');
    const bytes = Buffer.from('legacy upload');
    expect((await post(url, { key: 'legacy/code.png', Signature: authorization }, bytes)).status).toBe(204);
    expect(await emulator.storage.read(fileId)).toEqual(bytes);
    const forged = await post(url, { key: 'legacy/code.png', Signature: 'forged' }, bytes);
    expect(forged.status).toBe(403);
    expect(await forged.text()).toContain('SignatureDoesNotMatch');
  });
});
