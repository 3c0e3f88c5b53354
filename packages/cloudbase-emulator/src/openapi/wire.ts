/**
 * The protobuf messages of CloudBase's `wx.openApi` admin action, as wx-server-sdk 4.0.2 speaks them.
 *
 * The SDK posts multipart/form-data with `apiName` and `requestData`, a `CommApiData` message; the
 * service answers with the raw bytes of a `CommOpenApiResp`. The schema below restates the field
 * numbers of the SDK's generated module (`src/protobuf/openapi.js` inside its webpack bundle, which
 * is not loadable on its own). Only the fields the emulator reads or writes are declared; protobuf
 * skips the rest (InnerApiData, TokenApiData, response headers).
 */
import type { Root, Type } from 'protobufjs/light';

/** `CommApiData.ApiType`: `cloud.openapi.*` sends OPEN_API; `cloud.getOpenData` sends SVRKIT_API. */
export const API_TYPE = { OPEN_API: 0, INNER_API: 1, SVRKIT_API: 2, TOKEN_API: 3 } as const;

/** The message types, built on the first open-API call (protobufjs is not needed to start the emulator). */
let types: { CommApiData: Type; CommOpenApiResp: Type } | undefined;
function messageTypes(): { CommApiData: Type; CommOpenApiResp: Type } {
  if (types) return types;
  const { Root: ProtoRoot } = require('protobufjs/light') as { Root: typeof Root };
  const schema = ProtoRoot.fromJSON({
    nested: {
      KeyValuePair: {
        fields: {
          key: { type: 'string', id: 1 },
          value: { type: 'bytes', id: 2 },
          contenttype: { type: 'string', id: 3 },
          filename: { type: 'string', id: 4 },
        },
      },
      OpenApiData: { fields: { pairs: { rule: 'repeated', type: 'KeyValuePair', id: 1 } } },
      SvrkitApiData: {
        fields: { apiName: { type: 'string', id: 1 }, reqData: { type: 'bytes', id: 2 } },
      },
      CommApiData: {
        fields: {
          apiType: { type: 'int32', id: 1 },
          openapiData: { type: 'OpenApiData', id: 2 },
          svrkitData: { type: 'SvrkitApiData', id: 4 },
          appid: { type: 'string', id: 6 },
        },
      },
      CommOpenApiResp: {
        fields: {
          respData: { type: 'bytes', id: 1 },
          contentType: { type: 'string', id: 2 },
          errorCode: { type: 'int32', id: 3 },
          httpCode: { type: 'uint32', id: 4 },
          svrkitErrorCode: { type: 'int32', id: 6 },
        },
      },
    },
  });
  types = { CommApiData: schema.lookupType('CommApiData'), CommOpenApiResp: schema.lookupType('CommOpenApiResp') };
  return types;
}

/** A decoded `CommApiData`, with the open-API key/value pairs parsed back into values. */
export interface OpenApiCall {
  apiType: number;
  /** '' unless the caller used `cloud.openapi({ appid })` (resource sharing). */
  appid: string;
  /**
   * OPEN_API parameters by their snake_case key. The SDK JSON-encodes every value; a value that is
   * not valid JSON is kept as its text.
   */
  params: Record<string, unknown>;
}

interface DecodedPair {
  key?: string;
  value?: Uint8Array;
}

interface DecodedCommApiData {
  apiType?: number;
  appid?: string;
  openapiData?: { pairs?: DecodedPair[] };
}

/** Throws when the bytes are not a `CommApiData` message. */
export function decodeOpenApiCall(bytes: Uint8Array): OpenApiCall {
  const { CommApiData } = messageTypes();
  const message = CommApiData.toObject(CommApiData.decode(bytes), {
    defaults: true,
    arrays: true,
  }) as DecodedCommApiData;
  const params: Record<string, unknown> = {};
  for (const pair of message.openapiData?.pairs ?? []) {
    if (!pair.key) continue;
    params[pair.key] = parseJsonOrText(Buffer.from(pair.value ?? []).toString('utf8'));
  }
  return { apiType: message.apiType ?? 0, appid: message.appid ?? '', params };
}

function parseJsonOrText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export interface OpenApiResponse {
  /** WeChat's answer as JSON (most APIs, and every error). */
  json?: unknown;
  /** WeChat's answer as bytes (the wxacode images): the SDK returns `{ contentType, buffer }`. */
  binary?: { contentType: string; bytes: Buffer };
  /**
   * A WeChat-side system error (-604100 API not found, -604101 no permission ...): the SDK throws
   * it as errCode before looking at respData.
   */
  errorCode?: number;
}

/** Encodes the `CommOpenApiResp` the SDK decodes. */
export function encodeOpenApiResponse(response: OpenApiResponse): Buffer {
  const hasJson = response.json !== undefined;
  const { CommOpenApiResp } = messageTypes();
  const message = CommOpenApiResp.create({
    respData: response.binary ? response.binary.bytes : hasJson ? Buffer.from(JSON.stringify(response.json), 'utf8') : Buffer.alloc(0),
    contentType: response.binary ? response.binary.contentType : hasJson ? 'application/json' : '',
    errorCode: response.errorCode ?? 0,
    svrkitErrorCode: 0,
  });
  return Buffer.from(CommOpenApiResp.encode(message).finish());
}
