/**
 * `npm run admin -- phone-usage` against the local emulator: phone checks made through the BUILT
 * login function (the emulator's phonenumber.getPhoneNumber trades the test codes), counted per day
 * and priced by the admin command through the unmodified wx-server-sdk.
 */
import cloud from 'wx-server-sdk';
import { createEmulator, type Caller, type Emulator } from '@wx-cloud-login/cloudbase-emulator';
import { phoneCheckDay } from '../../cloudfunctions/login/src/rules/phone-check';
import { runAdminAt } from './support/admin';

let emulator: Emulator;
const saved = { ...process.env };
const caller = (name: string): Caller => ({ openid: `o-${name}`, appid: 'wx-usage-app' });

async function call(name: string, event: Record<string, unknown>): Promise<{ ok: boolean; error?: { code: string } }> {
  const invocation = await emulator.callFunction('login', event, caller(name));
  return invocation.result as { ok: boolean; error?: { code: string } };
}

beforeAll(async () => {
  emulator = await createEmulator({ memory: true });
  Object.assign(process.env, emulator.sdkEnv());
  cloud.init({ env: emulator.env });
});

afterAll(async () => {
  await emulator?.close();
  process.env = saved;
});

describe('npm run admin -- phone-usage', () => {
  it('given no check yet, says so', async () => {
    const shown = await runAdminAt(emulator.url, ['phone-usage']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('还没有成功的手机号验证记录');
  });

  it('counts the successful quick and real-time checks of the function per day, not the failed ones, and prices them', async () => {
    for (const name of ['a', 'b', 'c']) expect((await call(name, { action: 'login' })).ok).toBe(true);
    expect((await call('a', { action: 'bindPhone', code: 'phone:13800000001' })).ok).toBe(true);
    expect((await call('b', { action: 'bindPhone', code: 'phone:13800000002', kind: 'realtime' })).ok).toBe(true);
    // Bound to a: a billed check that ends in a link offer still counts.
    const again = `phone:13800000001:${Date.now()}-c1`;
    expect((await call('c', { action: 'bindPhone', code: again, kind: 'realtime' })).error?.code).toBe('PHONE_BELONGS_TO_ANOTHER_ACCOUNT');
    // WeChat refused (no quota): nothing billed, nothing counted.
    expect((await call('c', { action: 'bindPhone', code: 'no-quota', kind: 'realtime' })).error?.code).toBe('PHONE_QUOTA_EXCEEDED');

    const json = await runAdminAt(emulator.url, ['phone-usage', '--json']);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as { rows: unknown[]; total: unknown; trialLeft: unknown };
    expect(report.rows).toEqual([
      { day: phoneCheckDay(new Date()), checks: { quick: 1, realtime: 2 }, trial: { quick: 1, realtime: 2 }, costFen: 0 },
    ]);
    expect(report.trialLeft).toEqual({ quick: 999, realtime: 998 });

    const table = await runAdminAt(emulator.url, ['phone-usage']);
    expect(table.stdout).toMatch(/日期\s+快速验证\s+实时验证\s+其中体验额度\s+估算费用/);
    expect(table.stdout).toContain('¥0.00');
    expect(table.stdout).toContain('快速验证 ¥0.03/次，实时验证 ¥0.04/次');
    expect(table.stdout).not.toContain('13800000001');
  });

  it('refuses extra arguments', async () => {
    expect((await runAdminAt(emulator.url, ['phone-usage', 'today'])).code).toBe(2);
  });
});
