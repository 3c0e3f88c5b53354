import { parseAdminArgs, parseUntil } from '../../../../scripts/lib/admin/args';

const now = new Date('2026-12-02T10:00:00Z');

describe('npm run admin: command line', () => {
  it('reads a ban with its reason and an end date as the end of that day in China time', () => {
    const parsed = parseAdminArgs(['ban', 'u1', '--reason', 'spam', '--until', '2026-12-31', '--dry-run'], now, '/p');
    expect(parsed).toEqual({
      ok: true,
      command: { name: 'ban', userId: 'u1', reason: 'spam', until: new Date('2026-12-31T16:00:00Z') },
      options: expect.objectContaining({
        dryRun: true,
        json: false,
        env: null,
        url: null,
        dataDir: null,
        functionsRoot: '/p/cloudfunctions',
        limit: 20,
      }),
    });
  });

  it('reads revocations with the file resolved and the AppID required', () => {
    expect(parseAdminArgs(['revocations', 'list.csv', '--appid', 'wx1'], now, '/p')).toMatchObject({
      ok: true,
      command: { name: 'revocations', file: '/p/list.csv', appid: 'wx1' },
    });
    expect(parseAdminArgs(['revocations', 'list.csv'], now, '/p')).toMatchObject({ ok: false, message: expect.stringMatching(/--appid/) });
  });

  it('bans until lifted without --until', () => {
    const parsed = parseAdminArgs(['ban', 'u1', '--reason=abuse'], now);
    expect(parsed.ok && parsed.command).toEqual({ name: 'ban', userId: 'u1', reason: 'abuse', until: null });
  });

  it.each([
    [['ban', 'u1'], /--reason/],
    [['ban', 'u1', '--reason', 'because'], /--reason/],
    [['ban', 'u1', '--reason', 'spam', '--until', 'tomorrow'], /--until/],
    [['ban', 'u1', '--reason', 'spam', '--until', '2026-01-01'], /晚于现在/],
    [['unban'], /unban/],
    [['users', 'drop'], /users list/],
    [['user', 'show'], /user show/],
    [['users', 'list', '--reason', 'spam'], /只用于 ban/],
    [['users', 'list', '--limit', '1000'], /--limit/],
    [['users', 'list', '--env', 'e1', '--url', 'http://127.0.0.1:1'], /exclude/],
    [['users', 'list', '--colour'], /unknown option/],
    [['wipe'], /unknown command/],
    [['import', 'users'], /--appid/],
    [['import', 'users', 'extra', '--appid', 'wx1'], /import users --appid/],
    [['import', 'leancloud', 'f.json', '--appid', 'wx1', '--collection', 'users'], /只用于 import users/],
  ])('refuses %j with a message', (argv, message) => {
    const parsed = parseAdminArgs(argv, now);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.message).toMatch(message);
  });

  it('answers the usage for no command and for --help', () => {
    expect(parseAdminArgs([], now)).toEqual({ ok: false, message: '' });
    expect(parseAdminArgs(['users', 'list', '--help'], now)).toEqual({ ok: false, message: '' });
  });

  it('takes a full ISO time as given', () => {
    expect(parseUntil('2026-12-03T08:30:00+08:00', now)).toEqual(new Date('2026-12-03T00:30:00Z'));
  });

  it('delete takes --yes, and only delete does', () => {
    expect(parseAdminArgs(['delete', 'u1', '--yes'], now)).toMatchObject({
      ok: true,
      command: { name: 'delete', userId: 'u1', yes: true },
    });
    expect(parseAdminArgs(['delete', 'u1'], now)).toMatchObject({ ok: true, command: { name: 'delete', userId: 'u1', yes: false } });
    expect(parseAdminArgs(['delete'], now)).toMatchObject({ ok: false, message: expect.stringContaining('delete <用户ID> --yes') });
    expect(parseAdminArgs(['unban', 'u1', '--yes'], now)).toMatchObject({ ok: false, message: expect.stringContaining('--yes') });
  });

  it("import users reads the project's own collection: --appid required, --collection optional", () => {
    expect(parseAdminArgs(['import', 'users', '--appid', 'wx1', '--dry-run'], now)).toMatchObject({
      ok: true,
      command: { name: 'import-users', appid: 'wx1', collection: null },
      options: { dryRun: true },
    });
    expect(parseAdminArgs(['import', 'users', '--appid', 'wx1', '--collection', 'members'], now)).toMatchObject({
      ok: true,
      command: { name: 'import-users', appid: 'wx1', collection: 'members' },
    });
  });
});
