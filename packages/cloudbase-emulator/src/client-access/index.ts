/**
 * The mini-program client's database, as CloudBase serves `wx.cloud.database()`: the same
 * `database.*` actions wx-server-sdk sends, but on behalf of a user and under the permissions the
 * project declares (declarations.ts), enforced by database-access.ts. Cloud functions keep using
 * `/admin`, where nothing is checked (they are administrators, as in production).
 *
 *   POST /client/database   body `{ action, collectionName, query, data, … }` as @cloudbase/database
 *                           builds it; the caller in x-wx-openid / x-wx-appid (no openid: a client
 *                           that is not signed in). Answers `{ requestId, data }` or
 *                           `{ requestId, code, message }`, as /admin does.
 *                           `action: 'database.watch'` is one long-poll round of a watched query (watch.ts).
 *
 * A refusal is printed on the terminal and listed on the status page with the rule that refused.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ActivityLog, ClientDenial } from '../activity-log';
import { ServiceError, type EmulatorModule } from '../core/module';
import type { DatabaseModule } from '../database';
import { BodyTooLargeError, header, readBody, sendJson } from '../http';
import { jsonDeeperThan, tooDeepMessage } from '../json-depth';
import { decideDatabaseAccess, type ClientCaller } from './database-access';
import { type DeclaredPermissions, permissionOf } from './declarations';
import { type QueryAnswer, watchRound } from './watch';

export const CLIENT_DATABASE_PATH = '/client/database';
/** How long one watch round waits for a change before answering "no change" (the client asks again). */
const DEFAULT_WATCH_TIMEOUT_MS = 25_000;
const MAX_CLIENT_BODY_BYTES = 16 * 1024 * 1024;

export interface ClientAccessOptions {
  database: DatabaseModule;
  permissions: () => DeclaredPermissions;
  activity: ActivityLog;
  now: () => number;
  env: string;
  /** How long a watch round waits for a change (watch.ts). Default 25 s. */
  watchTimeoutMs?: number;
  /** Where refusals are printed. Default: one line on stderr. */
  onDenied?: (denial: ClientDenial) => void;
}

/** The client a page request comes from: x-wx-openid, or null when it names none (not signed in). */
export function clientCallerOf(request: IncomingMessage): ClientCaller | null {
  const openid = header(request, 'x-wx-openid') ?? '';
  if (openid === '') return null;
  const appid = header(request, 'x-wx-appid');
  const unionid = header(request, 'x-wx-unionid');
  return { openid, ...(appid && { appid }), ...(unionid && { unionid }) };
}

export function printDenial(denial: ClientDenial): void {
  process.stderr.write(
    `[emulator] 权限拒绝 refused: ${denial.service} ${denial.operation} ${denial.target} for ${denial.openid || 'a client not signed in'} — rule ${denial.rule}\n`,
  );
}

export function createClientAccess(options: ClientAccessOptions): EmulatorModule {
  const onDenied = options.onDenied ?? printDenial;

  /** One `database.*` action as `caller`, under its permissions; a refusal is logged and printed. */
  async function runAction(
    caller: ClientCaller | null,
    fields: Record<string, unknown>,
  ): Promise<QueryAnswer & { top?: Record<string, unknown> }> {
    const action = typeof fields.action === 'string' ? fields.action : '';
    const collection = typeof fields.collectionName === 'string' ? fields.collectionName : '';
    const permission = permissionOf(options.permissions(), collection);
    let decision: ReturnType<typeof decideDatabaseAccess>;
    try {
      decision = decideDatabaseAccess(action, fields, caller, permission, {
        now: options.now,
        findById: (name, id) => options.database.document(name, id),
        permissionOf: (name) => permissionOf(options.permissions(), name),
      });
    } catch (error) {
      const code = error instanceof ServiceError ? error.code : 'INVALID_PARAM';
      return { ok: false, code, message: error instanceof Error ? error.message : String(error) };
    }
    if (!decision.allow) {
      const denial: ClientDenial = {
        openid: caller?.openid ?? '',
        service: 'database',
        operation: action,
        target: collection,
        rule: `${decision.rule} (${permission.source})`,
        message: decision.message,
      };
      options.activity.denial(denial);
      onDenied(denial);
      return { ok: false, code: decision.code, message: decision.message };
    }
    const handler = options.database.actions?.[action];
    if (!handler) return { ok: false, code: 'INVALID_PARAM', message: `unsupported action: ${action}` };
    try {
      const reply = await handler({ action, body: decision.body, files: {}, env: options.env, invocationId: '' });
      if (reply.kind !== 'json') return { ok: false, code: 'SYS_ERR', message: 'unexpected reply' };
      return { ok: true, data: reply.data, ...(reply.top && { top: reply.top }) };
    } catch (error) {
      if (error instanceof ServiceError) return { ok: false, code: error.code, message: error.message };
      throw error;
    }
  }

  /** `database.watch`: one long-poll round of a watched query (watch.ts); only reads can be watched. */
  function runWatch(caller: ClientCaller | null, fields: Record<string, unknown>, response: ServerResponse): Promise<QueryAnswer> {
    const request = fields.request;
    if (typeof request !== 'object' || request === null || (request as Record<string, unknown>).action !== 'database.getDocument') {
      return Promise.resolve({ ok: false, code: 'INVALID_PARAM', message: 'database.watch needs the request of a get()' });
    }
    const digest = typeof fields.digest === 'string' ? fields.digest : null;
    return watchRound({
      run: () => runAction(caller, request as Record<string, unknown>),
      onCommit: (listener) => options.database.onCommit(listener),
      digest,
      timeoutMs: options.watchTimeoutMs ?? DEFAULT_WATCH_TIMEOUT_MS,
      gone: new Promise((resolve) => response.once('close', () => resolve())),
    });
  }

  async function handleDatabase(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const fail = (code: string, message: string) => sendJson(response, 200, { requestId, code, message });
    let text: string;
    try {
      text = (await readBody(request, MAX_CLIENT_BODY_BYTES)).toString('utf8');
    } catch (error) {
      if (error instanceof BodyTooLargeError) return fail('INVALID_PARAM', error.message);
      throw error;
    }
    if (jsonDeeperThan(text)) return fail('INVALID_PARAM', tooDeepMessage('the request body'));
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return fail('INVALID_PARAM', 'the request body is not valid JSON');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return fail('INVALID_PARAM', 'the body must be a JSON object');
    const fields = body as Record<string, unknown>;
    const caller = clientCallerOf(request);
    const answer = fields.action === 'database.watch' ? await runWatch(caller, fields, response) : await runAction(caller, fields);
    if (response.writableEnded || response.destroyed) return;
    if (!answer.ok) return fail(answer.code, answer.message);
    const top = ('top' in answer && answer.top) || {};
    sendJson(response, 200, { requestId, ...(answer.data !== undefined && { data: answer.data }), ...top });
  }

  return {
    name: 'client-access',
    routes: [{ method: 'POST', path: CLIENT_DATABASE_PATH, handle: handleDatabase }],
  };
}
