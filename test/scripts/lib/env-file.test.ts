import { isEnvId, parseDotenv, resolveEnvId } from '../../../scripts/lib/env-file';

describe('parseDotenv', () => {
  it('reads KEY=value lines, skipping comments and blanks, unquoting values', () => {
    const text = '# comment\n\nENV_ID=cloud1-abc\nexport QUOTED="a b"\nSINGLE=\'x\'\nTRAILING=v # note\n';
    expect(parseDotenv(text)).toEqual({ ENV_ID: 'cloud1-abc', QUOTED: 'a b', SINGLE: 'x', TRAILING: 'v' });
  });
});

describe('resolveEnvId', () => {
  it('prefers --env, then the ENV_ID variable, then .env', () => {
    expect(resolveEnvId({ argument: 'from-arg', environment: 'from-env', dotenv: 'ENV_ID=from-file' })).toMatchObject({
      envId: 'from-arg',
    });
    expect(resolveEnvId({ environment: 'from-env', dotenv: 'ENV_ID=from-file' })).toMatchObject({ envId: 'from-env' });
    expect(resolveEnvId({ dotenv: 'ENV_ID=from-file' })).toEqual({ envId: 'from-file', source: '.env' });
  });

  it('treats empty values (the .env.example template) as missing', () => {
    expect(resolveEnvId({ environment: '', dotenv: 'ENV_ID=\n' })).toEqual({ envId: undefined });
  });
});

describe('isEnvId', () => {
  it.each(['cloud1-9gabc123', 'prod-4g7x2b'])('accepts %s', (id) => expect(isEnvId(id)).toBe(true));
  it.each(['{{env.ENV_ID}}', 'has space', '-leading'])('rejects %s', (id) => expect(isEnvId(id)).toBe(false));
});
