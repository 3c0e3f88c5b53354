/** A path segment as text, or null when it is not valid percent-encoding (answered as "not found"). */
export function safeDecode(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}
