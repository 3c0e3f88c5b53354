import { chainedSource, invocationEnvironment, scfContext } from '../../src/functions/context';

describe('invocation environment', () => {
  it('given a mini-program caller, sets the WX_ variables, lists them in WX_CONTEXT_KEYS with the API token, and the source', () => {
    const env = invocationEnvironment({ invocationId: 'inv-1', caller: { openid: 'o1', appid: 'wx1', unionid: 'u1' }, env: 'dev-1' });

    expect(env).toMatchObject({ WX_OPENID: 'o1', WX_APPID: 'wx1', WX_UNIONID: 'u1', WX_API_TOKEN: 'inv-1', WX_CLIENTIP: '127.0.0.1' });
    expect(env['WX_CONTEXT_KEYS']?.split(',').sort()).toEqual(['WX_API_TOKEN', 'WX_APPID', 'WX_CLIENTIP', 'WX_OPENID', 'WX_UNIONID']);
    expect(env).toMatchObject({ TCB_SOURCE: 'wx_client', TCB_ENV: 'dev-1', SCF_NAMESPACE: 'dev-1' });
  });

  it('given a caller without unionid or openid, leaves those variables out as production does', () => {
    const env = invocationEnvironment({ invocationId: 'inv-2', caller: { appid: 'wx1', source: 'wx_http' }, env: 'dev-1' });

    expect(env).not.toHaveProperty('WX_UNIONID');
    expect(env).not.toHaveProperty('WX_OPENID');
    expect(env['WX_CONTEXT_KEYS']).not.toMatch(/OPENID|UNIONID/);
    expect(env['TCB_SOURCE']).toBe('wx_http');
  });

  it('given a function called by another function, chains the source', () => {
    expect(chainedSource('wx_client')).toBe('wx_client,scf');
    expect(chainedSource(undefined)).toBe('scf');
  });
});

describe('SCF context', () => {
  it('given an invocation, carries its request id, limits and environment like SCF', () => {
    const context = scfContext({
      invocationId: 'inv-1',
      functionName: 'login',
      env: 'dev-1',
      memoryMb: 256,
      timeoutMs: 3000,
      environment: { A: '1' },
    });

    expect(context).toMatchObject({
      request_id: 'inv-1',
      function_name: 'login',
      namespace: 'dev-1',
      memory_limit_in_mb: 256,
      time_limit_in_ms: 3000,
    });
    expect(JSON.parse(context['environment'] as string)).toEqual({ A: '1' });
  });
});
