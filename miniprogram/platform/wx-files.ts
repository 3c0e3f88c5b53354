import type { FileHandover } from '../ports';
import { ServiceError } from '../services/service-error';
import { classifyWxFailure } from './wx-failure';

/** The part of `wx` the file handover uses; tests pass their own. */
export interface WxFileApis {
  env: { USER_DATA_PATH: string };
  getFileSystemManager(): Pick<WechatMiniprogram.FileSystemManager, 'writeFile'>;
  shareFileMessage(options: {
    filePath: string;
    fileName?: string;
    success?: () => void;
    fail?: (error: WechatMiniprogram.GeneralCallbackResult) => void;
  }): void;
  cloud?: Pick<WxCloud, 'downloadFile'>;
}

/** What shareFileMessage fails with when the person closes the sheet without choosing a chat. */
const CANCELLED = /:fail\s*cancel/i;

/**
 * Files for the person (ports.ts: FileHandover): written with the file system manager into
 * wx.env.USER_DATA_PATH (the mini-program's own folder, 10 MB in all: a full folder fails the
 * write), fetched from cloud storage with wx.cloud.downloadFile (a fileID needs no download
 * domain), handed over with wx.shareFileMessage (base library 2.16.1). WeChat allows
 * shareFileMessage only in answer to a tap: the page prepares the file beforehand, so the tap
 * opens the sheet at once. `api` defaults to the global wx, read when called.
 */
export function createWxFiles(api?: WxFileApis): FileHandover {
  const wxApi = (): WxFileApis => api ?? (wx as unknown as WxFileApis);
  return {
    writeText(fileName, text) {
      return new Promise((resolve, reject) => {
        const filePath = `${wxApi().env.USER_DATA_PATH}/${fileName}`;
        wxApi()
          .getFileSystemManager()
          .writeFile({
            filePath,
            data: text,
            encoding: 'utf8',
            success: () => resolve(filePath),
            fail: (error) => reject(classifyWxFailure(error, 'FILE_SAVE_FAILED')),
          });
      });
    },

    downloadCloudFile(fileID) {
      const cloud = wxApi().cloud;
      if (!cloud) return Promise.reject(new ServiceError('DOWNLOAD_FAILED', 'wx.cloud is missing'));
      return cloud.downloadFile({ fileID }).then(
        (result) => {
          // A 404 of an expired or replaced file still resolves, with its status.
          if (result.statusCode !== 200 || !result.tempFilePath) {
            throw new ServiceError('DOWNLOAD_FAILED', `downloadFile answered ${result.statusCode} (${result.errMsg})`);
          }
          return result.tempFilePath;
        },
        (error: unknown) => {
          throw classifyWxFailure(error, 'DOWNLOAD_FAILED');
        },
      );
    },

    share(filePath, fileName) {
      return new Promise((resolve, reject) => {
        wxApi().shareFileMessage({
          filePath,
          fileName,
          success: () => resolve('shared'),
          fail: (error) => {
            if (CANCELLED.test(String(error?.errMsg ?? ''))) resolve('cancelled');
            else reject(classifyWxFailure(error, 'FILE_SAVE_FAILED'));
          },
        });
      });
    },
  };
}
