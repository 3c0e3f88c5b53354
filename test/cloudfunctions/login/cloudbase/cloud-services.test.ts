/**
 * How wx-server-sdk's answers are read, on answers shaped as the SDK gives them (the emulator
 * tests run the same code against the real SDK). Here only the translation is under test.
 */
import { createCloudServices, type CloudServicesSdk } from '../../../../cloudfunctions/login/src/cloudbase/cloud-services';

const now = new Date('2026-01-01T00:00:00Z');

function sdk(
  overrides: Partial<{
    phone: () => Promise<unknown>;
    check: () => Promise<unknown>;
    urls: () => Promise<unknown>;
    remove: () => Promise<unknown>;
    upload: (params: { cloudPath: string; fileContent: Buffer }) => Promise<unknown>;
  }>,
): CloudServicesSdk {
  const never = () => Promise.reject(new Error('not expected'));
  return {
    openapi: {
      phonenumber: { getPhoneNumber: overrides.phone ?? never },
      security: { msgSecCheck: overrides.check ?? never },
    },
    getTempFileURL: overrides.urls ?? never,
    deleteFile: overrides.remove ?? never,
    uploadFile: overrides.upload ?? never,
  };
}

describe('createCloudServices', () => {
  it('uploads UTF-8 text and answers the fileID; an answer without one is an error', async () => {
    const sent: Array<{ cloudPath: string; text: string }> = [];
    const services = createCloudServices(
      sdk({
        upload: async ({ cloudPath, fileContent }) => {
          sent.push({ cloudPath, text: fileContent.toString('utf8') });
          return { fileID: `cloud://env.bucket/${cloudPath}`, statusCode: -1 };
        },
      }),
      () => now,
    );
    expect(await services.files.upload('exports/u1/t.json', '{"昵称":"小明"}')).toBe('cloud://env.bucket/exports/u1/t.json');
    expect(sent).toEqual([{ cloudPath: 'exports/u1/t.json', text: '{"昵称":"小明"}' }]);
    const broken = createCloudServices(sdk({ upload: async () => ({ statusCode: -1 }) }), () => now);
    await expect(broken.files.upload('exports/u1/t.json', '{}')).rejects.toThrow('without a fileID');
  });

  it('reads phoneInfo from getPhoneNumber', async () => {
    const services = createCloudServices(
      sdk({
        phone: async () => ({ errCode: 0, phoneInfo: { phoneNumber: '+14155550100', purePhoneNumber: '4155550100', countryCode: '1' } }),
      }),
      () => now,
    );
    expect(await services.phone.getPhoneNumber('c')).toEqual({ ok: true, value: { countryCode: '1', purePhoneNumber: '4155550100' } });
  });

  it('turns a thrown WeChat errcode into a failed result', async () => {
    const services = createCloudServices(
      sdk({ phone: () => Promise.reject({ errCode: 40029, errMsg: 'openapi.phonenumber.getPhoneNumber:fail invalid code rid: x' }) }),
      () => now,
    );
    expect(await services.phone.getPhoneNumber('c')).toMatchObject({ ok: false, errcode: 40029 });
  });

  it('rethrows what is not a WeChat answer', async () => {
    const services = createCloudServices(sdk({ phone: () => Promise.reject(new Error('socket hang up')) }), () => now);
    await expect(services.phone.getPhoneNumber('c')).rejects.toThrow('socket hang up');
  });

  it("reads msgSecCheck v2's suggest", async () => {
    const services = createCloudServices(
      sdk({ check: async () => ({ errCode: 0, result: { suggest: 'risky', label: 20001 } }) }),
      () => now,
    );
    expect(await services.security.checkText({ content: 'x', openid: 'o', scene: 1 })).toEqual({ ok: true, value: 'risky' });
  });

  it('maps temporary URLs by fileID, a missing file to null', async () => {
    const services = createCloudServices(
      sdk({
        urls: async () => ({
          fileList: [
            { fileID: 'cloud://e.b/a.png', tempFileURL: 'https://t/a.png', status: 0, maxAge: 60 },
            { fileID: 'cloud://e.b/missing.png', tempFileURL: '', status: -503003 },
          ],
        }),
      }),
      () => now,
    );
    const urls = await services.files.temporaryUrls(['cloud://e.b/a.png', 'cloud://e.b/missing.png'], 60);
    expect(urls.get('cloud://e.b/a.png')).toEqual({ url: 'https://t/a.png', expiresAt: new Date('2026-01-01T00:01:00Z') });
    expect(urls.get('cloud://e.b/missing.png')).toBeNull();
  });

  it('counts a file already missing as deleted, any other failure as not', async () => {
    const services = createCloudServices(
      sdk({
        remove: async () => ({
          fileList: [
            { fileID: 'a', status: 0 },
            { fileID: 'b', status: -503003 },
            { fileID: 'c', status: -503002 },
          ],
        }),
      }),
      () => now,
    );
    expect(await services.files.deleteFiles(['a', 'b', 'c'])).toEqual([
      { fileID: 'a', gone: true },
      { fileID: 'b', gone: true },
      { fileID: 'c', gone: false },
    ]);
  });
});
