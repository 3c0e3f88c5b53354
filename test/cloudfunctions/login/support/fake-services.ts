/**
 * In-memory stand-ins for the WeChat open APIs and cloud storage the account actions use, with the
 * platform's rules that matter to them: a phone code works once; a WeChat failure is an errcode;
 * a missing file has no URL and deleting it again is harmless.
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
} from '../../../../cloudfunctions/login/src/ports';

export interface FakePhoneApi extends PhoneNumberApi {
  /** A single-use code for this mainland number (or `+<cc>-<digits>`). */
  codeFor(phone: string): string;
  /** Codes answering a WeChat errcode. */
  failing: Map<string, number>;
  calls: number;
}

export function createFakePhoneApi(): FakePhoneApi {
  const codes = new Map<string, VerifiedPhone>();
  const failing = new Map<string, number>();
  let issued = 0;
  const api: FakePhoneApi = {
    failing,
    calls: 0,
    codeFor(phone) {
      const international = /^\+(\d+)-(\d+)$/.exec(phone);
      const verified =
        international?.[1] && international[2]
          ? { countryCode: international[1], purePhoneNumber: international[2] }
          : { countryCode: '86', purePhoneNumber: phone };
      const code = `code-${++issued}`;
      codes.set(code, verified);
      return code;
    },
    async getPhoneNumber(code): Promise<OpenApiResult<VerifiedPhone>> {
      api.calls += 1;
      const errcode = failing.get(code);
      if (errcode !== undefined) return { ok: false, errcode, message: `fake errcode ${errcode}` };
      const phone = codes.get(code);
      if (!phone) return { ok: false, errcode: 40029, message: 'invalid code' };
      codes.delete(code);
      return { ok: true, value: phone };
    },
  };
  return api;
}

export interface FakeContentSecurity extends ContentSecurityApi {
  words: Map<string, ContentVerdict>;
  /** When set, every check answers this errcode. */
  failWith: number | null;
  checked: Array<{ content: string; openid: string; scene: number }>;
}

export function createFakeContentSecurity(): FakeContentSecurity {
  const fake: FakeContentSecurity = {
    words: new Map([
      ['违规', 'risky'],
      ['待审', 'review'],
    ]),
    failWith: null,
    checked: [],
    async checkText(input) {
      fake.checked.push(input);
      if (fake.failWith !== null) return { ok: false, errcode: fake.failWith, message: 'fake failure' };
      for (const [word, verdict] of fake.words) if (input.content.includes(word)) return { ok: true, value: verdict };
      return { ok: true, value: 'pass' };
    },
  };
  return fake;
}

export interface FakeFiles extends FileStorage {
  files: Set<string>;
  /** fileIDs asked for URLs, in order. */
  urlRequests: string[];
  deleted: string[];
  /** Uploaded contents by fileID (upload answers `cloud://<env>.<bucket>/<cloudPath>`). */
  uploads: Map<string, string>;
  /** When true, every call rejects (storage down). */
  broken: boolean;
}

/** Called before every storage request (may reject: an injected fault); the test deps share one with the store. */
export type RequestGate = (request: string) => Promise<void>;

export function createFakeFiles(now: () => Date, env: string, gate: RequestGate = async () => undefined): FakeFiles {
  const fake: FakeFiles = {
    files: new Set(),
    urlRequests: [],
    deleted: [],
    uploads: new Map(),
    broken: false,
    async temporaryUrls(fileIDs, maxAgeSeconds) {
      await gate('files.temporaryUrls');
      if (fake.broken) throw new Error('storage unavailable');
      fake.urlRequests.push(...fileIDs);
      const expiresAt = new Date(now().getTime() + maxAgeSeconds * 1000);
      return new Map<string, TemporaryUrl | null>(
        fileIDs.map((fileID) => [
          fileID,
          fake.files.has(fileID) ? { url: `https://files.test/${fake.urlRequests.length}/${fileID.slice(8)}`, expiresAt } : null,
        ]),
      );
    },
    async deleteFiles(fileIDs): Promise<FileDeletion[]> {
      await gate('files.deleteFiles');
      if (fake.broken) throw new Error('storage unavailable');
      return fileIDs.map((fileID) => {
        fake.files.delete(fileID);
        fake.deleted.push(fileID);
        fake.uploads.delete(fileID);
        return { fileID, gone: true };
      });
    },
    async upload(cloudPath, content) {
      await gate('files.upload');
      if (fake.broken) throw new Error('storage unavailable');
      const fileID = `cloud://${env}.7465-${env}-1250000000/${cloudPath}`;
      fake.files.add(fileID);
      fake.uploads.set(fileID, content);
      return fileID;
    },
  };
  return fake;
}
