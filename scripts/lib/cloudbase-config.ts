/**
 * cloudbaserc.json, the one description of what gets deployed, as read by @cloudbase/cli 2.x:
 *   - `envId` is a `{{env.ENV_ID}}` template ("version": "2.0" configs). The CLI fills it from, in
 *     order of precedence, `-e <envId>`, the process environment, `.env.<mode>`, `.env.local`, `.env`
 *     (@cloudbase/toolbox ConfigParser.parseRawConfig). `npm run deploy` always passes `-e`.
 *   - `functions[]` are deployed by `tcb fn deploy <name>` from `<functionRoot>/<name>/`.
 *   - `framework.plugins.<key>` with `use: @cloudbase/framework-plugin-database` declares the
 *     collections, their indexes and their ACL; `tcb framework deploy <key>` provisions them.
 *     That list is the single source of collection names: check verifies every collection a
 *     function can name is declared there.
 */
import { isJsonObject, type Json, type JsonObject } from './json-file';

export const CLOUDBASERC = 'cloudbaserc.json';
export const DATABASE_PLUGIN = '@cloudbase/framework-plugin-database';

/**
 * Node.js runtimes CloudBase offers for cloud functions. Functions are built for node16
 * (scripts/build.ts), which every one of these runs. A function without `runtime` is created by
 * the CLI with its own default (Nodejs8.9 or 10.15 depending on the CLI version) — silently.
 */
export const NODE_RUNTIMES: Readonly<Record<string, 'stable' | 'beta'>> = {
  'Nodejs16.13': 'stable',
  'Nodejs18.15': 'stable',
  'Nodejs20.19': 'stable',
  'Nodejs22.21': 'beta',
  'Nodejs24.11': 'beta',
};

/** The memory sizes (MB) a CloudBase function can have. */
export const MEMORY_SIZES: readonly number[] = [128, 256, 512, 1024, 2048];

/** Index key directions the database plugin accepts (it passes them to CloudBase as strings). */
export const INDEX_DIRECTIONS: readonly string[] = ['1', '-1', '2dsphere'];

/**
 * Collection ACL tags of the database plugin. Only ADMINONLY keeps clients out entirely: the
 * mini-program reaches data through cloud functions only, and users hold phone numbers.
 */
export const ACL_TAGS: readonly string[] = ['READONLY', 'PRIVATE', 'ADMINWRITE', 'ADMINONLY', 'CUSTOM'];
export const REQUIRED_ACL_TAG = 'ADMINONLY';

export interface FunctionEntry {
  /** Position in `functions[]`, for field paths. */
  index: number;
  /** '' when the entry has no usable name (reported by check). */
  name: string;
  config: JsonObject;
}

export interface DatabasePluginEntry {
  /** The key under `framework.plugins`: the module name `tcb framework deploy <key>` takes. */
  key: string;
  collections: Json[];
}

export function functionRoot(config: JsonObject): string {
  // The CLI's own default when the field is absent.
  return typeof config.functionRoot === 'string' ? config.functionRoot : 'functions';
}

export function functionEntries(config: JsonObject): FunctionEntry[] {
  const list = Array.isArray(config.functions) ? config.functions : [];
  return list.map((item, index) => {
    const entry = isJsonObject(item) ? item : {};
    return { index, name: typeof entry.name === 'string' ? entry.name : '', config: entry };
  });
}

export function databasePlugins(config: JsonObject): DatabasePluginEntry[] {
  const framework = config.framework;
  const plugins = isJsonObject(framework) && isJsonObject(framework.plugins) ? framework.plugins : {};
  return Object.entries(plugins).flatMap(([key, plugin]) => {
    if (!isJsonObject(plugin) || plugin.use !== DATABASE_PLUGIN) return [];
    const inputs = isJsonObject(plugin.inputs) ? plugin.inputs : {};
    return [{ key, collections: Array.isArray(inputs.collections) ? inputs.collections : [] }];
  });
}

/** Every collectionName declared by a database plugin. */
export function declaredCollections(config: JsonObject): string[] {
  return databasePlugins(config).flatMap(({ collections }) =>
    collections.flatMap((collection) =>
      isJsonObject(collection) && typeof collection.collectionName === 'string' ? [collection.collectionName] : [],
    ),
  );
}

/** `{{env.ENV_ID}}` and the like: a value the CLI fills in at deploy time. */
export function isTemplate(value: string): boolean {
  return /^\{\{\s*[\w.]+\s*\}\}$/.test(value);
}
