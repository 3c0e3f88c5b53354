import { createWxUploader } from '../../../miniprogram/platform/wx-upload';
import { ServiceError } from '../../../miniprogram/services/service-error';

type UploadFile = WxCloud['uploadFile'];

function cloudAnswering(answer: () => Promise<unknown>): { uploadFile: UploadFile; calls: unknown[] } {
  const calls: unknown[] = [];
  const uploadFile = ((param: unknown) => {
    calls.push(param);
    return answer();
  }) as UploadFile;
  return { uploadFile, calls };
}

async function failure(promise: Promise<unknown>): Promise<ServiceError> {
  const error: unknown = await promise.catch((reason: unknown) => reason);
  if (!(error instanceof ServiceError)) throw new Error(`expected a ServiceError, got ${String(error)}`);
  return error;
}

describe('createWxUploader', () => {
  it('uploads the temp file to the cloud path and resolves with the fileID', async () => {
    const cloud = cloudAnswering(async () => ({ errMsg: 'cloud.uploadFile:ok', fileID: 'cloud://env.b/avatars/u/a.png', statusCode: 200 }));

    await expect(createWxUploader(cloud).upload('avatars/u/a.png', 'http://tmp/a.png')).resolves.toBe('cloud://env.b/avatars/u/a.png');
    expect(cloud.calls).toEqual([{ cloudPath: 'avatars/u/a.png', filePath: 'http://tmp/a.png' }]);
  });

  it('classifies failures: the network as NETWORK, anything else as UPLOAD_FAILED', async () => {
    const offline = cloudAnswering(() => Promise.reject({ errMsg: 'cloud.uploadFile:fail request:fail' }));
    const refused = cloudAnswering(() => Promise.reject({ errMsg: 'cloud.uploadFile:fail storage permission denied', errCode: -503003 }));

    expect((await failure(createWxUploader(offline).upload('p', 'f'))).code).toBe('NETWORK');
    expect((await failure(createWxUploader(refused).upload('p', 'f'))).code).toBe('UPLOAD_FAILED');
  });

  it('an answer without a fileID is a failed upload', async () => {
    const cloud = cloudAnswering(async () => ({ errMsg: 'cloud.uploadFile:ok', fileID: '', statusCode: 200 }));

    expect((await failure(createWxUploader(cloud).upload('p', 'f'))).code).toBe('UPLOAD_FAILED');
  });
});
