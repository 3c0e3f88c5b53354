import { createEmulator, type Emulator } from '@wx-cloud-login/cloudbase-emulator';
import { presetIdentity, PRESET_APPS, PRESET_PEOPLE } from '../../../runtime/identity';
import { createWxCloud, type CloudCallRecord, type Fetch } from '../../../runtime/wx/cloud';
import { createTempFiles } from '../../../runtime/wx/temp-files';

/**
 * The preview's wx.cloud against the real emulator and the built login function: what the
 * browser does, from Node (which has fetch and Blob too).
 */
describe('wx.cloud of the preview, against the local emulator', () => {
  let emulator: Emulator;
  const [xiaoming, xiaohong] = PRESET_PEOPLE;
  const [appA] = PRESET_APPS;

  beforeAll(async () => {
    emulator = await createEmulator({ memory: true });
  });

  afterAll(() => emulator.close());

  function cloudFor(person = xiaoming!, records: CloudCallRecord[] = []) {
    const files = createTempFiles(
      () => 'blob:unused',
      () => Math.random().toString(36).slice(2),
    );
    const cloud = createWxCloud({
      fetch: fetch as unknown as Fetch,
      baseUrl: emulator.url,
      identity: presetIdentity(person, appA!),
      files,
      onCall: (record) => records.push(record),
    });
    return { cloud, files };
  }

  it('calls a function as the chosen WeChat user, answered like wx.cloud.callFunction', async () => {
    const records: CloudCallRecord[] = [];
    const { cloud } = cloudFor(xiaoming, records);
    const answer = (await cloud.callFunction({ name: 'login', data: { action: 'login' } })) as {
      errMsg: string;
      result: { ok: boolean; data: { isNewUser: boolean } };
    };
    expect(answer.errMsg).toBe('cloud.callFunction:ok');
    expect(answer.result).toMatchObject({ ok: true, data: { isNewUser: true } });
    expect(records).toEqual([expect.objectContaining({ label: 'callFunction login (login)', ok: true })]);

    const again = (await cloudFor(xiaoming).cloud.callFunction({ name: 'login', data: {} })) as {
      result: { data: { isNewUser: boolean } };
    };
    const other = (await cloudFor(xiaohong).cloud.callFunction({ name: 'login', data: {} })) as {
      result: { data: { isNewUser: boolean } };
    };
    expect(again.result.data.isNewUser).toBe(false);
    expect(other.result.data.isNewUser).toBe(true);
  });

  it('rejects as the mini-program’s SDK does when the function does not exist', async () => {
    const { cloud } = cloudFor();
    await expect(cloud.callFunction({ name: 'nope' })).rejects.toMatchObject({
      errCode: -501000,
      errMsg: expect.stringContaining('cloud.callFunction:fail'),
    });
  });

  it('reports an unreachable emulator as a network failure ("request:fail")', async () => {
    const files = createTempFiles(
      () => '',
      () => 'x',
    );
    const cloud = createWxCloud({
      fetch: fetch as unknown as Fetch,
      baseUrl: 'http://127.0.0.1:1',
      identity: presetIdentity(xiaoming!, appA!),
      files,
    });
    await expect(cloud.callFunction({ name: 'login' })).rejects.toMatchObject({
      errMsg: expect.stringContaining('request:fail'),
      errno: 600001,
    });
  });

  it('uploads a temporary file to storage, gives a temporary URL for it, and deletes it', async () => {
    const { cloud, files } = cloudFor();
    const path = files.add(new Blob([new Uint8Array([137, 80, 78, 71])], { type: 'image/png' }), 'png');
    expect(path).toMatch(/^http:\/\/tmp\/\w+\.png$/);

    const uploaded = (await cloud.uploadFile({ cloudPath: 'avatars/test/a.png', filePath: path })) as {
      fileID: string;
      statusCode: number;
    };
    expect(uploaded).toMatchObject({ fileID: expect.stringMatching(/^cloud:\/\/.+\/avatars\/test\/a\.png$/), statusCode: 200 });
    expect(await emulator.storage.read(uploaded.fileID)).toEqual(Buffer.from([137, 80, 78, 71]));

    const urls = (await cloud.getTempFileURL({ fileList: [uploaded.fileID, 'cloud://local-dev.x/missing.png'] })) as {
      fileList: { tempFileURL: string; status: number }[];
    };
    expect(urls.fileList[0]).toMatchObject({ status: 0, tempFileURL: expect.stringContaining(`${emulator.url}/storage/files/`) });
    expect(urls.fileList[1]).toMatchObject({ status: -503003, tempFileURL: '' });
    expect((await fetch(urls.fileList[0]!.tempFileURL)).status).toBe(200);

    const deleted = (await cloud.deleteFile({ fileList: [uploaded.fileID] })) as { fileList: { status: number }[] };
    expect(deleted.fileList).toEqual([expect.objectContaining({ status: 0 })]);
    expect(await emulator.storage.read(uploaded.fileID)).toBeNull();
  });

  it("given someone else's file, then neither uploading over it nor deleting it gets through, as under CloudBase's storage rule", async () => {
    const mine = cloudFor(xiaoming);
    const theirs = cloudFor(xiaohong);
    const uploaded = (await mine.cloud.uploadFile({
      cloudPath: 'avatars/xiaoming/a.png',
      filePath: mine.files.add(new Blob([new Uint8Array([1])], { type: 'image/png' }), 'png'),
    })) as { fileID: string };

    await expect(
      theirs.cloud.uploadFile({
        cloudPath: 'avatars/xiaoming/a.png',
        filePath: theirs.files.add(new Blob([new Uint8Array([2])], { type: 'image/png' }), 'png'),
      }),
    ).rejects.toMatchObject({ errCode: -503002, errMsg: expect.stringMatching(/^cloud\.uploadFile:fail STORAGE_EXCEED_AUTHORITY/) });
    const refused = (await theirs.cloud.deleteFile({ fileList: [uploaded.fileID] })) as { fileList: { status: number }[] };
    expect(refused.fileList).toEqual([expect.objectContaining({ status: -503002 })]);
    expect(await emulator.storage.read(uploaded.fileID)).toEqual(Buffer.from([1]));
  });

  it('refuses to upload a path that is no temporary file', async () => {
    const { cloud } = cloudFor();
    await expect(cloud.uploadFile({ cloudPath: 'a.png', filePath: 'http://tmp/unknown.png' })).rejects.toEqual({
      errMsg: 'cloud.uploadFile:fail file not found: http://tmp/unknown.png',
    });
  });

  it('downloads a stored file by fileID into a temporary file, and fails like wx.cloud on a missing one', async () => {
    const { cloud, files } = cloudFor();
    const text = JSON.stringify({ note: '买牛奶' });
    const uploaded = (await cloud.uploadFile({
      cloudPath: 'exports/test/我的信息.json',
      filePath: files.add(new Blob([text], { type: 'application/json' }), 'json'),
    })) as { fileID: string };

    const downloaded = (await cloud.downloadFile({ fileID: uploaded.fileID })) as {
      tempFilePath: string;
      statusCode: number;
      errMsg: string;
    };

    expect(downloaded).toMatchObject({
      errMsg: 'cloud.downloadFile:ok',
      statusCode: 200,
      tempFilePath: expect.stringMatching(/^http:\/\/tmp\/\w+\.json$/),
    });
    expect(await files.get(downloaded.tempFilePath)?.text()).toBe(text);
    await expect(cloud.downloadFile({ fileID: 'cloud://local-dev.x/missing.json' })).rejects.toMatchObject({
      errCode: -1,
      errMsg: expect.stringMatching(/^cloud\.downloadFile:fail STORAGE_FILE_NONEXIST/),
    });
  });

  it('reads and writes the database as the chosen user, under the permissions the project declares', async () => {
    // Undeclared in cloudbaserc.json: CloudBase's default for a new collection, PRIVATE (仅创建者可读写).
    await emulator.database.importCollection('preview_diary', '');
    const records: CloudCallRecord[] = [];
    const mine = cloudFor(xiaoming, records).cloud.database();
    const added = await mine.collection('preview_diary').add({ data: { text: '今天', at: new Date(0) } });
    expect(added).toEqual({ _id: expect.any(String), errMsg: 'collection.add:ok' });

    const _ = mine.command as { gte(value: Date): unknown };
    const read = await mine
      .collection('preview_diary')
      .where({ at: _.gte(new Date(0)) })
      .orderBy('at', 'desc')
      .limit(5)
      .get();
    expect(read).toEqual({
      data: [{ _id: added._id, text: '今天', at: new Date(0), _openid: presetIdentity(xiaoming!, appA!).openid }],
      errMsg: 'collection.get:ok',
    });
    expect((await cloudFor(xiaohong).cloud.database().collection('preview_diary').get()).data).toEqual([]);
    expect(records.map((record) => record.label)).toEqual(['database add preview_diary', 'database get preview_diary']);

    await expect(mine.collection('users').get()).rejects.toMatchObject({
      errCode: -502003,
      errMsg: expect.stringMatching(/^collection\.get:fail -502003 database permission denied\. .*users is ADMINONLY/),
    });
  });

  it('watches a collection as the chosen user: the emulator pushes what that user may read, nothing of another’s', async () => {
    await emulator.database.importCollection('preview_watch', '');
    const snapshots: { docs: Record<string, unknown>[]; docChanges: { dataType: string }[]; type?: string }[] = [];
    let notify: () => void = () => undefined;
    const next = async () => {
      while (snapshots.length === 0) await new Promise<void>((resolve) => (notify = resolve));
      return snapshots.shift();
    };
    const mine = cloudFor(xiaoming).cloud.database();
    const watcher = mine.collection('preview_watch').watch({
      onChange: (snapshot) => {
        snapshots.push(snapshot);
        notify();
      },
    });
    expect(await next()).toMatchObject({ type: 'init', docs: [] });

    await cloudFor(xiaohong)
      .cloud.database()
      .collection('preview_watch')
      .add({ data: { text: '小红的' } });
    const { _id } = await mine.collection('preview_watch').add({ data: { text: '小明的' } });
    expect(await next()).toMatchObject({ docs: [{ _id, text: '小明的' }], docChanges: [{ dataType: 'add' }] });
    await watcher.close();
  });
});
