/**
 * What a page sets with setData, less what it already shows. Each setData sends its data from the
 * logic layer to the view layer and renders again, even when nothing in it changed (WeChat's advice:
 * set only what changed); the pages show the user on load, on every show and after each revalidation,
 * mostly unchanged. View data is plain JSON (presenters/), so two values are the same when their JSON is.
 */

/** The entries of `next` whose value differs from `shown`'s, or null when none does. */
export function changedData(shown: Record<string, unknown>, next: Record<string, unknown>): Record<string, unknown> | null {
  let changed: Record<string, unknown> | null = null;
  for (const [key, value] of Object.entries(next)) {
    if (JSON.stringify(shown[key]) !== JSON.stringify(value)) {
      changed ??= {};
      changed[key] = value;
    }
  }
  return changed;
}

/** What setChanged needs of a page or component: its data and its setData. */
export interface DataHolder {
  readonly data: Record<string, unknown>;
  setData(data: Record<string, unknown>): void;
}

/** setData with only what changed, and no setData at all when nothing did. */
export function setChanged(page: DataHolder, next: Record<string, unknown>): void {
  const changed = changedData(page.data, next);
  if (changed) page.setData(changed);
}
