/**
 * Whether a mini-program client may run a `database.*` request, and how CloudBase rewrites it —
 * only client requests are checked; cloud functions, the console and the admin API are
 * administrators. Pure: the stored documents come through `ports`.
 *
 * Basic permissions (WeChat's guide to database permissions and security rules):
 *
 *   aclTag      read                       create        update / delete
 *   READONLY    everyone                   yes (stamped) only the caller's own documents
 *   PRIVATE     only the caller's own      yes (stamped) only the caller's own documents
 *   ADMINWRITE  everyone                   refused       refused
 *   ADMINONLY   refused                    refused       refused
 *
 *   "Only the caller's own" is a condition CloudBase adds to the query (`_openid == caller`), not a
 *   refusal: reading or updating another's document by its _id finds nothing (0 updated).
 *   A client create gets `_openid` = the caller and may not set `_openid` itself; an update may not
 *   change `_openid`. Basic permissions need a signed-in caller.
 *
 * CUSTOM (security rules): the operation's expression (`create`/`update`/`delete`, else `write`;
 * `read`) must hold for every document the query can match (rule-query.ts); the rule is not a
 * filter, a query that could reach a forbidden document is refused whole. A create is checked
 * against the new document. `'{openid}'` in a query stands for the caller's openid.
 */
import { decodeEjson, isPlainObject } from '../database/ejson';
import type { Permission, RuleOperation } from './declarations';
import { evaluateRule, parseRuleExpression, type RuleScope } from './rule-expression';
import { branchReader, documentReader, queryBranches } from './rule-query';

export interface ClientCaller {
  openid: string;
  appid?: string;
  unionid?: string;
}

export interface AccessPorts {
  now(): number;
  /** A stored document by _id (for get() in rules and for set()), or null. */
  findById(collection: string, id: unknown): Record<string, unknown> | null;
  /** Another collection's permission ($lookup). */
  permissionOf(collection: string): Permission;
}

export type Decision =
  | { allow: true; body: Record<string, unknown> }
  | {
      allow: false;
      /** DATABASE_PERMISSION_DENIED, or INVALID_PARAM for a request no client may make. */
      code: string;
      message: string;
      /** Which rule refused, for the terminal and the status page: "ADMINONLY", "CUSTOM read: doc._openid == auth.openid". */
      rule: string;
    };

const READ_ACTIONS = new Set(['database.getDocument', 'database.calculateDocument', 'database.aggregateDocuments']);

/** The string a client query may use for "my openid". */
export const OPENID_PLACEHOLDER = '{openid}';

function deny(rule: string, message: string, code = 'DATABASE_PERMISSION_DENIED'): Decision {
  return { allow: false, code, message, rule };
}

function withPlaceholder(value: unknown, openid: string): unknown {
  if (value === OPENID_PLACEHOLDER) return openid;
  if (Array.isArray(value)) return value.map((item) => withPlaceholder(item, openid));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = withPlaceholder(item, openid);
    return out;
  }
  return value;
}

function rawJson(text: unknown): Record<string, unknown> {
  if (typeof text !== 'string' || text === '') return {};
  const value: unknown = JSON.parse(text);
  return isPlainObject(value) ? value : {};
}

/** Whether an update document ($set paths, $unset, a replacement …) touches `_openid`. */
function touchesOpenid(data: Record<string, unknown>): boolean {
  for (const [key, value] of Object.entries(data)) {
    if (key === '_openid' || key.startsWith('_openid.')) return true;
    if (key.startsWith('$') && isPlainObject(value) && touchesOpenid(value)) return true;
  }
  return false;
}

export function decideDatabaseAccess(
  action: string,
  body: Record<string, unknown>,
  caller: ClientCaller | null,
  permission: Permission,
  ports: AccessPorts,
): Decision {
  const collection = typeof body.collectionName === 'string' ? body.collectionName : '';
  const tag = permission.aclTag;
  const openid = caller?.openid ?? '';
  const allowed = new Set([
    'database.getDocument',
    'database.calculateDocument',
    'database.aggregateDocuments',
    'database.insertDocument',
    'database.modifyDocument',
    'database.removeDocument',
  ]);
  if (!allowed.has(action)) {
    return deny(
      'client API',
      `${action} is not available to a mini-program client (only to cloud functions and the console)`,
      'INVALID_PARAM',
    );
  }
  if (body.transactionId !== undefined && body.transactionId !== null && body.transactionId !== '') {
    return deny('client API', 'transactions are not available to a mini-program client', 'INVALID_PARAM');
  }

  // What the rules read must be what the database runs: only the shapes the SDK sends.
  if (body.query !== undefined && typeof body.query !== 'string') {
    return deny('client API', 'query must be an Extended JSON string', 'INVALID_PARAM');
  }
  const dataItems = Array.isArray(body.data) ? body.data : [body.data];
  if (body.data !== undefined && !dataItems.every((item) => typeof item === 'string')) {
    return deny('client API', 'data must be Extended JSON strings', 'INVALID_PARAM');
  }

  // The placeholder is replaced before anything reads the query.
  const rawQuery = caller ? (withPlaceholder(rawJson(body.query), openid) as Record<string, unknown>) : rawJson(body.query);
  const next: Record<string, unknown> = { ...body };
  if (body.query !== undefined) next.query = JSON.stringify(rawQuery);
  const isRead = READ_ACTIONS.has(action);

  if (action === 'database.insertDocument') {
    const items = dataItems.map((item) => rawJson(item));
    if (items.some((item) => '_openid' in item)) {
      return deny('_openid', 'a client may not set _openid: CloudBase sets it to the caller', 'INVALID_PARAM');
    }
    if (tag === 'ADMINWRITE' || tag === 'ADMINONLY') return deny(tag, deniedMessage(collection, tag, 'create'));
    if (!caller && tag !== 'CUSTOM') return deny(tag, `${collection}: a client that is not signed in may not write (${tag})`);
    const stamped = items.map((item) => (caller ? { ...item, _openid: openid } : item));
    if (tag === 'CUSTOM') {
      for (const item of stamped) {
        const doc = decodeEjson(JSON.stringify(item), 'data', { now: ports.now() }) as Record<string, unknown>;
        const verdict = checkRule(permission, 'create', caller, [documentReader(doc)], ports, { data: doc });
        if (verdict) return verdict;
      }
    }
    next.data = stamped.map((item) => JSON.stringify(item));
    return { allow: true, body: next };
  }

  if (action === 'database.aggregateDocuments') {
    // A pipeline is not a query the rules can reason about: a collection everyone may read, or
    // PRIVATE with the creator condition put first; $lookup only into such collections.
    const stages = Array.isArray(body.stages) ? (body.stages as { stageKey?: unknown; stageValue?: unknown }[]) : [];
    for (const stage of stages) {
      if (stage?.stageKey !== '$lookup' || typeof stage.stageValue !== 'string') continue;
      const from = (rawJson(stage.stageValue) as { from?: unknown }).from;
      const target = typeof from === 'string' ? ports.permissionOf(from) : undefined;
      if (!target || !readableByAll(target)) {
        return deny(target?.aclTag ?? 'client API', `$lookup from a client needs a collection every user may read (${String(from)})`);
      }
    }
    if (readableByAll(permission)) return { allow: true, body: next };
    if (tag === 'PRIVATE' && caller) {
      next.stages = [{ stageKey: '$match', stageValue: JSON.stringify({ _openid: openid }) }, ...stages];
      return { allow: true, body: next };
    }
    return deny(tag === 'CUSTOM' ? 'CUSTOM read' : tag, `${collection}: aggregate needs a collection the caller may read whole (${tag})`);
  }

  if (tag === 'ADMINONLY' || (tag === 'ADMINWRITE' && !isRead)) {
    return deny(tag, deniedMessage(collection, tag, isRead ? 'read' : 'write'));
  }

  const isSet = action === 'database.modifyDocument' && body.merge === false;
  if (action === 'database.modifyDocument') {
    const data = rawJson(body.data);
    if (isSet ? '_openid' in data : touchesOpenid(data)) {
      return deny('_openid', 'a client may not change _openid', 'INVALID_PARAM');
    }
  }

  if (tag === 'CUSTOM') {
    const operation: RuleOperation = isRead ? 'read' : action === 'database.removeDocument' ? 'delete' : 'update';
    const query = decodeEjson(JSON.stringify(rawQuery), 'query', { now: ports.now(), forQuery: true }) as Record<string, unknown>;
    const readers = queryBranches(query).map(branchReader);
    const request = action === 'database.modifyDocument' ? { data: decodeEjson(String(body.data), 'data', { now: ports.now() }) } : {};
    const verdict = checkRule(permission, operation, caller, readers, ports, request);
    if (verdict) return verdict;
    if (isSet && caller) {
      // set() may create the document: it is also a create, checked against the new document.
      const created = { ...rawJson(body.data), _openid: openid };
      const doc = decodeEjson(JSON.stringify(created), 'data', { now: ports.now() }) as Record<string, unknown>;
      const createVerdict = checkRule(permission, 'create', caller, [documentReader(doc)], ports, { data: doc });
      if (createVerdict) return createVerdict;
      next.data = JSON.stringify(created);
    }
    return { allow: true, body: next };
  }

  // READONLY, PRIVATE, ADMINWRITE (reads only from here on).
  if (!caller) return deny(tag, `${collection}: a client that is not signed in is refused by the basic permission ${tag}`);
  const ownOnly = tag === 'PRIVATE' || !isRead;
  if (isSet) {
    const existing = ports.findById(collection, rawQuery._id);
    if (existing && existing._openid !== openid)
      return deny(tag, `${collection}: set() would replace a document another user created (${tag})`);
    next.data = JSON.stringify({ ...rawJson(body.data), _openid: openid });
    return { allow: true, body: next };
  }
  if (ownOnly) {
    next.query = JSON.stringify(Object.keys(rawQuery).length === 0 ? { _openid: openid } : { $and: [rawQuery, { _openid: openid }] });
    // The added condition makes a DOC request a WHERE one; `multi` keeps it to one document.
    if (body.queryType === 'DOC') next.queryType = 'WHERE';
  }
  return { allow: true, body: next };
}

function readableByAll(permission: Permission): boolean {
  return (
    permission.aclTag === 'READONLY' ||
    permission.aclTag === 'ADMINWRITE' ||
    (permission.aclTag === 'CUSTOM' && permission.rule?.read === true)
  );
}

function deniedMessage(collection: string, tag: string, what: string): string {
  const meaning: Record<string, string> = {
    ADMINWRITE: '所有用户可读，仅管理端可写',
    ADMINONLY: '仅管理端可读写',
  };
  return `Permission denied: ${collection} is ${tag} (${meaning[tag] ?? tag}); a client may not ${what} it`;
}

function checkRule(
  permission: Permission,
  operation: RuleOperation,
  caller: ClientCaller | null,
  readers: ((path: string) => unknown)[],
  ports: AccessPorts,
  request: { data?: unknown },
): Decision | undefined {
  const rule = permission.rule ?? {};
  const key: RuleOperation = rule[operation] !== undefined ? operation : operation === 'read' ? 'read' : 'write';
  const expression = rule[key];
  const label = `CUSTOM ${key}: ${expression === undefined ? '(not declared: refused)' : String(expression)}`;
  if (expression === undefined || expression === false) return deny(label, `Permission denied by the security rule (${label})`);
  if (expression === true) return undefined;
  const node = parseRuleExpression(expression);
  for (const read of readers) {
    const scope: RuleScope = {
      auth: caller ? { openid: caller.openid } : null,
      doc: read,
      now: ports.now(),
      request,
      get: (collection, id) => ports.findById(collection, id),
    };
    if (evaluateRule(node, scope) !== true) {
      return deny(label, `Permission denied by the security rule (${label}): the query is not a subset of what the rule allows`);
    }
  }
  return undefined;
}
