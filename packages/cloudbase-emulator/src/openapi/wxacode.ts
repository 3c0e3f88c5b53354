/**
 * `wxacode.get`, `wxacode.getUnlimited` and `wxacode.createQRCode`: WeChat answers them with the
 * image's bytes (not JSON), which wx-server-sdk hands back as `{ contentType, buffer }`.
 *
 * A real mini-program code is WeChat's round 「小程序码」 that only WeChat can read; locally the
 * answer is a PNG QR code that any scanner (or a test) reads, holding what the real code would
 * open: the page path (get, createQRCode), or `page?scene=<scene>` (getUnlimited). Drawn by the
 * `qrcode` package, honouring `width`, `line_color` (when `auto_color` is off) and `is_hyaline`
 * (a transparent background). Parameter errors answer WeChat's errcodes as JSON, as WeChat does.
 */
import type { QRCodeToBufferOptions } from 'qrcode';
import { wxError, type WxErrorBody } from './wechat-errors';

/** Bytes answered instead of JSON. */
export interface BinaryAnswer {
  kind: 'binary';
  contentType: string;
  bytes: Buffer;
}

/** WeChat: width 280..1280 px, default 430. */
const DEFAULT_WIDTH = 430;
const MIN_WIDTH = 280;
const MAX_WIDTH = 1280;
/** WeChat: path at most 1024 characters (get), 128 (createQRCode); scene at most 32 visible characters. */
const MAX_PATH = { get: 1024, createQRCode: 128, getUnlimited: 1024 } as const;
const MAX_SCENE = 32;
/** Characters WeChat allows in a scene: digits, letters and !#$&'()*+,/:;=?@-._~ */
const SCENE_CHARS = /^[0-9A-Za-z!#$&'()*+,/:;=?@\-._~]*$/;
const DEFAULT_PAGE = 'pages/index/index';
/**
 * One PNG row filter (Up: each byte minus the one above) instead of trying all five on every row.
 * A QR code's rows repeat module after module, so Up leaves mostly zeros; the file is a few KB
 * larger than with Paeth, and both encoding and decoding stay plain loops. Paeth calls a predictor
 * per byte, which inside a test runner's sandbox (slow typed-array access) cost most of a second
 * per code drawn and per code read. qrcode hands these to pngjs as they are; its types name only
 * the deflate options.
 */
const PNG_OPTIONS = { filterType: 2 } as QRCodeToBufferOptions['rendererOpts'];

export type WxacodeApi = 'get' | 'getUnlimited' | 'createQRCode';

function param(params: Record<string, unknown>, snake: string, camel: string): unknown {
  return params[snake] !== undefined ? params[snake] : params[camel];
}

function lineColor(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return null;
  const { r, g, b } = value as Record<string, unknown>;
  const channel = (channelValue: unknown): string | null => {
    const number = Number(channelValue);
    return Number.isInteger(number) && number >= 0 && number <= 255 ? number.toString(16).padStart(2, '0') : null;
  };
  const [red, green, blue] = [channel(r), channel(g), channel(b)];
  return red && green && blue ? `#${red}${green}${blue}` : null;
}

/** What the code opens, or WeChat's error for the parameters. */
export function wxacodeContent(api: WxacodeApi, params: Record<string, unknown>): { text: string } | WxErrorBody {
  if (api === 'getUnlimited') {
    const scene = params['scene'];
    if (typeof scene !== 'string' || scene === '' || scene.length > MAX_SCENE || !SCENE_CHARS.test(scene)) return wxError(40169);
    const page = params['page'];
    if (page !== undefined && (typeof page !== 'string' || page.startsWith('/') || page.length > MAX_PATH.getUnlimited))
      return wxError(41030);
    return { text: `${typeof page === 'string' && page !== '' ? page : DEFAULT_PAGE}?scene=${encodeURIComponent(scene)}` };
  }
  const path = params['path'];
  if (typeof path !== 'string' || path === '' || path.length > MAX_PATH[api]) return wxError(40159);
  return { text: path };
}

export async function wxacode(api: WxacodeApi, params: Record<string, unknown>): Promise<BinaryAnswer | WxErrorBody> {
  const content = wxacodeContent(api, params);
  if ('errcode' in content) return content;
  const requested = Number(param(params, 'width', 'width') ?? DEFAULT_WIDTH);
  const width = Number.isFinite(requested) ? Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, Math.round(requested))) : DEFAULT_WIDTH;
  const autoColor = param(params, 'auto_color', 'autoColor') === true;
  const dark = (!autoColor && lineColor(param(params, 'line_color', 'lineColor'))) || '#000000';
  const hyaline = param(params, 'is_hyaline', 'isHyaline') === true;
  // Loaded by the first code drawn: qrcode and pngjs are not needed to start the emulator.
  const QRCode = require('qrcode') as typeof import('qrcode');
  const bytes = await QRCode.toBuffer(content.text, {
    type: 'png',
    width,
    margin: 2,
    errorCorrectionLevel: 'M',
    color: { dark, light: hyaline ? '#ffffff00' : '#ffffff' },
    // A copy: qrcode writes the image size into it.
    rendererOpts: { ...PNG_OPTIONS },
  });
  return { kind: 'binary', contentType: 'image/png', bytes };
}
