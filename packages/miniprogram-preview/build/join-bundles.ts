/**
 * Two scripts and their source maps as one: the pages' bundle, then the runtime's (build-preview.ts
 * builds them apart so that the runtime, the same for every project, is built once per process).
 *
 * A source map's segments are relative to the segment before them: the second map's first segment
 * with a source (and its first with a name) is written again relative to the first map's last one;
 * every other segment stays as esbuild wrote it. Lines are separated by `;`, so the second map starts
 * after as many of them as the first script has lines.
 */
export interface SourceMapV3 {
  version: 3;
  sources: string[];
  sourcesContent?: (string | null)[];
  names: string[];
  mappings: string;
  file?: string;
}

export interface ScriptWithMap {
  /** The script without its `//# sourceMappingURL=` line. */
  code: string;
  map: SourceMapV3;
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DIGIT = new Map([...BASE64].map((char, index) => [char, index]));

/** The base64 VLQ numbers of one segment. */
function decodeSegment(segment: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const char of segment) {
    const digit = DIGIT.get(char);
    if (digit === undefined) throw new Error(`not a source map segment: ${segment}`);
    value += (digit & 31) * 2 ** shift;
    if (digit & 32) {
      shift += 5;
      continue;
    }
    values.push(value % 2 === 1 ? -(value - 1) / 2 : value / 2);
    value = 0;
    shift = 0;
  }
  return values;
}

function encodeSegment(values: readonly number[]): string {
  let text = '';
  for (const signed of values) {
    let value = signed < 0 ? -signed * 2 + 1 : signed * 2;
    do {
      let digit = value % 32;
      value = Math.floor(value / 32);
      if (value > 0) digit += 32;
      text += BASE64[digit];
    } while (value > 0);
  }
  return text;
}

/** Where the mappings leave off: the source, original line and column of the last segment with a source, the last name. */
function lastState(mappings: string): { source: number; line: number; column: number; name: number } {
  const state = { source: 0, line: 0, column: 0, name: 0 };
  for (const segment of mappings.split(/[;,]/)) {
    if (segment === '') continue;
    const values = decodeSegment(segment);
    if (values.length >= 4) {
      state.source += values[1] ?? 0;
      state.line += values[2] ?? 0;
      state.column += values[3] ?? 0;
    }
    if (values.length >= 5) state.name += values[4] ?? 0;
  }
  return state;
}

/** `second`'s mappings continuing after `first`'s: its sources and names after theirs. */
function continuedMappings(first: SourceMapV3, second: SourceMapV3): string {
  const state = lastState(first.mappings);
  const text = second.mappings;
  let sourceDone = false;
  // Without names in the second map there is no name index to move.
  let nameDone = second.names.length === 0;
  let out = '';
  let start = 0;
  for (let index = 0; index <= text.length && !(sourceDone && nameDone); index += 1) {
    if (index < text.length && text[index] !== ',' && text[index] !== ';') continue;
    const segment = text.slice(start, index);
    if (segment !== '') {
      const values = decodeSegment(segment);
      if (!sourceDone && values.length >= 4) {
        values[1] = (values[1] ?? 0) + first.sources.length - state.source;
        values[2] = (values[2] ?? 0) - state.line;
        values[3] = (values[3] ?? 0) - state.column;
        sourceDone = true;
      }
      if (!nameDone && values.length >= 5) {
        values[4] = (values[4] ?? 0) + first.names.length - state.name;
        nameDone = true;
      }
      out += encodeSegment(values);
    }
    out += text.slice(index, index + 1);
    start = index + 1;
  }
  return out + text.slice(start);
}

/** `first` then `second` as one script (first's last line ends it) with one source map. */
export function joinScripts(first: ScriptWithMap, second: ScriptWithMap): ScriptWithMap {
  const head = first.code.endsWith('\n') ? first.code : `${first.code}\n`;
  const lines = head.split('\n').length - 1;
  const separators = first.map.mappings.split(';').length - 1;
  if (separators > lines) throw new Error('the first source map has more lines than its script');
  const contentOf = (map: SourceMapV3) => map.sourcesContent ?? map.sources.map(() => null);
  return {
    code: head + second.code,
    map: {
      version: 3,
      sources: [...first.map.sources, ...second.map.sources],
      sourcesContent: [...contentOf(first.map), ...contentOf(second.map)],
      names: [...first.map.names, ...second.map.names],
      mappings: `${first.map.mappings}${';'.repeat(lines - separators)}${continuedMappings(first.map, second.map)}`,
    },
  };
}
