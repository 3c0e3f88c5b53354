import { createAuthService } from '../../../../miniprogram/services/auth/create-auth-service';
import { isNoteData, isNotesPage } from '../../../../miniprogram/services/response-guards';
import type { ServiceError } from '../../../../miniprogram/services/service-error';
import { createFakeClock } from '../../support/fake-clock';
import { createFakeCloud, type CloudCall } from '../../support/fake-cloud';
import { createMemoryStorage } from '../../support/memory-storage';
import { failureAnswer, loginAnswer } from '../../support/users';

const NOTE = { id: 'n1', text: '买牛奶', createdAt: 1, updatedAt: 1 };

function setup(answer: (call: CloudCall) => unknown) {
  const cloud = createFakeCloud(answer);
  const service = createAuthService({
    storage: createMemoryStorage(),
    cloud,
    clock: createFakeClock(),
    scope: { envId: 'env', appId: 'wx-app' },
  });
  return { cloud, service };
}

async function rejection(promise: Promise<unknown>): Promise<ServiceError> {
  try {
    await promise;
  } catch (error) {
    return error as ServiceError;
  }
  throw new Error('expected a rejection');
}

describe('auth.call (any cloud function, the same path as callWithLogin)', () => {
  it('logs in lazily once for parallel calls to another function, then sends each event as written, with the account it holds', async () => {
    const { cloud, service } = setup(({ name }) => (name === 'login' ? loginAnswer() : { ok: true, data: { note: NOTE } }));

    await Promise.all([
      service.call('notes', { action: 'add', text: 'a' }, isNoteData),
      service.call('notes', { action: 'add', text: 'b' }, isNoteData),
    ]);

    expect(cloud.calls.map((call) => [call.name, call.data])).toEqual([
      ['login', { action: 'login' }],
      ['notes', { action: 'add', text: 'a', accountHint: 'user-1' }],
      ['notes', { action: 'add', text: 'b', accountHint: 'user-1' }],
    ]);
  });

  it('after the account changed on this device (a link answered another user), the next call names the new account', async () => {
    const { cloud, service } = setup(({ name }) =>
      name === 'login' ? loginAnswer() : { ok: true, data: { notes: [], nextCursor: null } },
    );
    await service.call('notes', { action: 'list' }, isNotesPage);
    service.saveUser({ ...loginAnswer().data.user, id: 'user-joined' });

    await service.call('notes', { action: 'list' }, isNotesPage);

    expect(cloud.calls.filter((call) => call.name === 'notes').map((call) => call.data.accountHint)).toEqual(['user-1', 'user-joined']);
  });

  it('given USER_NOT_FOUND from the function (this WeChat no longer signs in to the account), ends the session as callWithLogin does: no silent new login', async () => {
    const { cloud, service } = setup(({ name }) => (name === 'login' ? loginAnswer() : failureAnswer('USER_NOT_FOUND')));

    expect((await rejection(service.call('notes', { action: 'list' }, isNotesPage))).code).toBe('USER_NOT_FOUND');
    expect(cloud.calls.map((call) => call.name)).toEqual(['login', 'notes']);
    expect(service.currentUser()).toBeNull();
    expect(service.takeSessionNotice()).toEqual({ kind: 'signed-out', reason: 'account-gone' });
  });

  it('stops after the retry bound with AUTH_RETRY_EXHAUSTED, never a loop', async () => {
    const { cloud, service } = setup(({ name }) => (name === 'login' ? loginAnswer() : failureAnswer('UNAUTHENTICATED')));
    expect((await rejection(service.call('notes', { action: 'list' }, isNotesPage))).code).toBe('AUTH_RETRY_EXHAUSTED');
    expect(cloud.calls.map((call) => call.name)).toEqual(['login', 'notes', 'login', 'notes']);
  });

  it('rejects with the function’s own refusal (NOTE_EMPTY) and an answer off the contract with INVALID_RESPONSE', async () => {
    let answer: unknown = failureAnswer('NOTE_EMPTY');
    const { service } = setup(({ name }) => (name === 'login' ? loginAnswer() : answer));
    expect((await rejection(service.call('notes', { action: 'add', text: ' ' }, isNoteData))).code).toBe('NOTE_EMPTY');
    answer = { ok: true, data: { note: { id: 1 } } };
    expect((await rejection(service.call('notes', { action: 'add', text: 'x' }, isNoteData))).code).toBe('INVALID_RESPONSE');
  });

  it('given USER_BANNED, ends the session', async () => {
    const { service } = setup(({ name }) => (name === 'login' ? loginAnswer() : failureAnswer('USER_BANNED')));
    expect((await rejection(service.call('notes', { action: 'list' }, isNotesPage))).code).toBe('USER_BANNED');
    expect(service.currentUser()).toBeNull();
  });
});
