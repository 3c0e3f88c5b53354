/**
 * PhoneNumberApi, ContentSecurityApi and FileStorage on wx-server-sdk. The only module besides
 * index.ts that calls the SDK's open API and storage.
 *
 * Shapes as wx-server-sdk 4.x answers them (checked against the local emulator, which speaks the
 * same protocol): open-API answers come back camelCased (`phone_info` -> `phoneInfo`), and a WeChat
 * errcode is thrown as `{ errCode, errMsg }`. getTempFileURL / deleteFile report a missing file
 * per item as `status: -503003` instead of throwing.
 */
import type {
  ContentSecurityApi,
  ContentVerdict,
  FileDeletion,
  FileStorage,
  OpenApiResult,
  PhoneNumberApi,
  TemporaryUrl,
  VerifiedPhone,
} from '../ports';

/** The part of wx-server-sdk used here, typed precisely (the SDK types `openapi` as Record<string, any>). */
export interface CloudServicesSdk {
  openapi: {
    phonenumber: { getPhoneNumber(params: { code: string }): Promise<unknown> };
    security: { msgSecCheck(params: { content: string; version: 2; scene: number; openid: string }): Promise<unknown> };
  };
  getTempFileURL(params: { fileList: Array<{ fileID: string; maxAge: number }> }): Promise<unknown>;
  deleteFile(params: { fileList: string[] }): Promise<unknown>;
  uploadFile(params: { cloudPath: string; fileContent: Buffer }): Promise<unknown>;
}

/** CloudBase: at most 50 files per getTempFileURL / deleteFile call. */
const MAX_FILES_PER_CALL = 50;
/** wx-server-sdk's status for STORAGE_FILE_NONEXIST. */
const FILE_NOT_FOUND = -503003;

type Loose = Record<string, unknown>;

function isLoose(value: unknown): value is Loose {
  return typeof value === 'object' && value !== null;
}

/** A thrown WeChat/CloudBase answer `{ errCode, errMsg }` as a failed result; anything else is rethrown. */
function asFailure(error: unknown): { ok: false; errcode: number; message: string } {
  if (isLoose(error) && typeof error.errCode === 'number') {
    return { ok: false, errcode: error.errCode, message: typeof error.errMsg === 'string' ? error.errMsg : '' };
  }
  throw error;
}

function chunks<T>(items: T[], size: number): T[][] {
  const result: T[][] = [];
  for (let index = 0; index < items.length; index += size) result.push(items.slice(index, index + size));
  return result;
}

function listOf(answer: unknown): Loose[] {
  const list = isLoose(answer) ? answer.fileList : undefined;
  return Array.isArray(list) ? list.filter(isLoose) : [];
}

export interface CloudServices {
  phone: PhoneNumberApi;
  security: ContentSecurityApi;
  files: FileStorage;
}

export function createCloudServices(sdk: CloudServicesSdk, now: () => Date): CloudServices {
  return {
    phone: {
      async getPhoneNumber(code: string): Promise<OpenApiResult<VerifiedPhone>> {
        let answer: unknown;
        try {
          answer = await sdk.openapi.phonenumber.getPhoneNumber({ code });
        } catch (error) {
          return asFailure(error);
        }
        const info = isLoose(answer) && isLoose(answer.phoneInfo) ? answer.phoneInfo : {};
        const { countryCode, purePhoneNumber } = info;
        if (typeof countryCode !== 'string' || typeof purePhoneNumber !== 'string') {
          throw new Error('getPhoneNumber answered without phoneInfo');
        }
        return { ok: true, value: { countryCode, purePhoneNumber } };
      },
    },

    security: {
      async checkText({ content, openid, scene }): Promise<OpenApiResult<ContentVerdict>> {
        let answer: unknown;
        try {
          answer = await sdk.openapi.security.msgSecCheck({ content, version: 2, scene, openid });
        } catch (error) {
          return asFailure(error);
        }
        const suggest = isLoose(answer) && isLoose(answer.result) ? answer.result.suggest : undefined;
        if (suggest !== 'pass' && suggest !== 'review' && suggest !== 'risky') {
          throw new Error(`msgSecCheck answered an unknown suggest: ${String(suggest)}`);
        }
        return { ok: true, value: suggest };
      },
    },

    files: {
      async temporaryUrls(fileIDs: string[], maxAgeSeconds: number): Promise<Map<string, TemporaryUrl | null>> {
        const result = new Map<string, TemporaryUrl | null>(fileIDs.map((fileID) => [fileID, null]));
        const expiresAt = new Date(now().getTime() + maxAgeSeconds * 1000);
        for (const part of chunks([...result.keys()], MAX_FILES_PER_CALL)) {
          const answer = await sdk.getTempFileURL({ fileList: part.map((fileID) => ({ fileID, maxAge: maxAgeSeconds })) });
          for (const item of listOf(answer)) {
            const { fileID, tempFileURL, status } = item;
            if (typeof fileID !== 'string' || !result.has(fileID)) continue;
            if (status === 0 && typeof tempFileURL === 'string' && tempFileURL !== '') {
              result.set(fileID, { url: tempFileURL, expiresAt });
            }
          }
        }
        return result;
      },

      async deleteFiles(fileIDs: string[]): Promise<FileDeletion[]> {
        const gone = new Map<string, boolean>(fileIDs.map((fileID) => [fileID, false]));
        for (const part of chunks([...gone.keys()], MAX_FILES_PER_CALL)) {
          for (const item of listOf(await sdk.deleteFile({ fileList: part }))) {
            if (typeof item.fileID !== 'string' || !gone.has(item.fileID)) continue;
            gone.set(item.fileID, item.status === 0 || item.status === FILE_NOT_FOUND);
          }
        }
        return [...gone].map(([fileID, isGone]) => ({ fileID, gone: isGone }));
      },

      async upload(cloudPath: string, content: string): Promise<string> {
        const answer = await sdk.uploadFile({ cloudPath, fileContent: Buffer.from(content, 'utf8') });
        const fileID = isLoose(answer) ? answer.fileID : undefined;
        if (typeof fileID !== 'string' || fileID === '') throw new Error('uploadFile answered without a fileID');
        return fileID;
      },
    },
  };
}
