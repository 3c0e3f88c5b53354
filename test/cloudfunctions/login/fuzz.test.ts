/**
 * The attack classes of the fuzz run, kept as a test: thousands of seeded events through the real
 * handler with the memory store (fast), asserting the envelope, the public-field allow-list, no
 * secret in any answer and no write on a refused input (support/fuzz.ts). The same generator runs a
 * smaller slice through the real wx-server-sdk on the emulator (attacks.emulator.test.ts).
 */
import { handle } from '../../../cloudfunctions/login/src/handler';
import { danglingIdentities } from './support/actions';
import { createTestDeps, TEST_INVOCATION, testFileId } from './support/deps';
import { FUZZ_PHONES, fuzzPeople, PLANTED_SESSION_KEY, runFuzz } from './support/fuzz';

const people = fuzzPeople();
/** Store methods that only read; every other call may write. */
const READS = new Set([
  // Opening a transaction writes nothing by itself: its writes count as 'tx.<method>'.
  'transaction',
  // Rate-limit counters count every ask of a limited action, refused or not (rules/rate-limit.ts):
  // they are not the account's data.
  'countUse',
  'getUser',
  'getIdentity',
  'getLinkTicket',
  'findUsersByIdentity',
  'identitiesOf',
  'usersMergedInto',
  'usersOwingDataMoves',
  'deletionsWithPendingWork',
]);
const secrets = [
  ...people.flatMap((person) => [person.openid, person.unionid ?? person.openid]),
  ...FUZZ_PHONES.map((phone) => phone.replace(/^\+\d+-/, '')),
  PLANTED_SESSION_KEY,
];

function setup() {
  const deps = createTestDeps();
  // A tutorial-era document with a session_key for one person, adopted by their first login.
  deps.store.users.set('legacy-fuzz', {
    _id: 'legacy-fuzz',
    _openid: people[2]?.openid,
    session_key: PLANTED_SESSION_KEY,
    nickName: '老用户',
  });
  const target = {
    invoke: (identity: Parameters<typeof handle>[1], event: unknown) => handle(event, identity, deps, TEST_INVOCATION),
    codeFor: (phone: string) => deps.phone.codeFor(phone),
    async makeFile(cloudPath: string) {
      const fileID = testFileId(cloudPath);
      deps.files.files.add(fileID);
      return fileID;
    },
    fileIdFor: testFileId,
    // Cheaper than serialising the store after every event, and stricter: a refusal may not even
    // send a write (the store counts every call, transactions' operations as 'tx.<method>').
    snapshot: async () =>
      Object.entries(deps.store.calls)
        .filter(([method]) => !READS.has(method.replace(/^tx\./, '')))
        .map(([method, count]) => `${method}=${count}`)
        .sort()
        .join(','),
  };
  return { deps, target };
}

describe('fuzzing the login function (memory store)', () => {
  it.each([2, 4])('seed %i: 2000 events, every answer an envelope of public fields, no refused input writes', async (seed) => {
    const { deps, target } = setup();

    const report = await runFuzz(target, { seed, count: 2000, people, secrets });

    expect(report.problems).toEqual([]);
    // The run went deep, not only into refusals: accounts were made, linked, unlinked and deleted.
    const reached = ['ok:login', 'ok:updateProfile', 'ok:bindPhone', 'PHONE_BELONGS_TO_ANOTHER_ACCOUNT', 'ok:confirmLink'];
    reached.push('ok:listIdentities', 'ok:unlinkIdentity', 'ok:deleteAccount', 'INVALID_ARGUMENT', 'UNKNOWN_ACTION', 'UNAUTHENTICATED');
    reached.push('ok:findAccountByPhone');
    expect(reached.filter((outcome) => !report.outcomes.has(outcome))).toEqual([]);
    expect(report.outcomes.get('INTERNAL')).toBeUndefined();
    expect(danglingIdentities(deps)).toEqual([]);
    expect([...deps.store.users.values()].filter((user) => user.status === 'deleting')).toEqual([]);
    expect(Object.prototype).not.toHaveProperty('polluted');
  });
});
