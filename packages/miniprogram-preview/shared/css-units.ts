/**
 * CSS units of WeChat that a browser does not have, or has with another meaning:
 * `rpx` (750rpx = the screen width) and `vh` / `vw` (the phone's page area, not the browser
 * window). They become multiples of custom properties the phone frame sets (runtime/host.css):
 * `32rpx` -> `calc(32 * var(--pv-rpx))`.
 *
 * Shared by the build (stylesheets, build/wxss.ts) and the runtime (inline `style` attributes,
 * runtime/engine.ts): pure, no DOM, no Node.
 */

/** `rpx`, `vh` and `vw` in a declaration value, outside strings and url(). */
export function convertUnits(value: string): string {
  return mapOutsideStrings(value, (segment) =>
    segment.replace(
      /(^|[^\w.#-])(-?(?:\d+\.\d*|\.\d+|\d+))(rpx|vh|vw)(?![\w-])/gi,
      (_all, before: string, amount: string, unit: string) => `${before}calc(${amount} * var(--pv-${unit.toLowerCase()}))`,
    ),
  );
}

function mapOutsideStrings(text: string, convert: (segment: string) => string): string {
  return text
    .split(/("(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|url\([^)]*\))/i)
    .map((part, index) => (index % 2 === 1 ? part : convert(part)))
    .join('');
}
