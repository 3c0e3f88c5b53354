/**
 * The file APIs a page uses to hand a file to the person (下载我的信息's 保存为文件):
 * wx.env.USER_DATA_PATH, wx.getFileSystemManager() writeFile / readFile on the preview's local
 * files (temp-files.ts), and wx.shareFileMessage. WeChat's share sheet sends the file to a chat;
 * the browser has no chat, so the preview hands the file to the browser's own download, under
 * the name the page gave it.
 */
import { answer, WxApiError, type WxCallbacks } from './callbacks';
import { isTempPath, isUserDataPath, type TempFiles, USER_DATA_PATH } from './temp-files';

/** Starts a real download of `blob` named `fileName` (an <a download> in the browser). */
export type SaveFile = (blob: Blob, fileName: string) => void;

type Encoding = 'utf8' | 'utf-8' | 'binary' | undefined;

interface WriteFileOptions extends WxCallbacks<object> {
  filePath: string;
  data: string | ArrayBuffer;
  encoding?: Encoding;
}

interface ReadFileOptions extends WxCallbacks<{ data: string | ArrayBuffer }> {
  filePath: string;
  encoding?: Encoding;
}

interface ShareFileOptions extends WxCallbacks<object> {
  filePath: string;
  fileName?: string;
}

export interface WxFileApis {
  env: { USER_DATA_PATH: string };
  getFileSystemManager(): {
    writeFile(options: WriteFileOptions): Promise<unknown> | undefined;
    readFile(options: ReadFileOptions): Promise<unknown> | undefined;
  };
  shareFileMessage(options: ShareFileOptions): Promise<unknown> | undefined;
}

/** The type a file is downloaded with, by its extension (the page writes .json). */
function typeForName(name: string): string {
  if (/\.json$/i.test(name)) return 'application/json';
  if (/\.txt$/i.test(name)) return 'text/plain';
  return 'application/octet-stream';
}

function baseName(path: string): string {
  return path.split('/').pop() || 'file';
}

export function createWxFileApis(files: TempFiles, saveFile: SaveFile): WxFileApis {
  const manager = {
    writeFile: (options: WriteFileOptions) =>
      answer('writeFile', options, async () => {
        // WeChat lets a mini-program write only into its own folder.
        if (typeof options?.filePath !== 'string' || !isUserDataPath(options.filePath)) {
          throw new WxApiError(`permission denied, open ${String(options?.filePath)}`);
        }
        files.write(options.filePath, new Blob([options.data], { type: typeForName(options.filePath) }));
        return {};
      }),
    readFile: (options: ReadFileOptions) =>
      answer('readFile', options, async () => {
        const blob = files.get(String(options?.filePath));
        if (!blob) throw new WxApiError(`no such file or directory, open ${String(options?.filePath)}`);
        const text = options.encoding === 'utf8' || options.encoding === 'utf-8';
        return { data: text ? await blob.text() : await blob.arrayBuffer() };
      }),
  };

  return {
    env: { USER_DATA_PATH },
    getFileSystemManager: () => manager,
    shareFileMessage: (options: ShareFileOptions) =>
      answer('shareFileMessage', options, async () => {
        const path = String(options?.filePath);
        const blob = isTempPath(path) || isUserDataPath(path) ? files.get(path) : null;
        if (!blob) throw new WxApiError(`file not found: ${path}`);
        const fileName = options.fileName || baseName(path);
        saveFile(blob.type ? blob : new Blob([blob], { type: typeForName(fileName) }), fileName);
        return {};
      }),
  };
}
