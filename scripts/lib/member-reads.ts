/**
 * Whether a CommonJS file uses what it requires from `specifier` only by reading members of it
 * later (`storage_1.uploadFile(…)`), the one use a stand-in that loads the module on first touch
 * (scripts/build.ts DEFERRED_FILES) answers exactly. Accepted forms of the require:
 *   const|var|let name = require("specifier");   every other mention of `name` is `name.member`
 *   module.exports.name = require("specifier");  (or `exports.name =`) handed on as it is
 * Anything else (destructuring, spreading, __importStar copying its keys, a second require): false.
 */
export function readsOnlyMembers(source: string, specifier: string): boolean {
  const quoted = `(?:"${escapeRegExp(specifier)}"|'${escapeRegExp(specifier)}')`;
  const requires = source.match(new RegExp(`require\\(${quoted}\\)`, 'g')) ?? [];
  if (requires.length !== 1) return false;
  if (new RegExp(`^\\s*(?:module\\.)?exports\\.[\\w$]+\\s*=\\s*require\\(${quoted}\\);?\\s*$`, 'm').test(source)) return true;
  const binding = new RegExp(`^\\s*(?:const|var|let)\\s+([\\w$]+)\\s*=\\s*require\\(${quoted}\\);?\\s*$`, 'm').exec(source);
  const name = binding?.[1];
  if (!name) return false;
  const rest = source.replace(binding[0], '');
  // A mention that is not itself a member of something else (`other.name`; `...name` is a spread).
  const mentions = rest.match(new RegExp(`(?<![\\w$])(?<!(?<!\\.\\.)\\.)${escapeRegExp(name)}(?![\\w$])(.?)`, 'g')) ?? [];
  return mentions.every((mention) => mention.endsWith('.'));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
