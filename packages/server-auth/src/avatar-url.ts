/** Longest avatar URL kept from another system (WeChat's own are about 150 characters). */
export const MAX_AVATAR_URL_LENGTH = 1024;

/**
 * Why `url`, an avatar URL another system stored (an import, a tutorial's `userInfo`), cannot be
 * shown as an avatar, or null when it can: an absolute http(s) URL with a host, nothing invisible
 * in it. Anything else — `javascript:`, `data:`, `file:`, a relative path — would run or read
 * something where a page puts it in an `<image src>` or an admin page in a link.
 */
export function externalAvatarUrlProblem(url: string): string | null {
  if (url.length > MAX_AVATAR_URL_LENGTH) return `avatarUrl is longer than ${MAX_AVATAR_URL_LENGTH}`;
  if (/[\s\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(url)) return 'avatarUrl contains spaces or control characters';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'avatarUrl is not an absolute URL';
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return `avatarUrl scheme ${parsed.protocol} is not http(s)`;
  if (parsed.hostname === '') return 'avatarUrl has no host';
  return null;
}
