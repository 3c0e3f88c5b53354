/**
 * The permissions a project declares in cloudbaserc.json, where CloudBase's tooling reads them:
 *
 *   framework.plugins.<id>.inputs.collections[]   (@cloudbase/framework-plugin-database, `tcb framework deploy`)
 *     { collectionName, aclTag: READONLY|PRIVATE|ADMINWRITE|ADMINONLY|CUSTOM, aclRule?: { read, write, … } }
 *   storage                                       (this emulator's declaration of the storage permission,
 *     { aclTag, aclRule? }                         set in the console or with manager-node's storage ACL call)
 *
 * A collection the project does not declare gets CloudBase's default for a new collection,
 * PRIVATE (仅创建者可读写); storage's default is READONLY (所有用户可读，仅创建者可读写).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isPlainObject } from '../database/ejson';
import { parseRuleExpression, RuleSyntaxError } from './rule-expression';

export const ACL_TAGS = ['READONLY', 'PRIVATE', 'ADMINWRITE', 'ADMINONLY', 'CUSTOM'] as const;
export type AclTag = (typeof ACL_TAGS)[number];

/** Security-rule operations: `write` stands for create/update/delete when those are not given. */
export type RuleOperation = 'read' | 'create' | 'update' | 'delete' | 'write';
export type SecurityRule = Partial<Record<RuleOperation, boolean | string>>;

export interface Permission {
  aclTag: AclTag;
  /** For CUSTOM: the rule per operation. */
  rule?: SecurityRule;
  /** Where it came from, for messages: 'cloudbaserc.json' or 'default (not declared)'. */
  source: string;
}

export interface DeclaredPermissions {
  collections: Map<string, Permission>;
  storage: Permission;
}

export const DEFAULT_COLLECTION_PERMISSION: Permission = { aclTag: 'PRIVATE', source: 'default for an undeclared collection' };
export const DEFAULT_STORAGE_PERMISSION: Permission = { aclTag: 'READONLY', source: 'default storage permission' };

export function permissionOf(declared: DeclaredPermissions, collection: string): Permission {
  return declared.collections.get(collection) ?? DEFAULT_COLLECTION_PERMISSION;
}

/** The declarations of `<projectDir>/cloudbaserc.json`; none (all defaults) when the file is absent or invalid. */
export function readDeclaredPermissions(projectDir: string, onWarning: (message: string) => void = console.warn): DeclaredPermissions {
  const file = path.join(projectDir, 'cloudbaserc.json');
  let config: unknown;
  try {
    config = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return { collections: new Map(), storage: DEFAULT_STORAGE_PERMISSION };
  }
  return declaredPermissionsFrom(config, onWarning);
}

/** Pure: the permissions of a parsed cloudbaserc.json. An invalid declaration is reported and read as ADMINONLY. */
export function declaredPermissionsFrom(config: unknown, onWarning: (message: string) => void = console.warn): DeclaredPermissions {
  const collections = new Map<string, Permission>();
  const root = isPlainObject(config) ? config : {};
  const framework = isPlainObject(root.framework) ? root.framework : {};
  const plugins = isPlainObject(framework.plugins) ? framework.plugins : {};
  for (const plugin of Object.values(plugins)) {
    const inputs = isPlainObject(plugin) ? plugin.inputs : undefined;
    const list = isPlainObject(inputs) ? inputs.collections : undefined;
    if (!Array.isArray(list)) continue;
    for (const entry of list) {
      if (!isPlainObject(entry) || typeof entry.collectionName !== 'string' || entry.collectionName === '') continue;
      collections.set(
        entry.collectionName,
        permissionFrom(entry, `collection ${entry.collectionName}`, DEFAULT_COLLECTION_PERMISSION, onWarning),
      );
    }
  }
  const storage = isPlainObject(root.storage)
    ? permissionFrom(root.storage, 'storage', DEFAULT_STORAGE_PERMISSION, onWarning)
    : DEFAULT_STORAGE_PERMISSION;
  return { collections, storage };
}

function permissionFrom(
  entry: Record<string, unknown>,
  what: string,
  fallback: Permission,
  onWarning: (message: string) => void,
): Permission {
  const closed: Permission = { aclTag: 'ADMINONLY', source: `cloudbaserc.json (invalid ${what} declaration, read as ADMINONLY)` };
  if (entry.aclTag === undefined) return fallback;
  if (typeof entry.aclTag !== 'string' || !(ACL_TAGS as readonly string[]).includes(entry.aclTag)) {
    onWarning(
      `[cloudbase-emulator] cloudbaserc.json: ${what} has aclTag ${JSON.stringify(entry.aclTag)}, not one of ${ACL_TAGS.join(', ')}`,
    );
    return closed;
  }
  const aclTag = entry.aclTag as AclTag;
  if (aclTag !== 'CUSTOM') return { aclTag, source: 'cloudbaserc.json' };
  let rule: unknown = entry.aclRule;
  if (typeof rule === 'string') {
    try {
      rule = JSON.parse(rule);
    } catch {
      rule = undefined;
    }
  }
  const problem = ruleProblem(rule);
  if (problem) {
    onWarning(`[cloudbase-emulator] cloudbaserc.json: ${what} is CUSTOM but its aclRule ${problem}: every client request is refused`);
    return closed;
  }
  return { aclTag, rule: rule as SecurityRule, source: 'cloudbaserc.json' };
}

/** Why a security rule cannot be used, or undefined. */
export function ruleProblem(rule: unknown): string | undefined {
  if (!isPlainObject(rule)) return 'is missing (give an object such as { "read": true, "write": "doc._openid == auth.openid" })';
  for (const [operation, expression] of Object.entries(rule)) {
    if (!['read', 'write', 'create', 'update', 'delete'].includes(operation)) return `has an unknown operation ${operation}`;
    if (typeof expression === 'boolean') continue;
    if (typeof expression !== 'string') return `has a ${operation} that is neither a boolean nor an expression`;
    try {
      parseRuleExpression(expression);
    } catch (error) {
      return `has a ${operation} expression that does not parse (${error instanceof RuleSyntaxError ? error.message : String(error)})`;
    }
  }
  return undefined;
}
