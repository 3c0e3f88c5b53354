import { createEmulator, type Emulator } from '@wx-cloud-login/cloudbase-emulator';
import { callerHeaders, createEmulatorTransport, type TransportFetch } from '../../shared/emulator-transport';

/** The transport both the browser's wx.cloud and the page tests use, against a real emulator. */
describe('emulator transport', () => {
  let emulator: Emulator;
  const caller = { openid: 'o-transport', appid: 'wx_transport', unionid: 'u-transport' };

  beforeAll(async () => {
    emulator = await createEmulator({ memory: true });
  });

  afterAll(() => emulator.close());

  const transport = () => createEmulatorTransport({ fetch: fetch as unknown as TransportFetch, baseUrl: emulator.url });

  it('given a caller, when a function is called, then the function sees that caller and the answer is its result', async () => {
    const first = (await transport().callFunction('login', { action: 'login' }, caller)) as { ok: boolean; data: { isNewUser: boolean } };
    const again = (await transport().callFunction('login', { action: 'login' }, caller)) as { data: { isNewUser: boolean } };
    const other = (await transport().callFunction('login', { action: 'login' }, { ...caller, openid: 'o-other', unionid: '' })) as {
      data: { isNewUser: boolean };
    };
    expect(first).toMatchObject({ ok: true, data: { isNewUser: true } });
    expect(again.data.isNewUser).toBe(false);
    expect(other.data.isNewUser).toBe(true);
  });

  it('given a missing function, when it is called, then it rejects as wx.cloud does (errCode, errMsg)', async () => {
    await expect(transport().callFunction('nope', {}, caller)).rejects.toMatchObject({
      errCode: -501000,
      errMsg: expect.stringContaining('cloud.callFunction:fail'),
    });
  });

  it('given bytes, when uploaded, then the fileID names the cloud path and the caller is its creator', async () => {
    const uploaded = await transport().uploadFile('avatars/t/a.png', new Uint8Array([1, 2, 3]), caller, 'image/png');
    expect(uploaded).toEqual({ fileID: expect.stringMatching(/\/avatars\/t\/a\.png$/), statusCode: 200 });
    expect(emulator.storage.list().find((file) => file.fileID === uploaded.fileID)?.openid).toBe(caller.openid);
  });

  it("given another user's file, then an upload over it and its deletion are refused with STORAGE_EXCEED_AUTHORITY", async () => {
    const { fileID } = await transport().uploadFile('avatars/t/b.png', new Uint8Array([1]), caller);
    const intruder = { ...caller, openid: 'o-intruder', unionid: '' };
    await expect(transport().uploadFile('avatars/t/b.png', new Uint8Array([2]), intruder)).rejects.toMatchObject({
      errCode: -503002,
      errMsg: expect.stringContaining('cloud.uploadFile:fail STORAGE_EXCEED_AUTHORITY'),
    });
    expect(await transport().deleteFile([fileID], intruder)).toEqual([
      { fileID, code: 'STORAGE_EXCEED_AUTHORITY', message: expect.stringContaining('only the creator') },
    ]);
    expect(await transport().deleteFile([fileID], caller)).toEqual([{ fileID, code: 'SUCCESS' }]);
  });

  it('given a stored file, when downloaded by fileID, then its bytes come back; a missing one fails with errCode -1', async () => {
    const { fileID } = await transport().uploadFile('exports/o-transport/我的信息.json', new TextEncoder().encode('{"笔记":1}'), caller);

    const downloaded = await transport().downloadFile(fileID);

    expect(downloaded.statusCode).toBe(200);
    expect(new TextDecoder().decode(downloaded.bytes)).toBe('{"笔记":1}');
    await expect(transport().downloadFile(fileID.replace('我的信息', 'missing'))).rejects.toMatchObject({
      errCode: -1,
      errMsg: expect.stringMatching(/^cloud\.downloadFile:fail STORAGE_FILE_NONEXIST/),
    });
  });

  it('given an unreachable emulator, then the failure reads "request:fail" with errno 600001', async () => {
    const offline = createEmulatorTransport({ fetch: fetch as unknown as TransportFetch, baseUrl: 'http://127.0.0.1:1' });
    await expect(offline.callFunction('login', {}, caller)).rejects.toMatchObject({
      errMsg: expect.stringContaining('cloud.callFunction:fail request:fail'),
      errno: 600001,
    });
  });

  it('sends no x-wx-unionid header when the caller has no UnionID', () => {
    expect(callerHeaders({ openid: 'o', appid: 'a', unionid: '' })).toEqual({ 'x-wx-openid': 'o', 'x-wx-appid': 'a' });
  });
});
