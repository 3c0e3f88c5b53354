/**
 * What `npm run check` reports: one fault, located by file and field so it can be fixed without
 * reading the checker. Messages are Chinese (the people reading them are Chinese developers);
 * file and field stay exactly as they are spelled on disk.
 */
export interface Problem {
  /** Path relative to the project root, with forward slashes: `cloudbaserc.json`, `miniprogram/app.json`. */
  file: string;
  /**
   * The field inside the file, written as a path: `functions[0].runtime`, `pages[2]`,
   * `usingComponents.user-avatar`; for text scans, `line 12`.
   */
  field: string;
  message: string;
}

export function problem(file: string, field: string, message: string): Problem {
  return { file, field, message };
}

export function formatProblem({ file, field, message }: Problem): string {
  return `${file} › ${field}: ${message}`;
}
