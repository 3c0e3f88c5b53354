/**
 * The emulator's `wx.openApi` action: what `cloud.openapi.*` reaches through CloudBase.
 *
 * Request (multipart, see wire.ts): `apiName` such as 'phonenumber.getPhoneNumber', and
 * `requestData`, a protobuf CommApiData holding the call's parameters as snake_case key/JSON pairs.
 * Answer: raw protobuf CommOpenApiResp whose respData is WeChat's JSON. WeChat errors travel inside
 * that JSON (errcode ≠ 0), exactly as the real service sends them, so the unmodified SDK throws the
 * errCode production code sees. The wxacode images answer bytes with an image content type, which
 * the SDK returns as `{ contentType, buffer }`.
 *
 * Implemented: phonenumber.getPhoneNumber (phone-number.ts), security.msgSecCheck (msg-sec-check.ts),
 * wxacode.get / getUnlimited / createQRCode (wxacode.ts), and plausible answers for the message,
 * link and check APIs (plausible-apis.ts). Any other API answers WeChat's 48001 naming the API;
 * only a call that is not an open-API call at all (another apiType) answers -604100 "API not found".
 */
import { ServiceError, type AdminRequest, type AdminReply, type EmulatorModule } from '../core/module';
import { msgSecCheck, DEFAULT_REVIEW_WORDS, DEFAULT_RISKY_WORDS, type CheckWords } from './msg-sec-check';
import { createPhoneNumberApi, DEFAULT_PHONE_FAILURE_CODES, PHONE_CODE_TTL_MS } from './phone-number';
import { notImplemented, PLAUSIBLE_APIS } from './plausible-apis';
import { API_TYPE, decodeOpenApiCall, encodeOpenApiResponse, type OpenApiCall, type OpenApiResponse } from './wire';
import { wxacode, type BinaryAnswer } from './wxacode';

export { DEFAULT_PHONE_FAILURE_CODES, PHONE_CODE_TTL_MS } from './phone-number';
export { DEFAULT_REVIEW_WORDS, DEFAULT_RISKY_WORDS } from './msg-sec-check';

/** The appid in answers (getPhoneNumber's watermark) when the call names none. */
export const DEFAULT_APPID = 'wx0000000000000000';

/** wx-server-sdk: ERR_CODE.WX_FUNCTIONS_SERVER_OPENAPI_NOT_FOUND, "API not found". */
export const OPENAPI_NOT_FOUND = -604100;

export interface OpenApiOptions {
  /**
   * Extra getPhoneNumber codes: code -> phone ('13800138000', or '+<cc>-<digits>'). Each works once.
   * Without configuration `phone:<number>` codes work (see phone-number.ts).
   */
  phoneCodes?: Record<string, string>;
  /**
   * getPhoneNumber codes that always fail with a WeChat errcode. Merged over
   * DEFAULT_PHONE_FAILURE_CODES ('quota-daily' 45009, 'quota-minute' 45011,
   * 'api-unauthorized' 48001, 'invalid-appid' 40013, 'no-quota' 1400001); `fail:<errcode>` always works too.
   */
  phoneFailureCodes?: Record<string, number>;
  /** msgSecCheck words that make a text 'risky'. Default DEFAULT_RISKY_WORDS. */
  riskyWords?: string[];
  /** msgSecCheck words that make a text 'review'. Default DEFAULT_REVIEW_WORDS. */
  reviewWords?: string[];
  /**
   * The appid in watermarks when the calling invocation's own appid is unknown (a call from a test
   * or script rather than a function run with a caller). Default DEFAULT_APPID.
   */
  appid?: string;
  /** Lifetime of timed phone codes. Default PHONE_CODE_TTL_MS (WeChat: 5 minutes). */
  phoneCodeTtlMs?: number;
  /** Clock (ms since the epoch). Default Date.now. */
  now?: () => number;
}

export interface OpenApiModule extends EmulatorModule {
  /**
   * Mints a getPhoneNumber code for `phone`, valid once within the code lifetime: what the
   * preview's `<button open-type="getPhoneNumber">` hands to the page.
   */
  issuePhoneCode(phone: string): string;
}

/** How the server lets the module see who is calling; not user configuration. */
export interface OpenApiWiring {
  /** The appid (WX_APPID) the invocation runs with, or undefined when unknown. */
  callerAppid?: (invocationId: string) => string | undefined;
}

type ApiImplementation = (call: OpenApiCall, callerAppid: string) => unknown | Promise<unknown>;

function isBinary(answer: unknown): answer is BinaryAnswer {
  return typeof answer === 'object' && answer !== null && (answer as BinaryAnswer).kind === 'binary';
}

export function createOpenApi(options: OpenApiOptions = {}, wiring: OpenApiWiring = {}): OpenApiModule {
  const now = options.now ?? Date.now;
  const appid = options.appid ?? DEFAULT_APPID;
  const phone = createPhoneNumberApi({
    phoneCodes: options.phoneCodes ?? {},
    failureCodes: { ...DEFAULT_PHONE_FAILURE_CODES, ...options.phoneFailureCodes },
    ttlMs: options.phoneCodeTtlMs ?? PHONE_CODE_TTL_MS,
    now,
  });
  const words: CheckWords = {
    risky: options.riskyWords ?? DEFAULT_RISKY_WORDS,
    review: options.reviewWords ?? DEFAULT_REVIEW_WORDS,
  };

  const apis: Record<string, ApiImplementation> = {
    // WeChat watermarks with the appid the code was issued to: the calling mini-program's, or
    // the resource-sharing appid the call names.
    'phonenumber.getPhoneNumber': (call, callerAppid) => phone.getPhoneNumber(call.params, call.appid || callerAppid),
    'security.msgSecCheck': (call) => msgSecCheck(call.params, words),
    'wxacode.get': (call) => wxacode('get', call.params),
    'wxacode.getUnlimited': (call) => wxacode('getUnlimited', call.params),
    'wxacode.createQRCode': (call) => wxacode('createQRCode', call.params),
  };
  for (const [name, answer] of Object.entries(PLAUSIBLE_APIS)) apis[name] = (call) => answer(call.params);

  async function openApi(request: AdminRequest): Promise<AdminReply> {
    const apiName = request.body['apiName'];
    if (typeof apiName !== 'string' || apiName === '') {
      throw new ServiceError('INVALID_PARAM', 'wx.openApi: apiName is required');
    }
    const call = decodeCall(request);
    const callerAppid = (request.invocationId && wiring.callerAppid?.(request.invocationId)) || appid;
    let response: OpenApiResponse;
    if (call.apiType !== API_TYPE.OPEN_API) {
      response = { errorCode: OPENAPI_NOT_FOUND };
    } else {
      const implementation = apis[apiName];
      const answer = implementation ? await implementation(call, callerAppid) : notImplemented(apiName);
      response = isBinary(answer) ? { binary: { contentType: answer.contentType, bytes: answer.bytes } } : { json: answer };
    }
    const body = encodeOpenApiResponse(response);
    // Not 'application/json; charset=utf-8': node-sdk would JSON.parse a body with that exact type.
    return { kind: 'raw', contentType: 'application/octet-stream', body };
  }

  return {
    name: 'openapi',
    actions: { 'wx.openApi': openApi },
    issuePhoneCode: (phoneNumber) => phone.issueCode(phoneNumber),
  };
}

/**
 * `requestData` is a Buffer in the SDK's form, sent as a part with content type
 * application/octet-stream and no filename. Accept it as a file part, or as a body field the
 * server kept as bytes or as a latin1 (byte-per-char) string.
 */
function requestDataBytes(request: AdminRequest): Buffer | null {
  const file = request.files['requestData'];
  if (file) return file;
  const field = request.body['requestData'];
  if (Buffer.isBuffer(field)) return field;
  if (field instanceof Uint8Array) return Buffer.from(field);
  if (typeof field === 'string') return Buffer.from(field, 'latin1');
  return null;
}

function decodeCall(request: AdminRequest): OpenApiCall {
  const bytes = requestDataBytes(request);
  if (!bytes) throw new ServiceError('INVALID_PARAM', 'wx.openApi: requestData is required');
  try {
    return decodeOpenApiCall(bytes);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ServiceError('INVALID_PARAM', `wx.openApi: requestData is not a CommApiData message (${reason})`);
  }
}
