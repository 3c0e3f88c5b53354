import { createWxCloudCaller, initCloud } from '../../../miniprogram/platform/wx-cloud';
import { ServiceError } from '../../../miniprogram/services/service-error';

type CallFunction = WxCloud['callFunction'];

function cloudAnswering(answer: () => Promise<ICloud.CallFunctionResult>): { callFunction: CallFunction; calls: unknown[] } {
  const calls: unknown[] = [];
  const callFunction = ((param: unknown) => {
    calls.push(param);
    return answer();
  }) as CallFunction;
  return { callFunction, calls };
}

describe('createWxCloudCaller', () => {
  afterEach(() => jest.useRealTimers());

  it("calls the function with its data and resolves with callFunction's result", async () => {
    const cloud = cloudAnswering(async () => ({ errMsg: 'cloud.callFunction:ok', result: { ok: true } }));
    const caller = createWxCloudCaller({ timeoutMs: 1000, cloud });

    await expect(caller.call('login', { action: 'login' })).resolves.toEqual({ ok: true });
    expect(cloud.calls).toEqual([{ name: 'login', data: { action: 'login' } }]);
  });

  it('given a function deployed under another name (config FUNCTION_NAMES), calls that name and leaves the others', async () => {
    const cloud = cloudAnswering(async () => ({ errMsg: 'cloud.callFunction:ok', result: { ok: true } }));
    const caller = createWxCloudCaller({ timeoutMs: 1000, cloud, names: { login: 'wxCloudLogin' } });

    await caller.call('login', { action: 'login' });
    await caller.call('notes', { action: 'list' });
    expect(cloud.calls).toEqual([
      { name: 'wxCloudLogin', data: { action: 'login' } },
      { name: 'notes', data: { action: 'list' } },
    ]);
  });

  it('turns a wx failure into a classified ServiceError', async () => {
    const cloud = cloudAnswering(() => Promise.reject({ errMsg: 'cloud.callFunction:fail request:fail' }));
    const caller = createWxCloudCaller({ timeoutMs: 1000, cloud });

    const error: unknown = await caller.call('login', {}).catch((reason: unknown) => reason);

    expect(error).toBeInstanceOf(ServiceError);
    expect((error as ServiceError).code).toBe('NETWORK');
  });

  it('gives up with TIMEOUT when no answer comes within its limit', async () => {
    jest.useFakeTimers();
    const cloud = cloudAnswering(() => new Promise(() => undefined));
    const caller = createWxCloudCaller({ timeoutMs: 20_000, cloud });

    const pending = caller.call('login', {}).catch((reason: unknown) => reason);
    jest.advanceTimersByTime(20_000);

    expect(((await pending) as ServiceError).code).toBe('TIMEOUT');
  });
});

describe('initCloud', () => {
  const globals = globalThis as unknown as { wx?: unknown };
  const saved = globals.wx;
  afterEach(() => {
    globals.wx = saved;
  });

  function fakeCloud(): { inits: unknown[] } {
    const inits: unknown[] = [];
    globals.wx = { cloud: { DYNAMIC_CURRENT_ENV: 'the-dynamic-marker', init: (config: unknown) => inits.push(config) } };
    return { inits };
  }

  it('with an env id, initialises that env and traces the user', () => {
    const { inits } = fakeCloud();

    initCloud('prod-123');

    expect(inits).toEqual([{ env: 'prod-123', traceUser: true }]);
  });

  it('without one, uses wx.cloud.DYNAMIC_CURRENT_ENV', () => {
    const { inits } = fakeCloud();

    initCloud('');

    expect(inits).toEqual([{ env: 'the-dynamic-marker', traceUser: true }]);
  });
});
