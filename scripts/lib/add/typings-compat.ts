/**
 * The installed TypeScript must pass the project's own `tsc` under the project's own
 * miniprogram-api-typings. DevTools' TypeScript template asks for `^2.8.3-1` (2.12 today); the kit
 * is written against 5.x. What older typings lack, measured on the template (tsc, no skipLibCheck):
 *
 *   2.x: no WechatMiniprogram.BaseEvent / CustomEvent / Input, no `route` on a component instance;
 *   2.x and 3.x: a Component does not get the methods of its `behaviors` on `this` (the kit's pages
 *   call userPage's showUser / showFailure / tellSessionNotice);
 *   4.x and 5.x: nothing missing.
 *
 * For those versions the installer adds one declaration file to the install folder with exactly the
 * missing types (types only, nothing at run time). It declares nothing the project's typings already
 * have: a second declaration of BaseEvent with other type parameters would itself be an error. When
 * the project upgrades its typings, `--update` finds the file no longer planned and removes it.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const COMPAT_FILE = 'typings/miniprogram-api-compat.d.ts';

export interface TypingsVersion {
  major: number;
  /** Where the version was read: the installed package, or the range package.json asks for. */
  source: 'installed' | 'declared';
}

function majorOf(version: unknown): number | null {
  const match = typeof version === 'string' ? /(\d+)/.exec(version) : null;
  return match ? Number(match[1]) : null;
}

/** The project's miniprogram-api-typings major: installed in node_modules, else asked for in package.json; null when neither. */
export function projectTypingsVersion(root: string): TypingsVersion | null {
  try {
    const installed = path.join(root, 'node_modules', 'miniprogram-api-typings', 'package.json');
    if (existsSync(installed)) {
      const major = majorOf((JSON.parse(readFileSync(installed, 'utf8')) as { version?: unknown }).version);
      if (major !== null) return { major, source: 'installed' };
    }
    const manifest = path.join(root, 'package.json');
    if (existsSync(manifest)) {
      const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as Record<string, unknown>;
      for (const field of ['devDependencies', 'dependencies']) {
        const deps = parsed[field];
        const range = typeof deps === 'object' && deps !== null ? (deps as Record<string, unknown>)['miniprogram-api-typings'] : undefined;
        const major = majorOf(range);
        if (major !== null) return { major, source: 'declared' };
      }
    }
  } catch {
    // A package.json the installer cannot read says nothing about typings.
  }
  return null;
}

/** The members the kit's userPage behavior (miniprogram/behaviors/user-page.ts) adds to a page. */
const USER_PAGE_MEMBERS = `      showUser(): void;
      showFailure(error: unknown): void;
      tellSessionNotice(): void;
      showAccountNotices(): void;
      afterFailure(code: string): void;
      onPrivacyDecline(): void;`;

const EVENTS = `  interface BaseEvent<
    Mark extends IAnyObject = IAnyObject,
    CurrentTargetDataset extends IAnyObject = IAnyObject,
    TargetDataset extends IAnyObject = CurrentTargetDataset,
  > {
    type: string;
    timeStamp: number;
    mark?: Mark;
    target: { id: string; dataset: TargetDataset };
    currentTarget: { id: string; dataset: CurrentTargetDataset };
  }
  interface CustomEvent<
    Detail extends IAnyObject = IAnyObject,
    Mark extends IAnyObject = IAnyObject,
    CurrentTargetDataset extends IAnyObject = IAnyObject,
    TargetDataset extends IAnyObject = CurrentTargetDataset,
  > extends BaseEvent<Mark, CurrentTargetDataset, TargetDataset> {
    detail: Detail;
  }
  interface Input extends CustomEvent<{ value: string; cursor: number; keyCode: number }> {}
`;

/** The declaration file for `version`, or null when its typings have everything the kit uses. */
export function typingsCompat(version: TypingsVersion): string | null {
  if (version.major >= 4) return null;
  const old = version.major < 3;
  const instance = [old ? '      /** The page route, e.g. "pages/index/index". */\n      route: string;' : '', USER_PAGE_MEMBERS]
    .filter(Boolean)
    .join('\n');
  return `/**
 * Written by wx-cloud-login's installer: this project's miniprogram-api-typings (${version.major}.x) lack types
 * the installed code uses. Types only, nothing at run time. After upgrading the typings to 4.x or
 * later, run the installer with --update and it removes this file.
 *
 * Component instances: these typings do not give a page the methods of its \`behaviors\`, so the
 * methods of wx-cloud-login's userPage behavior are declared on every instance here.
 */
declare namespace WechatMiniprogram {
${old ? EVENTS : ''}  namespace Component {
    interface InstanceProperties {
${instance}
    }
  }
}
`;
}
