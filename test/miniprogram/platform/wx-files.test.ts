import { createWxClipboard } from '../../../miniprogram/platform/wx-clipboard';
import type { WxFileApis } from '../../../miniprogram/platform/wx-files';
import { createWxFiles } from '../../../miniprogram/platform/wx-files';
import { ServiceError } from '../../../miniprogram/services/service-error';

type Fail = (error: { errMsg: string; errno?: number }) => void;

/** A wx of the file APIs, each answering with the given failure (or success when none). */
function wxAnswering(failures: { write?: object; share?: object; download?: object; downloadStatus?: number } = {}) {
  const calls: unknown[] = [];
  const api: WxFileApis = {
    env: { USER_DATA_PATH: 'wxfile://usr' },
    getFileSystemManager: () =>
      ({
        writeFile: (options: { filePath: string; data: string; success?: () => void; fail?: Fail }) => {
          calls.push(['writeFile', options.filePath, options.data]);
          if (failures.write) options.fail?.(failures.write as { errMsg: string });
          else options.success?.();
        },
      }) as unknown as ReturnType<WxFileApis['getFileSystemManager']>,
    shareFileMessage: (options) => {
      calls.push(['shareFileMessage', options.filePath, options.fileName]);
      if (failures.share) options.fail?.(failures.share as { errMsg: string });
      else options.success?.();
    },
    cloud: {
      downloadFile: ((options: { fileID: string }) => {
        calls.push(['downloadFile', options.fileID]);
        if (failures.download) return Promise.reject(failures.download);
        return Promise.resolve({
          errMsg: 'cloud.downloadFile:ok',
          tempFilePath: 'http://tmp/a.json',
          statusCode: failures.downloadStatus ?? 200,
        });
      }) as unknown as WxCloud['downloadFile'],
    },
  };
  return { api, calls };
}

async function failure(promise: Promise<unknown>): Promise<ServiceError> {
  const error: unknown = await promise.catch((reason: unknown) => reason);
  if (!(error instanceof ServiceError)) throw new Error(`expected a ServiceError, got ${String(error)}`);
  return error;
}

describe('createWxFiles', () => {
  it('writes into wx.env.USER_DATA_PATH and shares the file under its name', async () => {
    const { api, calls } = wxAnswering();
    const files = createWxFiles(api);

    const path = await files.writeText('我的信息.json', '{}');
    expect(await files.share(path, '我的信息.json')).toBe('shared');
    expect(calls).toEqual([
      ['writeFile', 'wxfile://usr/我的信息.json', '{}'],
      ['shareFileMessage', 'wxfile://usr/我的信息.json', '我的信息.json'],
    ]);
  });

  it('closing the share sheet is "cancelled", not a failure; other share failures are FILE_SAVE_FAILED', async () => {
    expect(await createWxFiles(wxAnswering({ share: { errMsg: 'shareFileMessage:fail cancel' } }).api).share('p', 'n')).toBe('cancelled');
    expect(
      (await failure(createWxFiles(wxAnswering({ share: { errMsg: 'shareFileMessage:fail internal' } }).api).share('p', 'n'))).code,
    ).toBe('FILE_SAVE_FAILED');
    expect((await failure(createWxFiles(wxAnswering({ write: { errMsg: 'writeFile:fail no space' } }).api).writeText('n', ''))).code).toBe(
      'FILE_SAVE_FAILED',
    );
  });

  it('downloads a cloud file to a temp path; the network is NETWORK, a missing file DOWNLOAD_FAILED', async () => {
    expect(await createWxFiles(wxAnswering().api).downloadCloudFile('cloud://e.b/x.json')).toBe('http://tmp/a.json');
    const offline = wxAnswering({ download: { errMsg: 'cloud.downloadFile:fail request:fail' } }).api;
    expect((await failure(createWxFiles(offline).downloadCloudFile('cloud://e.b/x.json'))).code).toBe('NETWORK');
    expect((await failure(createWxFiles(wxAnswering({ downloadStatus: 404 }).api).downloadCloudFile('cloud://e.b/x.json'))).code).toBe(
      'DOWNLOAD_FAILED',
    );
  });
});

describe('createWxClipboard', () => {
  it('copies, and reads a privacy refusal as PRIVACY_DENIED', async () => {
    const copied: string[] = [];
    const clipboard = createWxClipboard({
      setClipboardData: ((options: { data: string; success?: () => void }) => {
        copied.push(options.data);
        options.success?.();
      }) as unknown as WechatMiniprogram.Wx['setClipboardData'],
    });
    await clipboard.copy('text');
    expect(copied).toEqual(['text']);

    const refused = createWxClipboard({
      setClipboardData: ((options: { fail?: Fail }) =>
        options.fail?.({
          errMsg: 'setClipboardData:fail privacy permission is not authorized',
          errno: 104,
        })) as unknown as WechatMiniprogram.Wx['setClipboardData'],
    });
    expect((await failure(refused.copy('text'))).code).toBe('PRIVACY_DENIED');
  });
});
