/**
 * wx.request in the preview: a real HTTP request with the browser's fetch, answered as WeChat
 * answers it. Any HTTP status is a success (`{ data, statusCode, header }`); `data` is parsed as
 * JSON when dataType is 'json' (the default) and the body is JSON, else left as text; a request
 * that does not reach a server fails with `request:fail <reason>`. Options `data` go into the query
 * string for GET and into the body (JSON, or form-encoded for that content type) otherwise.
 *
 * A browser enforces CORS where WeChat does not: a server that does not allow the preview's origin
 * fails here with request:fail, named on the console.
 */
import { answer, WxApiError, type WxCallbacks } from './callbacks';

export interface RequestOptions extends WxCallbacks<RequestSuccess> {
  url: string;
  method?: string;
  data?: unknown;
  header?: Record<string, string>;
  dataType?: string;
  responseType?: string;
  timeout?: number;
}

export interface RequestSuccess {
  data: unknown;
  statusCode: number;
  header: Record<string, string>;
  cookies: string[];
}

export interface RequestTask {
  abort(): void;
  onHeadersReceived(): void;
  offHeadersReceived(): void;
  onChunkReceived(): void;
  offChunkReceived(): void;
}

type Fetch = (url: string, init: RequestInit) => Promise<Response>;

function formEncode(data: Record<string, unknown>): string {
  return Object.entries(data)
    .filter(([, value]) => value !== undefined)
    .map(
      ([key, value]) =>
        `${encodeURIComponent(key)}=${encodeURIComponent(typeof value === 'object' ? JSON.stringify(value) : String(value))}`,
    )
    .join('&');
}

/** The URL and body WeChat sends for `data`. */
export function requestTarget(options: RequestOptions): { url: string; body: string | undefined; contentType: string } {
  const method = (options.method ?? 'GET').toUpperCase();
  const headers = Object.fromEntries(Object.entries(options.header ?? {}).map(([key, value]) => [key.toLowerCase(), value]));
  const contentType = headers['content-type'] ?? 'application/json';
  const data = options.data;
  if (data === undefined || data === null) return { url: options.url, body: undefined, contentType };
  if (method === 'GET') {
    const query = typeof data === 'object' ? formEncode(data as Record<string, unknown>) : String(data);
    if (!query) return { url: options.url, body: undefined, contentType };
    return { url: `${options.url}${options.url.includes('?') ? '&' : '?'}${query}`, body: undefined, contentType };
  }
  if (typeof data !== 'object') return { url: options.url, body: String(data), contentType };
  const body = contentType.includes('application/x-www-form-urlencoded')
    ? formEncode(data as Record<string, unknown>)
    : JSON.stringify(data);
  return { url: options.url, body, contentType };
}

export function createWxRequest(fetchImpl: Fetch, warn: (message: string) => void) {
  return (options: RequestOptions): RequestTask | Promise<unknown> | undefined => {
    const controller = new AbortController();
    const result = answer('request', options, async () => {
      if (typeof options?.url !== 'string' || !/^https?:\/\//.test(options.url))
        throw new WxApiError(`invalid url "${String(options?.url)}"`);
      const { url, body, contentType } = requestTarget(options);
      const timer = setTimeout(() => controller.abort(), options.timeout ?? 60000);
      let response: Response;
      try {
        response = await fetchImpl(url, {
          method: (options.method ?? 'GET').toUpperCase(),
          headers: { ...(options.header ?? {}), ...(body === undefined ? {} : { 'content-type': contentType }) },
          ...(body === undefined ? {} : { body }),
          signal: controller.signal,
        });
      } catch (error) {
        const reason = controller.signal.aborted ? 'abort' : error instanceof Error ? error.message : String(error);
        warn(`wx.request ${url}: request:fail ${reason} (the browser reached no server, or the server does not allow this origin: CORS)`);
        throw new WxApiError(reason);
      } finally {
        clearTimeout(timer);
      }
      const header: Record<string, string> = {};
      response.headers.forEach((value, key) => {
        header[key] = value;
      });
      const text = await response.text();
      let data: unknown = text;
      if ((options.dataType ?? 'json') === 'json') {
        try {
          data = JSON.parse(text);
        } catch {
          data = text;
        }
      }
      return { data, statusCode: response.status, header, cookies: [] };
    });
    if (result) return result;
    const noop = () => undefined;
    return {
      abort: () => controller.abort(),
      onHeadersReceived: noop,
      offHeadersReceived: noop,
      onChunkReceived: noop,
      offChunkReceived: noop,
    };
  };
}
