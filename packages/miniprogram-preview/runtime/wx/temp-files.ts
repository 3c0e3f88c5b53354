/**
 * Temporary files: what chooseAvatar hands to the page. WeChat gives paths like
 * `http://tmp/<name>.jpeg` that only <image>, uploadFile and the file APIs understand; the
 * preview does the same with a Blob behind each path.
 */

export interface TempFiles {
  /** Registers bytes and returns their temporary path. */
  add(blob: Blob, extension: string): string;
  get(path: string): Blob | null;
  /** A URL the browser can display, or null when the path is not a temporary file. */
  displayUrl(path: string): string | null;
}

export const TEMP_PREFIX = 'http://tmp/';

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
