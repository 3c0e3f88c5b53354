/**
 * `npm run check`: offline validation of everything a deploy depends on, before anything touches
 * the cloud — cloudbaserc.json (functions built and loadable, runtime, bundling vs
 * installDependency, collections with indexes and ADMINONLY), project.config.json, app.json and
 * its pages and components, and secret hygiene (no AppSecret, session_key only where it is
 * stripped). Every problem names its file and field. Exit code 1 when there is any.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { CLOUDBASERC, functionEntries, functionRoot } from './lib/cloudbase-config';
import { checkAppJson } from './lib/checks/app-json';
import { checkCloudbaseConfig, functionDirectory, parseHandler } from './lib/checks/cloudbaserc';
import { probeExportInChildProcess, type ExportProber } from './lib/checks/function-exports';
import { checkProjectConfig, PROJECT_CONFIG } from './lib/checks/project-config';
import { checkSecretHygiene } from './lib/checks/secret-hygiene';
import { isJsonObject, readJsonFile, type JsonObject } from './lib/json-file';
import { formatProblem, problem, type Problem } from './lib/problem';

export type { Problem } from './lib/problem';

export interface CheckOptions {
  /** How a built handler is loaded to see what it exports; by default in a child Node process. */
  probeExport?: ExportProber;
}

function readObject(root: string, file: string, problems: Problem[]): JsonObject | undefined {
  const read = readJsonFile(root, file);
  if (!read.ok) {
    problems.push(read.problem);
    return undefined;
  }
  if (!isJsonObject(read.value)) {
    problems.push(problem(file, '(file)', '顶层必须是 JSON 对象'));
    return undefined;
  }
  return read.value;
}

/** Every built file that would be uploaded: `<functionRoot>/*\/index.js` and each declared handler's file. */
function builtFunctionFiles(root: string, folder: string, cloudbase: JsonObject | undefined): string[] {
  const files = new Set<string>();
  const absolute = path.resolve(root, folder);
  if (existsSync(absolute)) {
    for (const entry of readdirSync(absolute, { withFileTypes: true })) {
      const index = path.join(absolute, entry.name, 'index.js');
      if (entry.isDirectory() && existsSync(index)) files.add(index);
    }
  }
  for (const entry of cloudbase ? functionEntries(cloudbase) : []) {
    const handler = typeof entry.config.handler === 'string' ? parseHandler(entry.config.handler) : undefined;
    if (cloudbase && entry.name && handler) files.add(path.join(functionDirectory(root, cloudbase, entry), handler.file));
  }
  return [...files];
}

/** All problems of the project at `root`; [] when it is ready to deploy. Reads files only (and loads built handlers). */
export function checkProject(root: string, options: CheckOptions = {}): Problem[] {
  const probe = options.probeExport ?? probeExportInChildProcess;
  const problems: Problem[] = [];

  const cloudbase = readObject(root, CLOUDBASERC, problems);
  if (cloudbase) problems.push(...checkCloudbaseConfig(root, cloudbase, probe));

  const project = readObject(root, PROJECT_CONFIG, problems);
  if (project) problems.push(...checkProjectConfig(root, project, cloudbase ? functionRoot(cloudbase) : undefined));

  const miniprogramRoot = project && typeof project.miniprogramRoot === 'string' ? path.resolve(root, project.miniprogramRoot) : undefined;
  if (miniprogramRoot && existsSync(miniprogramRoot)) problems.push(...checkAppJson(root, miniprogramRoot));

  const functionsFolder = cloudbase
    ? functionRoot(cloudbase)
    : project && typeof project.cloudfunctionRoot === 'string'
      ? project.cloudfunctionRoot
      : 'cloudfunctions';
  problems.push(
    ...checkSecretHygiene(root, {
      miniprogramRoot: miniprogramRoot ?? path.join(root, 'miniprogram'),
      builtFunctionFiles: builtFunctionFiles(root, functionsFolder, cloudbase),
      configFiles: [CLOUDBASERC, PROJECT_CONFIG, '.env.example'].map((file) => path.join(root, file)),
    }),
  );
  return problems;
}

// NodeJS.Require: the test config also sees the mini-program typings, whose `require` has no `main`.
if ((require as unknown as NodeJS.Require).main === module) {
  const root = path.resolve(__dirname, '..');
  const problems = checkProject(root);
  if (problems.length === 0) {
    console.log('✓ 检查通过：cloudbaserc.json、project.config.json、app.json 与密钥卫生均无问题');
  } else {
    for (const found of problems) console.error(`✗ ${formatProblem(found)}`);
    console.error(`\n共 ${problems.length} 个问题（check found ${problems.length} problem${problems.length === 1 ? '' : 's'}）`);
    process.exitCode = 1;
  }
}
