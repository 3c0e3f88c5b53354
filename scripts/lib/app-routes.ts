import path from 'node:path';

/**
 * Every page of app.json, the subpackages' included, in the order app.json lists them.
 * Apart from preview-pages.ts so that reading a project's routes never loads playwright-core (a 3.6 MB bundle).
 */
export function appRoutes(appJson: unknown): string[] {
  const app = (appJson ?? {}) as { pages?: unknown; subpackages?: unknown; subPackages?: unknown };
  const routes = Array.isArray(app.pages) ? app.pages.filter((page): page is string => typeof page === 'string') : [];
  const packages = app.subpackages ?? app.subPackages;
  if (Array.isArray(packages))
    for (const entry of packages) {
      const sub = entry as { root?: unknown; pages?: unknown };
      if (typeof sub.root !== 'string' || !Array.isArray(sub.pages)) continue;
      for (const page of sub.pages) if (typeof page === 'string') routes.push(path.posix.join(sub.root, page));
    }
  return routes;
}
