/**
 * A seeded, bounded fuzzer of the login function's front door, shared by the fast run on the
 * memory store (fuzz.test.ts) and the slice through the real wx-server-sdk on the emulator
 * (attacks.emulator.test.ts). It sends a mix of well-formed and hostile events from a few known
 * people, strangers and no one, learns tickets and identity ids from the answers so that links,
 * unlinks and deletions really happen, and checks every answer:
 * - the envelope: `{ ok: true, data }` or `{ ok: false, error: { code, message, details? } }`, a
 *   listed code, `details` only on PHONE_BELONGS_TO_ANOTHER_ACCOUNT;
 * - the allow-list: every key anywhere in an answer is a key of the contract's types;
 * - no secret: no openid, unionid, session_key or raw phone number of anyone (the full number is
 *   allowed only as bindPhone's `phoneNumber`, to the person who just proved it);
 * - rejected input writes nothing: the database is unchanged after an answer that refuses.
 */
import { ERROR_CODES } from '../../../../miniprogram/contract/lists';
import type { WxIdentity } from '../../../../cloudfunctions/login/src/rules/identity';

export interface FuzzTarget {
  /** One call of the function as `identity` (null: no OPENID in the context). */
  invoke(identity: WxIdentity | null, event: unknown): Promise<unknown>;
  /** A single-use getPhoneNumber code for `phone`. */
  codeFor(phone: string): string;
  /** Stores a file at `cloudPath` and answers its fileID. */
  makeFile(cloudPath: string): Promise<string>;
  /** The fileID `cloudPath` would have, without storing anything. */
  fileIdFor(cloudPath: string): string;
  /** Every document of every collection, serialised: equal strings mean nothing was written. */
  snapshot(): Promise<string>;
}

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Openids and unionids long and distinctive enough that finding one in an answer is a leak, not chance. */
export function fuzzPeople(): WxIdentity[] {
  const id = (prefix: string, index: number) => `${prefix}FUZZ${index}q7Rk2mXv9LpWz3TyHn`;
  return [
    { appid: 'wx-fuzz-app', openid: id('o', 1), unionid: id('u', 1) },
    { appid: 'wx-fuzz-app', openid: id('o', 2), unionid: id('u', 2) },
    { appid: 'wx-fuzz-app', openid: id('o', 3) },
    { appid: 'wx-fuzz-other', openid: id('o', 4), unionid: id('u', 1) },
    { appid: 'wx-fuzz-app', openid: id('o', 5), unionid: id('u', 5) },
    { appid: 'wx-fuzz-app', openid: id('o', 6) },
  ];
}

export const FUZZ_PHONES = ['13900000001', '13900000002', '13900000003', '+1-4155550100'];
/** What a tutorial-era document of a fuzz person carries; must never come back. */
export const PLANTED_SESSION_KEY = 'SESSIONKEYq7Rk2mXv9LpWz3Ty==';

/** Every key the contract's answer types have (typings/contract.d.ts). */
/** ErrorDetailsByCode (typings/contract.d.ts): the only codes whose error carries `details`. */
const CODES_WITH_DETAILS = new Set(['PHONE_BELONGS_TO_ANOTHER_ACCOUNT', 'USER_BANNED', 'RATE_LIMITED']);

const ALLOWED_KEYS = new Set([
  'ok',
  'data',
  'error',
  'code',
  'message',
  'details',
  'retryAfterMs',
  'bannedUntil',
  'reason',
  'user',
  'isNewUser',
  'notices',
  'kind',
  'at',
  'id',
  'nickName',
  'avatarUrl',
  'createdAt',
  'lastLoginAt',
  'loginCount',
  'hasPhone',
  'maskedPhoneNumber',
  'phoneNumber',
  'identities',
  'kind',
  'display',
  'apps',
  'thisApp',
  'openPlatform',
  'linked',
  'linkedFromNickName',
  'linkedFromAvatarUrl',
  'appid',
  'current',
  'canUnlink',
  'linkedAt',
  'signedOut',
  'deleted',
  'preview',
  'ticket',
  'expiresAt',
  'target',
  'hasAvatar',
  'movingIdentities',
  'filledFields',
  'keptFields',
  'releasedPhoneNumber',
  'found',
  'offer',
  'hasAccount',
]);

/** Codes that refuse the input or the caller before anything is changed: the database must be as before. */
const REFUSALS = new Set([
  'INVALID_ARGUMENT',
  'UNKNOWN_ACTION',
  'UNAUTHENTICATED',
  'CONFIRMATION_REQUIRED',
  'NICKNAME_INVALID',
  'AVATAR_INVALID',
  'CONTENT_RISKY',
  'USER_NOT_FOUND',
  'USER_BANNED',
  'PHONE_CODE_INVALID',
  'LINK_TICKET_INVALID',
  'LINK_TICKET_NOT_YOURS',
  'LINK_TICKET_USED',
  'LINK_TICKET_EXPIRED',
  'IDENTITY_NOT_FOUND',
  'LAST_IDENTITY',
]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function unknownKeys(value: unknown, path: string, found: string[]): void {
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) unknownKeys(item, `${path}[${index}]`, found);
  } else if (isRecord(value)) {
    for (const [key, inner] of Object.entries(value)) {
      if (!ALLOWED_KEYS.has(key)) found.push(`${path}.${key}`);
      unknownKeys(inner, `${path}.${key}`, found);
    }
  }
}

/** What is wrong with one answer (empty when nothing is). */
export function answerProblems(answer: unknown, secrets: readonly string[]): string[] {
  const problems: string[] = [];
  if (!isRecord(answer) || typeof answer.ok !== 'boolean') return [`not an envelope: ${JSON.stringify(answer)?.slice(0, 200)}`];
  const keys = Object.keys(answer).sort().join(',');
  if (answer.ok && keys !== 'data,ok') problems.push(`success envelope keys ${keys}`);
  if (!answer.ok) {
    if (keys !== 'error,ok') problems.push(`failure envelope keys ${keys}`);
    const error = answer.error;
    if (!isRecord(error) || typeof error.message !== 'string' || !(ERROR_CODES as readonly unknown[]).includes(error.code)) {
      problems.push(`malformed error ${JSON.stringify(error)?.slice(0, 200)}`);
    } else if ('details' in error && !CODES_WITH_DETAILS.has(String(error.code))) {
      problems.push(`details on ${String(error.code)}`);
    }
  }
  const found: string[] = [];
  unknownKeys(answer, '', found);
  if (found.length > 0) problems.push(`keys outside the contract: ${found.join(' ')}`);
  // The full number is the owner's, in bindPhone's answer only; anywhere else it is a leak.
  const data = answer.ok && isRecord(answer.data) ? answer.data : null;
  const text = JSON.stringify(data && typeof data.phoneNumber === 'string' ? { ...answer, data: { ...data, phoneNumber: '' } } : answer);
  for (const secret of secrets) if (text.includes(secret)) problems.push(`leaks ${secret}`);
  return problems;
}

/** What the fuzzer learnt from answers so far, to build events that go deeper than refusals. */
interface World {
  tickets: string[];
  identityIds: string[];
  userIds: string[];
}

export interface FuzzReport {
  problems: string[];
  /** How often each outcome came back ('ok:login', 'PHONE_BELONGS_TO_ANOTHER_ACCOUNT', ...). */
  outcomes: Map<string, number>;
}

const HOSTILE_VALUES: unknown[] = [
  null,
  true,
  0,
  -1,
  1e308,
  Number.NaN,
  '',
  ' ',
  '\u202e反转',
  '\u0000',
  'a'.repeat(5000),
  [],
  ['login'],
  {},
  { $ne: '' },
  { $gt: null },
  { toString: 'x' },
  JSON.parse('{"__proto__": {"polluted": true}}'),
  { constructor: { prototype: { polluted: true } } },
];

const ACTIONS = [
  'login',
  'updateProfile',
  'bindPhone',
  'findAccountByPhone',
  'confirmLink',
  'listIdentities',
  'unlinkIdentity',
  'deleteAccount',
];
const BAD_ACTIONS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', '', 'LOGIN', 'login ', 'dropDatabase', '../login'];

function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)] as T;
}

function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let level = 0; level < depth; level += 1) value = { a: value };
  return value;
}

/** Runs `count` events against `target` and answers what went wrong. */
export async function runFuzz(
  target: FuzzTarget,
  options: { seed: number; count: number; people: WxIdentity[]; secrets: readonly string[] },
): Promise<FuzzReport> {
  const rand = seededRandom(options.seed);
  const world: World = { tickets: [], identityIds: [], userIds: [] };
  const report: FuzzReport = { problems: [], outcomes: new Map() };
  const chance = (p: number) => rand() < p;
  const hostile = () => (chance(0.1) ? nested(1 + Math.floor(rand() * 60)) : pick(rand, HOSTILE_VALUES));

  async function fieldFor(action: string, identityIndex: number): Promise<Record<string, unknown>> {
    const ownId = world.userIds[identityIndex];
    switch (action) {
      case 'updateProfile': {
        const payload: Record<string, unknown> = {};
        if (chance(0.6))
          payload.nickName = chance(0.7) ? pick(rand, ['小明', '云朵', ' 星星 ', '违规昵称', 'emulator-risky', 'a'.repeat(21)]) : hostile();
        if (chance(0.5)) {
          const roll = rand();
          payload.avatarFileID =
            roll < 0.4 && ownId
              ? await target.makeFile(`avatars/${ownId}/${Math.floor(rand() * 1e9).toString(36)}.png`)
              : roll < 0.55 && ownId
                ? target.fileIdFor(`avatars/${ownId}/missing.png`)
                : roll < 0.7
                  ? target.fileIdFor(`avatars/${pick(rand, world.userIds.length > 0 ? world.userIds : ['x'])}/a.png`)
                  : roll < 0.8
                    ? target.fileIdFor('private/id-card.png')
                    : hostile();
        }
        return payload;
      }
      case 'bindPhone':
      case 'findAccountByPhone':
        return {
          code: chance(0.7) ? target.codeFor(pick(rand, FUZZ_PHONES)) : chance(0.5) ? 'no-such-code' : hostile(),
          ...(chance(0.3) && { kind: chance(0.7) ? pick(rand, ['quick', 'realtime']) : hostile() }),
        };
      case 'confirmLink':
        return {
          ticket: chance(0.6) && world.tickets.length > 0 ? pick(rand, world.tickets) : chance(0.5) ? `lt1_${'A'.repeat(43)}` : hostile(),
        };
      case 'unlinkIdentity':
        return { identityId: chance(0.6) && world.identityIds.length > 0 ? pick(rand, world.identityIds) : hostile() };
      case 'deleteAccount':
        // Rarely for real, so that accounts live long enough to be linked and unlinked.
        return { confirm: chance(0.15) ? true : pick(rand, [false, 'true', 1, null, undefined]) };
      default:
        return {};
    }
  }

  function learn(answer: unknown): void {
    if (!isRecord(answer)) return;
    const data = isRecord(answer.data) ? answer.data : null;
    const error = isRecord(answer.error) ? answer.error : null;
    const details = error && isRecord(error.details) ? error.details : null;
    if (details && typeof details.ticket === 'string') world.tickets.push(details.ticket);
    // findAccountByPhone: the offer's ticket (a number nobody holds keeps its ticket out: binding it is bindPhone's path).
    if (data && isRecord(data.offer) && typeof data.offer.ticket === 'string') world.tickets.push(data.offer.ticket);
    const identities = data && Array.isArray(data.identities) ? data.identities : [];
    for (const identity of identities) if (isRecord(identity) && typeof identity.id === 'string') world.identityIds.push(identity.id);
    world.identityIds = world.identityIds.slice(-20);
    world.tickets = world.tickets.slice(-10);
  }

  for (let index = 0; index < options.count; index += 1) {
    const roll = rand();
    const identityIndex = Math.floor(rand() * options.people.length);
    const identity =
      roll < 0.05
        ? null
        : roll < 0.12
          ? { appid: 'wx-fuzz-app', openid: `oSTRANGER${index}q7Rk2mXv9LpWz3TyH` }
          : (options.people[identityIndex] as WxIdentity);
    const actionRoll = rand();
    const action: unknown = actionRoll < 0.8 ? pick(rand, ACTIONS) : actionRoll < 0.9 ? pick(rand, BAD_ACTIONS) : hostile();
    let event: unknown;
    if (chance(0.03)) {
      event = pick(rand, ['login', 42, [], null, [{ action: 'login' }]]);
    } else {
      const payload = await fieldFor(typeof action === 'string' ? action : '', identityIndex);
      // Identity fields in the event are always ignored; sending them proves it.
      if (chance(0.2)) Object.assign(payload, { openid: options.people[0]?.openid, userId: world.userIds[0], _id: 'x', appid: 'wx-evil' });
      event = chance(0.1) ? payload : { ...payload, action };
    }

    const before = await target.snapshot();
    const answer = await target.invoke(identity, event);
    const problems = answerProblems(answer, options.secrets);
    const outcome = isRecord(answer)
      ? answer.ok
        ? `ok:${typeof action === 'string' && isRecord(event) && 'action' in event ? action : 'login'}`
        : String(isRecord(answer.error) ? answer.error.code : '?')
      : 'not-an-envelope';
    report.outcomes.set(outcome, (report.outcomes.get(outcome) ?? 0) + 1);
    if (REFUSALS.has(outcome) && (await target.snapshot()) !== before) problems.push(`${outcome} changed the database`);
    for (const problem of problems) report.problems.push(`event ${index} (${JSON.stringify(event)?.slice(0, 120)}): ${problem}`);
    learn(answer);
    if (
      isRecord(answer) &&
      answer.ok &&
      isRecord(answer.data) &&
      isRecord(answer.data.user) &&
      identity &&
      identity === options.people[identityIndex]
    ) {
      world.userIds[identityIndex] = String(answer.data.user.id);
    }
  }
  return report;
}
