/**
 * Temporary copies of test/scripts/fixtures/valid-project, each broken in one way by the test.
 * Copies get fixed timestamps — sources an hour old, built files newer — so "built output older
 * than its sources" never depends on the order a checkout wrote the files in.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SCRATCH_PARENT } from './scratch';

export const VALID_PROJECT = path.join(__dirname, '..', 'fixtures', 'valid-project');

type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonRecord = { [key: string]: JsonValue };

export interface FixtureProject {
  root: string;
  /** Rewrites a JSON file through `change`, which mutates the parsed object. */
  editJson(file: string, change: (json: JsonRecord) => void): void;
  write(file: string, text: string): void;
  remove(file: string): void;
  /** Sets a file's modification time, in seconds relative to now. */
  touch(file: string, secondsFromNow: number): void;
}

const created: string[] = [];

function allFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? allFiles(full) : [full];
  });
}

export function copyValidProject(): FixtureProject {
  const root = mkdtempSync(path.join(SCRATCH_PARENT, 'check-fixture-'));
  created.push(root);
  cpSync(VALID_PROJECT, root, { recursive: true });
  const anHourAgo = Date.now() / 1000 - 3600;
  for (const file of allFiles(root)) {
    const built = /cloudfunctions\/[^/]+\/index\.js$/.test(file.split(path.sep).join('/'));
    utimesSync(file, anHourAgo, built ? anHourAgo + 60 : anHourAgo);
  }
  const at = (file: string) => path.join(root, file);
  return {
    root,
    editJson(file, change) {
      const json = JSON.parse(readFileSync(at(file), 'utf8')) as JsonRecord;
      change(json);
      writeFileSync(at(file), JSON.stringify(json, null, 2));
    },
    write(file, text) {
      writeFileSync(at(file), text);
    },
    remove(file) {
      rmSync(at(file), { recursive: true, force: true });
    },
    touch(file, secondsFromNow) {
      const time = Date.now() / 1000 + secondsFromNow;
      utimesSync(at(file), time, time);
    },
  };
}

export function removeFixtureCopies(): void {
  for (const root of created.splice(0)) rmSync(root, { recursive: true, force: true });
}

/** Narrowing helpers for editing parsed JSON in tests. */
export function asRecord(value: JsonValue | undefined): JsonRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('fixture: expected an object');
  return value;
}

export function asList(value: JsonValue | undefined): JsonValue[] {
  if (!Array.isArray(value)) throw new Error('fixture: expected an array');
  return value;
}
