/**
 * What `npm run deploy` does, as data: the same list is printed by `--dry-run` and executed by a
 * real deploy, so the dry run shows exactly the commands that would run.
 *
 * Order: the database before the functions. A function that runs before its collections exist
 * creates them on first use with CloudBase's default permissions; provisioning first means the
 * collections are ADMINONLY, with their indexes, from the first request on.
 */
import { databasePlugins, functionEntries } from './cloudbase-config';
import type { JsonObject } from './json-file';

export type DeployAction =
  | { kind: 'build' }
  | { kind: 'check' }
  /** Arguments of the tcb CLI (`node_modules/.bin/tcb`, @cloudbase/cli). */
  | { kind: 'tcb'; args: string[] };

export interface DeployStep {
  /** One progress line, Chinese: what the step achieves. */
  title: string;
  action: DeployAction;
}

export function planDeploy(config: JsonObject, envId: string): DeployStep[] {
  const steps: DeployStep[] = [
    { title: '构建云函数', action: { kind: 'build' } },
    { title: '离线检查', action: { kind: 'check' } },
  ];
  for (const { key, collections } of databasePlugins(config)) {
    steps.push({
      title: `创建数据库集合、索引与权限（${collections.length} 个集合）`,
      action: { kind: 'tcb', args: ['framework', 'deploy', key, '-e', envId] },
    });
  }
  for (const { name } of functionEntries(config)) {
    if (name === '') continue;
    steps.push({ title: `部署云函数 ${name}`, action: { kind: 'tcb', args: ['fn', 'deploy', name, '--force', '-e', envId] } });
  }
  return steps;
}

/** The command line a step stands for, as a person would type it in the project root. */
export function commandLine(action: DeployAction): string {
  switch (action.kind) {
    case 'build':
      return 'npm run build';
    case 'check':
      return 'npm run check';
    case 'tcb':
      return ['tcb', ...action.args].map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`)).join(' ');
  }
}
