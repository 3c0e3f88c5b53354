/**
 * Which collection names the emulator accepts: one rule for every entry point (admin actions, the
 * HTTP export / import routes, the durable log when it is loaded), answered as CloudBase answers a
 * malformed parameter (INVALID_PARAM, errCode -501007 through wx-server-sdk).
 */
import { invalidParam } from './errors';

export const MAX_COLLECTION_NAME_LENGTH = 120;

/** Names that are object-prototype keys: harmless in the Map store, but never a real collection. */
const RESERVED_COLLECTION_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * The names MongoDB (and so CloudBase) refuses, plus those that would be a path or a prototype key
 * here: the name reaches file names (the export download) and log records, so `../x` or `a/b` must
 * never be a collection. Checked at every entry point: admin actions, the HTTP transfer routes and
 * the durable log when it is loaded.
 */
export function collectionNameProblem(name: unknown): string | null {
  if (typeof name !== 'string' || name === '') return 'a collection name must be a non-empty string';
  if (name.length > MAX_COLLECTION_NAME_LENGTH) return `a collection name is at most ${MAX_COLLECTION_NAME_LENGTH} characters`;
  if (name.startsWith('system.')) return 'system.* names are reserved';
  if (RESERVED_COLLECTION_NAMES.has(name)) return `${name} is reserved`;
  if (/[$/\\\u0000-\u001f\u007f]/.test(name)) return 'a collection name cannot contain $, /, \\ or control characters';
  if (name.startsWith('.') || name.endsWith('.') || name.includes('..'))
    return 'a collection name cannot start or end with . or contain ..';
  return null;
}

export function checkCollectionName(name: string): void {
  const problem = collectionNameProblem(name);
  if (problem) throw invalidParam(`invalid collection name ${JSON.stringify(name.slice(0, 200))}: ${problem}`);
}
