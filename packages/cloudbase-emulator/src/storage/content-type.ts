/**
 * The Content-Type a download is served with. wx-server-sdk's PUT carries none, so (like COS
 * without an explicit type) it follows the file extension; unknown ones are octet-stream.
 */
const BY_EXTENSION: Readonly<Record<string, string>> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  svg: 'image/svg+xml',
  txt: 'text/plain; charset=utf-8',
  json: 'application/json',
  html: 'text/html; charset=utf-8',
  css: 'text/css; charset=utf-8',
  js: 'application/javascript',
  pdf: 'application/pdf',
  mp3: 'audio/mpeg',
  mp4: 'video/mp4',
};

export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

export function contentTypeFor(cloudPath: string): string {
  const dot = cloudPath.lastIndexOf('.');
  if (dot < 0 || dot < cloudPath.lastIndexOf('/')) return DEFAULT_CONTENT_TYPE;
  return BY_EXTENSION[cloudPath.slice(dot + 1).toLowerCase()] ?? DEFAULT_CONTENT_TYPE;
}
