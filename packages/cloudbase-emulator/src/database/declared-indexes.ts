/**
 * The database indexes a project declares in its cloudbaserc.json, where `tcb framework deploy`
 * reads them: `framework.plugins.<id>.inputs.collections[].createIndexes[]` of the
 * @cloudbase/framework-plugin-database plugin, each `{ name, unique, keys: [{ name, direction }] }`.
 *
 * The emulator serves queries only from these and `_id`, as CloudBase does, enforces the unique
 * ones, and warns when a query none of them serves scans a large collection.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isPlainObject } from './ejson';

export interface DeclaredIndex {
  collection: string;
  name: string;
  unique: boolean;
  /** Field paths in key order. */
  fields: string[];
}

/**
 * The declarations of the cloudbaserc.json in `projectDir`, or undefined when there is no such file
 * (nothing is known about the project's indexes then). A file that does not parse is reported
 * through `onWarning` and counts as declaring nothing.
 */
export function readDeclaredIndexes(projectDir: string, onWarning: (message: string) => void = console.warn): DeclaredIndex[] | undefined {
  const file = path.join(projectDir, 'cloudbaserc.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return declaredIndexesFrom(JSON.parse(text));
  } catch (error) {
    onWarning(
      `[cloudbase-emulator] ${file} is not valid JSON (${error instanceof Error ? error.message : String(error)}): no database index is declared`,
    );
    return [];
  }
}

/** Pure: the index declarations of a parsed cloudbaserc.json (malformed entries are skipped). */
export function declaredIndexesFrom(config: unknown): DeclaredIndex[] {
  const out: DeclaredIndex[] = [];
  const framework = isPlainObject(config) ? config.framework : undefined;
  const plugins = isPlainObject(framework) ? framework.plugins : undefined;
  if (!isPlainObject(plugins)) return out;
  for (const plugin of Object.values(plugins)) {
    const inputs = isPlainObject(plugin) ? plugin.inputs : undefined;
    const collections = isPlainObject(inputs) ? inputs.collections : undefined;
    if (!Array.isArray(collections)) continue;
    for (const entry of collections) {
      if (!isPlainObject(entry) || typeof entry.collectionName !== 'string' || !Array.isArray(entry.createIndexes)) continue;
      for (const index of entry.createIndexes) {
        if (!isPlainObject(index) || !Array.isArray(index.keys)) continue;
        const fields = index.keys.flatMap((key) =>
          isPlainObject(key) && typeof key.name === 'string' && key.name !== '' ? [key.name] : [],
        );
        if (fields.length === 0) continue;
        out.push({
          collection: entry.collectionName,
          name: typeof index.name === 'string' && index.name !== '' ? index.name : fields.map((field) => `${field}_1`).join('_'),
          unique: index.unique === true,
          fields,
        });
      }
    }
  }
  return out;
}
