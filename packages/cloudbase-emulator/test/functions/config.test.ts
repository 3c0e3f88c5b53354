import { functionSettingsFrom } from '../../src/functions/config';

const cloudbaserc = JSON.stringify({
  envId: '{{env.ENV_ID}}',
  functions: [
    { name: 'login', timeout: 5, memorySize: 128, runtime: 'Nodejs16.13', envVariables: { GREETING: 'hi', RETRIES: 3 } },
    { name: 'other' },
  ],
});

describe('function settings from cloudbaserc.json', () => {
  it('given a declared function, reads its timeout (seconds), memory and variables', () => {
    expect(functionSettingsFrom(cloudbaserc, 'login')).toEqual({
      timeoutMs: 5000,
      memoryMb: 128,
      envVariables: { GREETING: 'hi', RETRIES: '3' },
    });
  });

  it('given a function declared without settings or not declared, answers the defaults', () => {
    expect(functionSettingsFrom(cloudbaserc, 'other')).toEqual({ envVariables: {} });
    expect(functionSettingsFrom(cloudbaserc, 'missing')).toEqual({ envVariables: {} });
  });

  it('given malformed text or shapes, answers the defaults instead of throwing', () => {
    expect(functionSettingsFrom('{ not json', 'login')).toEqual({ envVariables: {} });
    expect(functionSettingsFrom('{"functions": {"name": "login"}}', 'login')).toEqual({ envVariables: {} });
    expect(functionSettingsFrom('{"functions": [{"name": "login", "timeout": "5", "envVariables": [1]}]}', 'login')).toEqual({
      envVariables: {},
    });
  });
});

describe('functionSettingsFrom with {{env.NAME}} templates', () => {
  const templated = JSON.stringify({
    functions: [{ name: 'push', envVariables: { TOKEN: '{{env.PUSH_TOKEN}}', MISSING: '{{ env.NOT_SET }}', PLAIN: 'x' } }],
  });

  it('fills a template from the variables given, and leaves out one without a value (as a deploy would fail to set it)', () => {
    expect(functionSettingsFrom(templated, 'push', { PUSH_TOKEN: 't0k' })).toEqual({ envVariables: { TOKEN: 't0k', PLAIN: 'x' } });
  });
});
