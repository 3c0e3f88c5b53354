import type { FileUploader } from '../ports';
import { ServiceError } from '../services/service-error';
import { classifyWxFailure } from './wx-failure';

type UploadFile = Pick<WxCloud, 'uploadFile'>;

/**
 * Cloud storage uploads with wx.cloud.uploadFile. The file goes straight from the phone to the
 * env's storage (the function never sees the bytes). The person must be allowed to create the
 * file: CloudBase's default storage rule (所有用户可读，仅创建者及管理员可写) allows it. Reading
 * needs no rule: the function answers a temporary URL it asked for with admin rights.
 * `cloud` defaults to the global wx.cloud, read when called.
 */
export function createWxUploader(cloud?: UploadFile): FileUploader {
  return {
    upload(cloudPath, filePath) {
      const api = cloud ?? wx.cloud;
      if (!api) return Promise.reject(new ServiceError('UPLOAD_FAILED', 'wx.cloud is missing'));
      return api.uploadFile({ cloudPath, filePath }).then(
        (result) => {
          // A resolved upload without a fileID has been seen with storage misconfiguration; treat it as failed.
          if (typeof result.fileID !== 'string' || result.fileID === '') {
            throw new ServiceError('UPLOAD_FAILED', `uploadFile answered no fileID (${result.errMsg})`);
          }
          return result.fileID;
        },
        (error: unknown) => {
          throw classifyWxFailure(error, 'UPLOAD_FAILED');
        },
      );
    },
  };
}
