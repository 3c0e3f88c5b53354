/**
 * cloud.openapi.* through the real wx-server-sdk against the emulator: the protobuf request, the
 * raw CommOpenApiResp answer and WeChat's errcodes reaching the caller as errCode. At the end, the
 * action called directly for what the SDK cannot reach: the caller's appid from the server,
 * malformed requests, and the forms requestData may arrive in.
 */
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { Root } from 'protobufjs/light';
import { ServiceError, type AdminReply, type AdminRequest } from '../../src/core/module';
import { createOpenApi } from '../../src/openapi';
import { createEmulator, type Emulator } from '../../src/server';

type Cloud = typeof import('wx-server-sdk');

interface SdkError {
  errCode: number;
  errMsg: string;
}

async function sdkError(promise: Promise<unknown>): Promise<SdkError> {
  try {
    await promise;
  } catch (error) {
    return error as SdkError;
  }
  throw new Error('expected the SDK call to fail');
}

let emulator: Emulator;
let cloud: Cloud;

beforeAll(async () => {
  emulator = await createEmulator({
    memory: true,
    openapi: {
      appid: 'wxemulatortest01',
      phoneCodes: { 'test-phone-code': '13912345678' },
      phoneFailureCodes: { 'quota-daily-custom': 45009 },
      riskyWords: ['forbidden-fruit'],
      reviewWords: ['grey-area'],
    },
  });
  Object.assign(process.env, emulator.sdkEnv());
  // Loaded after the environment points it at the emulator, as a cloud function's would be.
  cloud = require('wx-server-sdk') as Cloud;
  // DYNAMIC_CURRENT_ENV is typed symbol, init's env string: the SDK's typing gap.
  cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV as unknown as string });
});

afterAll(async () => {
  await emulator?.close();
});

describe('openapi.phonenumber.getPhoneNumber', () => {
  it('given a phone:<number> code, returns phone_info (camelCased by the SDK) with the appid watermark', async () => {
    const result = await cloud.openapi.phonenumber.getPhoneNumber({ code: 'phone:13800138000' });
    expect(result).toMatchObject({
      errCode: 0,
      errMsg: 'openapi.phonenumber.getPhoneNumber:ok',
      phoneInfo: {
        phoneNumber: '13800138000',
        purePhoneNumber: '13800138000',
        countryCode: '86',
        watermark: { appid: 'wxemulatortest01', timestamp: expect.any(Number) },
      },
    });
  });

  it('given a configured code, returns its number once; reusing it throws errCode 40029', async () => {
    const first = await cloud.openapi.phonenumber.getPhoneNumber({ code: 'test-phone-code' });
    expect(first).toMatchObject({ phoneInfo: { purePhoneNumber: '13912345678' } });

    const reused = await sdkError(cloud.openapi.phonenumber.getPhoneNumber({ code: 'test-phone-code' }));
    expect(reused).toMatchObject({ errCode: 40029, errMsg: expect.stringContaining('getPhoneNumber:fail invalid code') });
  });

  it('given an unknown code, throws errCode 40029', async () => {
    const error = await sdkError(cloud.openapi.phonenumber.getPhoneNumber({ code: 'e31968a7f94cc5ee25fafc2aef2773f0' }));
    expect(error.errCode).toBe(40029);
  });

  it('given a fresh timed code, returns its number; an expired one throws errCode 40029', async () => {
    const code = `phone:+852-61234567:${Date.now()}-a1`;
    await expect(cloud.openapi.phonenumber.getPhoneNumber({ code })).resolves.toMatchObject({
      phoneInfo: { countryCode: '852', purePhoneNumber: '61234567' },
    });
    const expired = `phone:13800138000:${Date.now() - 5 * 60 * 1000 - 1000}`;
    expect((await sdkError(cloud.openapi.phonenumber.getPhoneNumber({ code: expired }))).errCode).toBe(40029);
  });

  it.each([
    ['quota-minute', 45011],
    ['quota-daily', 45009],
    ['quota-daily-custom', 45009],
    ['api-unauthorized', 48001],
    ['invalid-appid', 40013],
    ['fail:-1', -1],
  ])('given the failure code %s, throws errCode %i', async (code, errCode) => {
    const error = await sdkError(cloud.openapi.phonenumber.getPhoneNumber({ code }));
    expect(error.errCode).toBe(errCode);
  });
});

describe('openapi.security.msgSecCheck', () => {
  const v2 = { version: 2, scene: 2, openid: 'o-alice' };

  it('given clean text, suggests pass', async () => {
    const result = await cloud.openapi.security.msgSecCheck({ ...v2, content: '你好，世界' });
    expect(result).toMatchObject({ errCode: 0, result: { suggest: 'pass', label: 100 }, traceId: expect.any(String) });
  });

  it('given a configured risky word, suggests risky; a review word suggests review', async () => {
    await expect(cloud.openapi.security.msgSecCheck({ ...v2, content: 'a forbidden-fruit pie' })).resolves.toMatchObject({
      result: { suggest: 'risky', label: 21000 },
    });
    await expect(cloud.openapi.security.msgSecCheck({ ...v2, content: 'grey-area' })).resolves.toMatchObject({
      result: { suggest: 'review' },
    });
  });

  it('given version 2 without openid, throws errCode 40003', async () => {
    const error = await sdkError(cloud.openapi.security.msgSecCheck({ version: 2, scene: 1, content: 'x' }));
    expect(error.errCode).toBe(40003);
  });
});

describe('openapi.wxacode', () => {
  it('get answers { contentType, buffer }: a PNG whose QR code reads the page path', async () => {
    // The smallest width WeChat allows: decoding stays cheap.
    const result = await cloud.openapi.wxacode.get({ path: 'pages/index/index?from=share', width: 280 });
    expect(result).toMatchObject({ errCode: 0, errMsg: 'openapi.wxacode.get:ok', contentType: 'image/png' });
    const image = readPng(result.buffer);
    expect(image.width).toBeGreaterThanOrEqual(280);
    expect(readQr(image)).toBe('pages/index/index?from=share');
  });

  it('getUnlimited reads page?scene=<scene>; createQRCode reads the path', async () => {
    const unlimited = await cloud.openapi.wxacode.getUnlimited({ scene: 'id=42&t=a', page: 'pages/profile/index', width: 280 });
    expect(unlimited.contentType).toBe('image/png');
    expect(readQr(readPng(unlimited.buffer))).toBe('pages/profile/index?scene=id%3D42%26t%3Da');
    const qr = await cloud.openapi.wxacode.createQRCode({ path: 'pages/index/index', width: 280 });
    expect(readQr(readPng(qr.buffer))).toBe('pages/index/index');
  });

  it('honours is_hyaline (transparent background) and line_color', async () => {
    const result = await cloud.openapi.wxacode.get({
      path: 'p/a',
      width: 280,
      isHyaline: true,
      autoColor: false,
      lineColor: { r: 7, g: 193, b: 96 },
    });
    const image = readPng(result.buffer);
    expect(image.data[3]).toBe(0); // top-left pixel is background: fully transparent
    const darkPixel = [...Array(image.width * image.height).keys()].find((index) => image.data[index * 4 + 3] === 255) ?? -1;
    expect([...image.data.subarray(darkPixel * 4, darkPixel * 4 + 3)]).toEqual([7, 193, 96]);
  });

  it.each([
    ['get without path', () => cloud.openapi.wxacode.get({}), 40159],
    ['getUnlimited with a 33-character scene', () => cloud.openapi.wxacode.getUnlimited({ scene: 'x'.repeat(33) }), 40169],
    ['getUnlimited with a page starting with /', () => cloud.openapi.wxacode.getUnlimited({ scene: 'a', page: '/pages/x' }), 41030],
  ])('given %s, throws WeChat’s errCode', async (_case, call, errCode) => {
    expect((await sdkError(call())).errCode).toBe(errCode);
  });
});

describe('other open APIs', () => {
  it('subscribeMessage.send and urlscheme.generate answer as WeChat does', async () => {
    await expect(
      cloud.openapi.subscribeMessage.send({ touser: 'o_1', templateId: 'tpl', data: { thing1: { value: 'x' } } }),
    ).resolves.toMatchObject({ errCode: 0, msgid: expect.any(Number) });
    expect((await sdkError(cloud.openapi.subscribeMessage.send({ templateId: 'tpl', data: {} }))).errCode).toBe(40003);
    await expect(cloud.openapi.urlscheme.generate({})).resolves.toMatchObject({
      openlink: expect.stringMatching(/^weixin:\/\/dl\/business\/\?t=/),
    });
  });

  it('an API the emulator does not implement throws WeChat’s 48001 naming it, never -604100 API not found', async () => {
    const error = await sdkError(cloud.openapi.ocr.idcard({ type: 'photo', imgUrl: 'https://example.com/a.png' }));
    expect(error.errCode).toBe(48001);
    expect(error.errMsg).toContain('does not implement ocr.idcard');
  });
});

function readPng(buffer: Buffer): PNG {
  expect(buffer.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  expect(buffer.subarray(12, 16).toString('latin1')).toBe('IHDR');
  return PNG.sync.read(buffer);
}

function readQr(image: PNG): string | undefined {
  // Composite over white first: a transparent background has no contrast of its own.
  const rgba = new Uint8ClampedArray(image.data.length);
  for (let index = 0; index < image.data.length; index += 4) {
    const alpha = (image.data[index + 3] ?? 255) / 255;
    for (let channel = 0; channel < 3; channel++)
      rgba[index + channel] = Math.round((image.data[index + channel] ?? 0) * alpha + 255 * (1 - alpha));
    rgba[index + 3] = 255;
  }
  return jsQR(rgba, image.width, image.height)?.data;
}

// Field numbers as wx-server-sdk 4.0.2's generated src/protobuf/openapi.js declares them.
const sdkSchema = Root.fromJSON({
  nested: {
    KeyValuePair: { fields: { key: { type: 'string', id: 1 }, value: { type: 'bytes', id: 2 } } },
    OpenApiData: { fields: { pairs: { rule: 'repeated', type: 'KeyValuePair', id: 1 } } },
    CommApiData: {
      fields: { apiType: { type: 'int32', id: 1 }, openapiData: { type: 'OpenApiData', id: 2 }, appid: { type: 'string', id: 6 } },
    },
    CommOpenApiResp: {
      fields: { respData: { type: 'bytes', id: 1 }, contentType: { type: 'string', id: 2 }, errorCode: { type: 'int32', id: 3 } },
    },
  },
});

function requestData(params: Record<string, unknown>, appid = ''): Buffer {
  const type = sdkSchema.lookupType('CommApiData');
  const pairs = Object.entries(params).map(([key, value]) => ({ key, value: Buffer.from(JSON.stringify(value)) }));
  return Buffer.from(type.encode(type.create({ apiType: 0, openapiData: { pairs }, appid })).finish());
}

function adminRequest(apiName: string, data: Buffer | null, invocationId = ''): AdminRequest {
  return { action: 'wx.openApi', body: { apiName }, files: data ? { requestData: data } : {}, env: 'e', invocationId };
}

function wechatJson(reply: AdminReply): Record<string, unknown> {
  if (reply.kind !== 'raw') throw new Error('wx.openApi must answer raw protobuf');
  const type = sdkSchema.lookupType('CommOpenApiResp');
  const message = type.toObject(type.decode(reply.body)) as { respData: Uint8Array; contentType: string };
  expect(message.contentType).toBe('application/json');
  return JSON.parse(Buffer.from(message.respData).toString('utf8')) as Record<string, unknown>;
}

describe('wx.openApi action', () => {
  it('watermarks with the calling invocation’s appid when the server can tell it', async () => {
    const openapi = createOpenApi({ appid: 'wxfallback' }, { callerAppid: (id) => (id === 'inv-1' ? 'wxcaller' : undefined) });
    const call = openapi.actions?.['wx.openApi'];
    const fromFunction = await call?.(adminRequest('phonenumber.getPhoneNumber', requestData({ code: 'phone:13800000001' }), 'inv-1'));
    const fromScript = await call?.(adminRequest('phonenumber.getPhoneNumber', requestData({ code: 'phone:13800000002' })));
    const shared = await call?.(
      adminRequest('phonenumber.getPhoneNumber', requestData({ code: 'phone:13800000003' }, 'wxshared'), 'inv-1'),
    );

    expect(fromFunction && wechatJson(fromFunction)).toMatchObject({ phone_info: { watermark: { appid: 'wxcaller' } } });
    expect(fromScript && wechatJson(fromScript)).toMatchObject({ phone_info: { watermark: { appid: 'wxfallback' } } });
    expect(shared && wechatJson(shared)).toMatchObject({ phone_info: { watermark: { appid: 'wxshared' } } });
  });

  it('accepts requestData kept as a latin1 text field instead of a file part', async () => {
    const call = createOpenApi().actions?.['wx.openApi'];
    const request = adminRequest('security.msgSecCheck', null);
    request.body['requestData'] = requestData({ content: 'hi', version: 2, scene: 1, openid: 'o' }).toString('latin1');
    const reply = await call?.(request);
    expect(reply && wechatJson(reply)).toMatchObject({ errcode: 0, result: { suggest: 'pass' } });
  });

  it.each([
    ['no apiName', { ...adminRequest('', requestData({})) }],
    ['no requestData', adminRequest('phonenumber.getPhoneNumber', null)],
    ['requestData that is not protobuf', adminRequest('phonenumber.getPhoneNumber', Buffer.from([0xff, 0xff, 0xff]))],
  ])('given %s, fails with INVALID_PARAM', async (_case, request) => {
    const call = createOpenApi().actions?.['wx.openApi'];
    await expect(call?.(request)).rejects.toEqual(expect.any(ServiceError));
    await expect(call?.(request)).rejects.toMatchObject({ code: 'INVALID_PARAM' });
  });
});
