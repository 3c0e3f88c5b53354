/**
 * 「用手机号找回账号」 through the real wx-server-sdk against the emulator, with the BUILT login
 * function: asked without an account, it creates nothing; the person's yes (a login, then
 * confirmLink with the ticket) binds the verified number without a second trade.
 */
import { createEmulator, type Caller, type Emulator } from '@wx-cloud-login/cloudbase-emulator';

let emulator: Emulator;
const caller = (name: string): Caller => ({ openid: `o-${name}`, appid: 'wx-find-app', unionid: `u-${name}` });

type Answer = { ok: boolean; data?: Record<string, unknown>; error?: { code: string } };
async function call(name: string, event: Record<string, unknown>): Promise<Answer> {
  return (await emulator.callFunction('login', event, caller(name))).result as Answer;
}
const code = (phone: string) => emulator.openapi.issuePhoneCode(phone);
const documents = (collection: string) => emulator.database.documents(collection);

beforeAll(async () => {
  emulator = await createEmulator({ memory: true });
});

afterAll(async () => {
  await emulator?.close();
});

describe('findAccountByPhone through the emulator', () => {
  it('given a WeChat without an account and a number nobody holds, creates nothing; 注册 then binds it with the same ticket', async () => {
    const found = await call('newcomer', { action: 'findAccountByPhone', code: code('13800000201'), kind: 'realtime' });

    expect(found).toMatchObject({ ok: true, data: { found: 'none', maskedPhoneNumber: '138****0201', hasAccount: false } });
    expect(documents('users')).toHaveLength(0);
    expect(documents('identities')).toHaveLength(0);
    expect(documents('account_audit').filter((entry) => entry['type'] === 'phone-check')).toEqual([
      expect.objectContaining({ kind: 'realtime' }),
    ]);

    expect((await call('newcomer', { action: 'login' })).ok).toBe(true);
    const bound = await call('newcomer', { action: 'confirmLink', ticket: found.data?.['ticket'] });
    expect(bound).toMatchObject({ ok: true, data: { user: { hasPhone: true, maskedPhoneNumber: '138****0201' } } });
    expect(documents('account_audit').filter((entry) => entry['type'] === 'phone-check')).toHaveLength(1);
  });

  it('given a number of another account, offers to link just this WeChat; confirmed after the login, this WeChat signs in to that account', async () => {
    expect((await call('owner', { action: 'login' })).ok).toBe(true);
    const bound = await call('owner', { action: 'bindPhone', code: code('13800000202') });
    const ownerId = (bound.data?.['user'] as { id: string } | undefined)?.id;
    expect(ownerId).toEqual(expect.any(String));
    const usersBefore = documents('users').length;

    const found = await call('new-wechat', { action: 'findAccountByPhone', code: code('13800000202') });
    expect(found).toMatchObject({
      ok: true,
      data: { found: 'account', offer: { preview: { target: { maskedPhoneNumber: '138****0202' } } } },
    });
    expect(documents('users')).toHaveLength(usersBefore);

    expect((await call('new-wechat', { action: 'login' })).ok).toBe(true);
    const ticket = (found.data?.['offer'] as { ticket: string } | undefined)?.ticket;
    expect(await call('new-wechat', { action: 'confirmLink', ticket })).toMatchObject({ ok: true, data: { user: { id: ownerId } } });
    expect((await call('new-wechat', { action: 'login' })).data).toMatchObject({ user: { id: ownerId }, isNewUser: false });
  });

  it("another WeChat cannot use someone's ticket", async () => {
    const found = await call('asker', { action: 'findAccountByPhone', code: code('13800000203') });
    expect((await call('thief', { action: 'login' })).ok).toBe(true);
    expect((await call('thief', { action: 'confirmLink', ticket: found.data?.['ticket'] })).error?.code).toBe('LINK_TICKET_NOT_YOURS');
  });
});
