/**
 * Whether a mini-program client may read or write a file of cloud storage, under the storage
 * permission the project declares (declarations.ts). Pure. Cloud functions are administrators.
 *
 *   aclTag      read (getTempFileURL, downloadFile)   write (uploadFile over a file, deleteFile)
 *   READONLY    everyone                              the file's creator (a new file: anyone signed in)
 *   PRIVATE     the file's creator                    the file's creator
 *   ADMINWRITE  everyone                              no client
 *   ADMINONLY   no client                             no client
 *   CUSTOM      `read` / `write` expressions over `auth` and `resource` ({ openid: the creator, path })
 *
 * A new file's creator is its uploader, so `resource.openid == auth.openid` lets anyone signed in
 * upload a new file and only its creator replace or delete it.
 */
import type { Permission } from './declarations';
import { evaluateRule, parseRuleExpression } from './rule-expression';

export interface StorageResource {
  /** The creator's openid ('' for a file a cloud function or the console wrote). */
  openid: string;
  /** The cloud path, e.g. avatars/a.png. */
  path: string;
}

export type StorageRefusal = { rule: string; message: string } | undefined;

export function decideStorageAccess(
  operation: 'read' | 'write',
  caller: { openid: string } | null,
  permission: Permission,
  resource: StorageResource,
  now: number,
): StorageRefusal {
  const tag = permission.aclTag;
  const refuse = (rule: string, why: string): StorageRefusal => ({ rule, message: `STORAGE_EXCEED_AUTHORITY: ${why}` });
  if (tag === 'CUSTOM') {
    const expression = permission.rule?.[operation];
    const label = `CUSTOM ${operation}: ${expression === undefined ? '(not declared: refused)' : String(expression)}`;
    if (expression === true) return undefined;
    if (expression === undefined || expression === false) return refuse(label, `the storage rule refuses to ${operation} ${resource.path}`);
    const verdict = evaluateRule(parseRuleExpression(expression), {
      auth: caller ? { openid: caller.openid } : null,
      doc: () => null,
      now,
      resource: { openid: resource.openid, path: resource.path },
      get: () => null,
    });
    return verdict === true ? undefined : refuse(label, `the storage rule refuses to ${operation} ${resource.path}`);
  }
  if (!caller) return refuse(tag, 'a client that is not signed in has no access to storage');
  const own = resource.openid === caller.openid;
  if (operation === 'read') {
    if (tag === 'READONLY' || tag === 'ADMINWRITE') return undefined;
    if (tag === 'PRIVATE' && own) return undefined;
    return refuse(tag, tag === 'PRIVATE' ? `only the creator of ${resource.path} may read it` : 'no client may read storage');
  }
  if ((tag === 'READONLY' || tag === 'PRIVATE') && own) return undefined;
  return refuse(
    tag,
    tag === 'READONLY' || tag === 'PRIVATE'
      ? `only the creator of ${resource.path} or an admin may overwrite or delete it`
      : 'no client may write storage',
  );
}
