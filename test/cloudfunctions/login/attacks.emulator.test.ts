/**
 * The attack classes through the BUILT function, the unmodified wx-server-sdk and the emulator:
 * a slice of the seeded fuzz run (support/fuzz.ts; the full run is fuzz.test.ts on the memory
 * store), and a fault sweep of the actions with steps outside a transaction (deleteAccount,
 * confirmLink, bindPhone), failing database or storage request k for k = 1..n — before it applies,
 * and after it applied with its reply lost, what the memory store cannot show
 * (fault-sweep.test.ts fails every request of every action before it applies). The cleanup paths
 * are followed by their recovery (the retry, the next login, the next 注销): nothing may be left, and
 * no OK may be answered with cleanup that is not recorded.
 */
import { EJSON } from 'bson';
import type { Result } from '../../../typings/contract';
import { createEmulator, type Caller, type Emulator, type EmulatorCheckpoint } from '@wx-cloud-login/cloudbase-emulator';
import { RATE_LIMITS } from '../../../cloudfunctions/login/src/rules/rate-limit';
import { FUZZ_PHONES, fuzzPeople, PLANTED_SESSION_KEY, runFuzz } from './support/fuzz';

let emulator: Emulator;

beforeAll(async () => {
  emulator = await createEmulator({ memory: true });
});

afterAll(async () => {
  await emulator?.close();
});

const COLLECTIONS = ['users', 'identities', 'link_tickets', 'account_audit'];
/** Database requests that change something when they apply. */
const WRITES =
  /^(database\.(insertDocument|modifyDocument|modifyAndReturnDoc|removeDocument|commitTransaction|addCollection)|storage\.batchDeleteFile)$/;
const docs = (collection: string) => emulator.database.documents(collection);

async function call(caller: Caller, event: unknown): Promise<Result<unknown>> {
  const invocation = await emulator.callFunction('login', event, caller);
  if (invocation.error) throw new Error(`login did not run: ${invocation.error.message}`);
  return invocation.result as Result<unknown>;
}

describe('fuzzing the login function through the emulator', () => {
  it('150 seeded events: envelopes of public fields, no secret, no refused input writes', async () => {
    const people = fuzzPeople();
    await emulator.database.importCollection(
      'users',
      EJSON.stringify({ _id: 'legacy-fuzz', _openid: people[2]?.openid, session_key: PLANTED_SESSION_KEY, nickName: '老用户' }),
    );
    const secrets = [
      ...people.flatMap((person) => [person.openid, person.unionid ?? person.openid]),
      ...FUZZ_PHONES.map((phone) => phone.replace(/^\+\d+-/, '')),
    ];

    const report = await runFuzz(
      {
        invoke: (identity, event) => call(identity ?? { appid: 'wx-fuzz-app' }, event),
        codeFor: (phone) => emulator.openapi.issuePhoneCode(phone),
        makeFile: (cloudPath) => emulator.storage.write(cloudPath, Buffer.from('png'), 'image/png'),
        fileIdFor: (cloudPath) => emulator.storage.fileIdFor(cloudPath),
        snapshot: async () => JSON.stringify(COLLECTIONS.map(docs)),
      },
      { seed: 7, count: 150, people, secrets: [...secrets, PLANTED_SESSION_KEY] },
    );

    expect(report.problems).toEqual([]);
    expect(
      ['ok:login', 'ok:bindPhone', 'ok:listIdentities', 'INVALID_ARGUMENT'].filter((outcome) => !report.outcomes.has(outcome)),
    ).toEqual([]);
    expect(report.outcomes.get('INTERNAL')).toBeUndefined();
  }, 60_000);
});

let people = 0;
function person(name: string): Required<Pick<Caller, 'openid' | 'appid' | 'unionid'>> {
  people += 1;
  return { openid: `o-${name}-${people}`, appid: 'wx-attack-app', unionid: `u-${name}-${people}` };
}

/** Identities and users that disagree, and accounts left 'deleting' (unless a deletion may resume). */
function halfWritten(allowDeleting = false): string[] {
  const users = new Map(docs('users').map((user) => [user._id, user]));
  const dangling = docs('identities')
    .filter((identity) => {
      const keys = users.get(identity.userId)?.identityKeys;
      return !(Array.isArray(keys) && keys.includes(identity._id));
    })
    .map((identity) => `identity ${String(identity._id)}`);
  const deleting = [...users.values()].filter((user) => user.status === 'deleting').map((user) => `deleting ${String(user._id)}`);
  return [...dangling, ...(allowDeleting ? [] : deleting)];
}

/** What the database records as still to clean up: account lists and deletion entries (files, `data:<id>`). */
function recordedCleanup(): Set<string> {
  const recorded = new Set<string>();
  for (const user of docs('users')) {
    for (const fileID of (user.filesToDelete as string[] | undefined) ?? []) recorded.add(fileID);
    for (const id of (user.pendingDataMoves as string[] | undefined) ?? []) recorded.add(`data:${id}`);
  }
  for (const entry of docs('account_audit')) {
    for (const fileID of (entry.pendingFileIDs as string[] | undefined) ?? []) recorded.add(fileID);
    for (const id of (entry.pendingUserIds as string[] | undefined) ?? []) recorded.add(`data:${id}`);
  }
  return recorded;
}

async function addNote(caller: Caller, text: string): Promise<void> {
  const invocation = await emulator.callFunction('notes', { action: 'add', text }, caller);
  if (!(invocation.result as { ok?: boolean } | undefined)?.ok) throw new Error(`notes add failed: ${JSON.stringify(invocation.result)}`);
}

interface Prepared {
  caller: Caller;
  event: () => unknown;
  /** The action's effect (its cleanup aside) is all there. */
  done: () => boolean;
  /** Cleanup still owed (files, `data:<owner>`): recorded after an OK, none after the retry and the recovery. */
  leftovers?: () => string[];
  /** A failed call may leave a deletion begun and resumable (status 'deleting'). */
  resumable?: boolean;
}

interface SweepCase {
  name: string;
  /** 'before' is swept for every action on the memory store (fault-sweep.test.ts); here too for the cleanup paths. */
  modes: ReadonlyArray<'before' | 'after'>;
  prepare(): Promise<Prepared>;
  /** Answers a retry may give once the effect landed before (its reply was lost). */
  afterLanded: string[];
}

/** The recovery paths after the person's retry: their next login, and the next 注销 anyone makes (it sweeps leftovers). */
async function recover(caller: Caller): Promise<void> {
  await call(caller, { action: 'login' });
  const other = person('sweeper');
  await call(other, { action: 'login' });
  await call(other, { action: 'deleteAccount', confirm: true });
}

const cases: SweepCase[] = [
  {
    name: 'deleteAccount',
    modes: ['before', 'after'],
    async prepare() {
      const caller = person('leaver');
      const { data } = (await call(caller, { action: 'login' })) as { data: { user: { id: string } } };
      await call(caller, { action: 'bindPhone', code: emulator.openapi.issuePhoneCode(`139${String(people).padStart(8, '0')}`) });
      const fileID = await emulator.storage.write(`avatars/${data.user.id}/a.png`, Buffer.from('png'), 'image/png');
      await call(caller, { action: 'updateProfile', avatarFileID: fileID });
      await addNote(caller, '要注销的笔记');
      const id = data.user.id;
      return {
        caller,
        event: () => ({ action: 'deleteAccount', confirm: true }),
        done: () => !docs('users').some((user) => user._id === id) && !docs('identities').some((identity) => identity.userId === id),
        leftovers: () => [
          ...(emulator.storage.list().some((file) => file.fileID === fileID) ? [fileID] : []),
          ...(docs('notes').some((note) => note.owner === id) ? [`data:${id}`] : []),
        ],
        resumable: true,
      };
    },
    afterLanded: ['USER_NOT_FOUND'],
  },
  {
    name: 'confirmLink',
    modes: ['before', 'after'],
    async prepare() {
      const owner = person('owner');
      await call(owner, { action: 'login' });
      const phone = `136${String(people).padStart(8, '0')}`;
      const { data: ownerData } = (await call(owner, { action: 'bindPhone', code: emulator.openapi.issuePhoneCode(phone) })) as {
        data: { user: { id: string } };
      };
      const caller = person('joiner');
      const { data } = (await call(caller, { action: 'login' })) as { data: { user: { id: string } } };
      await addNote(caller, '带过去的笔记');
      const offer = (await call(caller, { action: 'bindPhone', code: emulator.openapi.issuePhoneCode(phone) })) as {
        error?: { details?: { ticket?: string } };
      };
      const ticket = offer.error?.details?.ticket;
      if (!ticket) throw new Error('no link offer');
      const source = data.user.id;
      const target = ownerData.user.id;
      return {
        caller,
        event: () => ({ action: 'confirmLink', ticket }),
        done: () => docs('users').some((user) => user._id === source && user.status === 'merged' && user.mergedInto === target),
        leftovers: () => (docs('notes').some((note) => note.owner === source) ? [`data:${source}`] : []),
      };
    },
    afterLanded: ['LINK_TICKET_USED'],
  },
  {
    name: 'updateProfile replacing the avatar',
    modes: ['before', 'after'],
    async prepare() {
      const caller = person('painter');
      const { data } = (await call(caller, { action: 'login' })) as { data: { user: { id: string } } };
      const id = data.user.id;
      const old = await emulator.storage.write(`avatars/${id}/old.png`, Buffer.from('png'), 'image/png');
      await call(caller, { action: 'updateProfile', avatarFileID: old });
      const next = await emulator.storage.write(`avatars/${id}/new.png`, Buffer.from('png'), 'image/png');
      return {
        caller,
        event: () => ({ action: 'updateProfile', avatarFileID: next }),
        done: () => docs('users').some((user) => user._id === id && user.avatarFileID === next),
        leftovers: () => (emulator.storage.list().some((file) => file.fileID === old) ? [old] : []),
      };
    },
    afterLanded: [],
  },
  {
    name: 'exportMyData replacing a stored export',
    modes: ['before', 'after'],
    async prepare() {
      const caller = person('exporter');
      const { data } = (await call(caller, { action: 'login' })) as { data: { user: { id: string } } };
      const id = data.user.id;
      // Enough notes for the export to go through storage.
      const notes = Array.from({ length: 200 }, (_, index) =>
        JSON.stringify({ _id: `note-${id}-${index}`, owner: id, text: `长笔记${index}`.padEnd(500, '记') }),
      );
      await emulator.database.importCollection('notes', notes.join('\n'));
      // Each export in a rate-limit window of its own.
      const event = () => {
        emulator.clock.set(emulator.clock.now() + RATE_LIMITS.exportMyData.windowMs);
        return { action: 'exportMyData' };
      };
      const first = (await call(caller, event())) as { data?: { file?: { fileID: string } } };
      const firstFile = first.data?.file?.fileID;
      if (!firstFile) throw new Error('expected a stored export');
      const current = () => docs('users').find((user) => user._id === id)?.personalDataFileID as string | undefined;
      const exportsOf = () => emulator.storage.list().filter((file) => file.fileID.includes(`/exports/${id}/`));
      return {
        caller,
        event,
        done: () => current() !== firstFile && exportsOf().some((file) => file.fileID === current()),
        leftovers: () => exportsOf().flatMap((file) => (file.fileID === current() ? [] : [file.fileID])),
      };
    },
    afterLanded: [],
  },
  {
    name: 'bindPhone',
    modes: ['before', 'after'],
    async prepare() {
      const caller = person('binder');
      const { data } = (await call(caller, { action: 'login' })) as { data: { user: { id: string } } };
      const phone = `137${String(people).padStart(8, '0')}`;
      return {
        caller,
        // A code works once: the person's retry gets a fresh one, as tapping the button again would.
        event: () => ({ action: 'bindPhone', code: emulator.openapi.issuePhoneCode(phone) }),
        done: () => docs('identities').some((identity) => identity._id === `phone:+86:${phone}` && identity.userId === data.user.id),
      };
    },
    afterLanded: [],
  },
];

/** The probe's requests and the prepared world of one sweep, shared by its 'before' and 'after' cases. */
interface SweepWorld {
  /** The database and storage requests of the clean probe call, in order. */
  requests: string[];
  prepared: Prepared;
  checkpoint: EmulatorCheckpoint;
}

const worlds = new Map<SweepCase, Promise<SweepWorld>>();

/**
 * Probes the action once on a world of its own (the requests to fail, and that a clean call does it all),
 * then prepares the world the faults meet, after the probe (the collections it created exist, as for every
 * point). Every point of both modes restores this world first, so one is enough for the sweep.
 */
function sweepWorld(sweep: SweepCase): Promise<SweepWorld> {
  let world = worlds.get(sweep);
  if (!world) {
    world = (async () => {
      const probe = await sweep.prepare();
      const clean = await emulator.callFunction('login', probe.event(), probe.caller);
      expect(probe.done()).toBe(true);
      expect(probe.leftovers?.() ?? []).toEqual([]);
      const requests = clean.requests.map((request) => request.action).filter((action) => /^(database|storage)\./.test(action));
      const prepared = await sweep.prepare();
      return { requests, prepared, checkpoint: await emulator.checkpoint() };
    })();
    worlds.set(sweep, world);
  }
  return world;
}

describe('a fault at every database request, through the emulator', () => {
  it.each(cases.flatMap((sweep) => sweep.modes.map((when) => [sweep.name, when, sweep] as const)))(
    '%s, failing each request %s it applies: nothing half-written, a retry finishes',
    async (_name, when, sweep) => {
      const { requests, prepared, checkpoint } = await sweepWorld(sweep);
      // Request k as (its action, its rank among requests of that action). After it applied, only a
      // write differs from a failure before it: reads are swept 'before' only.
      const targets = requests
        .map((action, index) => ({
          action,
          nth: requests.slice(0, index + 1).filter((other) => other === action).length,
          k: index + 1,
        }))
        .filter((target) => when === 'before' || WRITES.test(target.action));
      expect(targets.length).toBeGreaterThan(0);

      // Every fault meets the same prepared state, and the database does not grow with the points.
      const { caller, event, done, leftovers, resumable } = prepared;
      const failures: string[] = [];
      for (const { action, nth, k } of targets) {
        await checkpoint.restore();
        const code = action.startsWith('storage.') ? 'STORAGE_REQUEST_FAIL' : 'DATABASE_REQUEST_FAILED';
        const fault = emulator.faults.add({ action, nth, when, error: { code, message: `injected at ${k}` } });
        const failed = await call(caller, event()).finally(() => fault.remove());
        if (!failed.ok && failed.error.code !== 'INTERNAL') failures.push(`request ${k}: answered ${failed.error.code}`);
        const half = halfWritten(!failed.ok && resumable === true);
        if (half.length > 0) failures.push(`request ${k}: half-written ${half.join(' ')}`);
        if (failed.ok) {
          const recorded = recordedCleanup();
          const dropped = (leftovers?.() ?? []).filter((left) => !recorded.has(left));
          if (dropped.length > 0) failures.push(`request ${k}: answered OK with cleanup dropped: ${dropped.join(' ')}`);
        }
        const landed = done();
        const retry = await call(caller, event());
        if (!retry.ok && !(landed && sweep.afterLanded.includes(retry.error.code)))
          failures.push(`request ${k}: retry answered ${retry.error.code}`);
        if (!done()) failures.push(`request ${k}: the retry did not finish`);
        if (leftovers) {
          // The recovery sweeps what the retry left; it cannot leave anything where nothing was left.
          if (leftovers().length > 0) await recover(caller);
          const left = leftovers();
          if (left.length > 0) failures.push(`request ${k}: left after the retry and recovery: ${left.join(' ')}`);
        }
      }
      expect(failures).toEqual([]);
    },
    60_000,
  );
});
