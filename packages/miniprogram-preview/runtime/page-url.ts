/**
 * Page URLs as wx.navigateTo & co. take them: '/pages/login/index?redirect=%2Fpages%2Findex%2Findex',
 * or relative to the current page ('../login/index').
 */

export interface PageTarget {
  /** Without a leading slash, as in app.json: 'pages/login/index'. */
  route: string;
  query: Record<string, string>;
}

/**
 * Query values are handed over as written, still percent-encoded: WeChat does not decode what
 * navigateTo passes to onLoad (miniprogram/navigation/routes.ts decodes `redirect` itself).
 */
export function parseQuery(text: string): Record<string, string> {
  const query: Record<string, string> = {};
  for (const part of text.split('&')) {
    if (part === '') continue;
    const equals = part.indexOf('=');
    const key = equals < 0 ? part : part.slice(0, equals);
    if (key !== '') query[key] = equals < 0 ? '' : part.slice(equals + 1);
  }
  return query;
}

export function parsePageUrl(url: string, currentRoute: string | null): PageTarget {
  const [rawPath = '', ...rest] = url.split('?');
  const path = rawPath.startsWith('/') || currentRoute === null ? rawPath.replace(/^\/+/, '') : joinRelative(currentRoute, rawPath);
  return { route: path, query: parseQuery(rest.join('?')) };
}

/** 'pages/a/index' + '../b/index' -> 'pages/b/index'. */
function joinRelative(currentRoute: string, relative: string): string {
  const parts = currentRoute.split('/').slice(0, -1);
  for (const segment of relative.split('/')) {
    if (segment === '..') parts.pop();
    else if (segment !== '.' && segment !== '') parts.push(segment);
  }
  return parts.join('/');
}

export function formatPageUrl(target: PageTarget): string {
  const query = Object.entries(target.query)
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
  return `/${target.route}${query ? `?${query}` : ''}`;
}
