/**
 * Where the CloudBase environment id comes from: never a committed file. In order of precedence
 * (the same order the tcb CLI fills `{{env.ENV_ID}}` in): `--env <id>` on the command line, the
 * ENV_ID environment variable, then ENV_ID in the project's git-ignored `.env`.
 */

/** `KEY=value` lines; `#` comments, blank lines, `export ` prefixes and surrounding quotes handled. */
export function parseDotenv(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!match) continue;
    let value = (match[2] ?? '').trim();
    const quoted = /^(["'])(.*)\1$/.exec(value);
    if (quoted) value = quoted[2] ?? '';
    else value = value.replace(/\s+#.*$/, ''); // an unquoted value ends at a comment
    values[match[1] ?? ''] = value;
  }
  return values;
}

export interface EnvIdSources {
  /** From `--env <id>`. */
  argument?: string | undefined;
  /** process.env.ENV_ID. */
  environment?: string | undefined;
  /** The text of `.env`, when the file exists. */
  dotenv?: string | undefined;
}

export type EnvIdResolution = { envId: string; source: string } | { envId: undefined };

/** A CloudBase environment id: letters, digits and dashes, e.g. `cloud1-9gabc123` (no spaces, no templates). */
export function isEnvId(value: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9-]{1,63}$/.test(value);
}

export function resolveEnvId(sources: EnvIdSources): EnvIdResolution {
  const candidates: Array<[string | undefined, string]> = [
    [sources.argument, '--env'],
    [sources.environment, '环境变量 ENV_ID'],
    [sources.dotenv === undefined ? undefined : parseDotenv(sources.dotenv).ENV_ID, '.env'],
  ];
  for (const [value, source] of candidates) {
    const trimmed = value?.trim();
    if (trimmed) return { envId: trimmed, source };
  }
  return { envId: undefined };
}
