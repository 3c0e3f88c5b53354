/**
 * Local files: what chooseAvatar and wx.cloud.downloadFile hand to the page, and what it writes
 * into its own folder (wx.env.USER_DATA_PATH) with the file system manager. WeChat gives paths
 * like `http://tmp/<name>.jpeg` that only <image>, uploadFile and the file APIs understand; the
 * preview does the same with a Blob behind each path, kept for the page's lifetime (a reload
 * forgets them, where WeChat keeps user files: nothing in this project reads one back later).
 */

export interface TempFiles {
  /** Registers bytes and returns their temporary path. */
  add(blob: Blob, extension: string): string;
  get(path: string): Blob | null;
  /** Stores bytes under a path of the user folder (replacing what was there). */
  write(path: string, blob: Blob): void;
  /** A URL the browser can display, or null when the path is not a temporary file. */
  displayUrl(path: string): string | null;
}

export const TEMP_PREFIX = 'http://tmp/';
/** wx.env.USER_DATA_PATH as DevTools has it ('wxfile://usr' on phones). */
export const USER_DATA_PATH = 'http://usr';

export function isUserDataPath(path: string): boolean {
  return path.startsWith(`${USER_DATA_PATH}/`);
}

export function isTempPath(path: string): boolean {
  return path.startsWith(TEMP_PREFIX) || path.startsWith('wxfile://tmp');
}

export function createTempFiles(objectUrl: (blob: Blob) => string, randomId: () => string): TempFiles {
  const files = new Map<string, { blob: Blob; url: string | null }>();
  return {
    add(blob, extension) {
      const path = `${TEMP_PREFIX}${randomId()}.${extension.replace(/^\./, '') || 'bin'}`;
      files.set(path, { blob, url: null });
      return path;
    },
    get: (path) => files.get(path)?.blob ?? null,
    write(path, blob) {
      files.set(path, { blob, url: null });
    },
    displayUrl(path) {
      const file = files.get(path);
      if (!file) return null;
      file.url ??= objectUrl(file.blob);
      return file.url;
    },
  };
}

/** The extension WeChat would give a picked image. */
export function extensionForType(mimeType: string): string {
  const subtype = /^image\/([\w+.-]+)/.exec(mimeType)?.[1]?.toLowerCase() ?? '';
  if (subtype === 'jpeg' || subtype === 'jpg') return 'jpeg';
  return /^(png|gif|webp|bmp)$/.test(subtype) ? subtype : 'png';
}
