import { createWxFileApis } from '../../../runtime/wx/files';
import { createTempFiles, USER_DATA_PATH } from '../../../runtime/wx/temp-files';

/** The preview's file APIs on its local files; the browser download recorded instead of made. */
function setup() {
  let count = 0;
  const files = createTempFiles(
    () => 'blob:unused',
    () => `f${(count += 1)}`,
  );
  const saved: { blob: Blob; fileName: string }[] = [];
  const wx = createWxFileApis(files, (blob, fileName) => saved.push({ blob, fileName }));
  return { wx, files, saved };
}

describe('the preview’s file APIs', () => {
  it('writes text into the user folder, reads it back, and shareFileMessage downloads it under the given name', async () => {
    const { wx, saved } = setup();
    const filePath = `${wx.env.USER_DATA_PATH}/我的信息-2026-12-02.json`;
    expect(wx.env.USER_DATA_PATH).toBe(USER_DATA_PATH);

    await wx.getFileSystemManager().writeFile({ filePath, data: '{"a":"笔记"}', encoding: 'utf8' });
    const read = (await wx.getFileSystemManager().readFile({ filePath, encoding: 'utf8' })) as { data: string };
    await wx.shareFileMessage({ filePath, fileName: '我的信息-2026-12-02.json' });

    expect(read.data).toBe('{"a":"笔记"}');
    expect(saved.map(({ fileName, blob }) => [fileName, blob.type])).toEqual([['我的信息-2026-12-02.json', 'application/json']]);
    expect(await saved[0]?.blob.text()).toBe('{"a":"笔记"}');
  });

  it('shares a temporary file (a download) under its own name when none is given', async () => {
    const { wx, files, saved } = setup();
    const path = files.add(new Blob(['{}']), 'json');

    await new Promise<void>((resolve, reject) => wx.shareFileMessage({ filePath: path, success: () => resolve(), fail: reject }));

    expect(saved.map(({ fileName }) => fileName)).toEqual(['f1.json']);
  });

  it('fails as WeChat does outside the user folder and for a file that is not there', async () => {
    const { wx, saved } = setup();

    await expect(wx.getFileSystemManager().writeFile({ filePath: '/etc/x.json', data: '' })).rejects.toMatchObject({
      errMsg: expect.stringMatching(/^writeFile:fail permission denied/),
    });
    await expect(wx.shareFileMessage({ filePath: `${USER_DATA_PATH}/none.json` })).rejects.toMatchObject({
      errMsg: `shareFileMessage:fail file not found: ${USER_DATA_PATH}/none.json`,
    });
    await expect(wx.getFileSystemManager().readFile({ filePath: `${USER_DATA_PATH}/none.json` })).rejects.toMatchObject({
      errMsg: expect.stringMatching(/^readFile:fail no such file/),
    });
    expect(saved).toEqual([]);
  });
});
