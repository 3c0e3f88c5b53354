/**
 * Cloud storage as the account actions see it: cloud-services.ts implements it with
 * wx-server-sdk's getTempFileURL / deleteFile, tests with an in-memory fake.
 */

export interface TemporaryUrl {
  url: string;
  expiresAt: Date;
}

export interface FileDeletion {
  fileID: string;
  /** True when the file is gone afterwards: deleted now, or there was no such file. */
  gone: boolean;
}

export interface FileStorage {
  /**
   * Temporary download URLs valid for `maxAgeSeconds`. The map has an entry per fileID: null when
   * there is no such file (CloudBase -503003) or it cannot be read.
   */
  temporaryUrls(fileIDs: string[], maxAgeSeconds: number): Promise<Map<string, TemporaryUrl | null>>;
  /** Deletes files; a missing file counts as gone, so retries are harmless. */
  deleteFiles(fileIDs: string[]): Promise<FileDeletion[]>;
}
