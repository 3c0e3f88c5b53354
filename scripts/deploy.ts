/**
 * `npm run deploy`: build, check offline, then provision the database and deploy every function
 * with the tcb CLI (@cloudbase/cli, a devDependency), one progress line per step.
 *
 *   npm run deploy                  deploy to ENV_ID (environment variable or .env)
 *   npm run deploy -- --env <id>    deploy to another environment
 *   npm run deploy -- --dry-run     print the exact commands; run nothing, change nothing
 *                                   (needs neither the CLI nor a login, only an environment id)
 *
 * Stops before touching anything, with exit code 1, when there is no environment id or no
 * `tcb login`; stops at the first failing step with that step's exit code.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { buildFunctions } from './build';
import { checkProject } from './check';
import { CLOUDBASERC } from './lib/cloudbase-config';
import { commandLine, planDeploy, type DeployStep } from './lib/deploy-plan';
import { isEnvId, resolveEnvId } from './lib/env-file';
import { isJsonObject, readJsonFile } from './lib/json-file';
import { formatProblem, type Problem } from './lib/problem';
import { readLoginState, type LoginState } from './lib/tcb-login';
import { cliFailureLines } from './lib/tcb-output';

export interface DeployOutput {
  out(line: string): void;
  err(line: string): void;
}

/** Every side effect of a deploy, injected so tests can run it in-process. */
export interface DeployEffects {
  build(): Promise<void>;
  check(root: string): Problem[];
  /** Runs the tcb CLI in the project root, its output shown as it comes; resolves to its exit code (non-zero when it reported an error). */
  tcb(args: string[]): Promise<number>;
  /** Whether @cloudbase/cli is installed (node_modules). */
  tcbInstalled(): boolean;
  loginState(): LoginState;
}

export interface DeployOptions {
  root: string;
  argv: string[];
  /** ENV_ID is read from here. */
  env: Record<string, string | undefined>;
  output: DeployOutput;
  effects: DeployEffects;
}

interface DeployArgs {
  dryRun: boolean;
  envId: string | undefined;
  help: boolean;
}

function parseArgs(argv: string[]): DeployArgs | string {
  const args: DeployArgs = { dryRun: false, envId: undefined, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--dry-run') args.dryRun = true;
    else if (arg === '--help' || arg === '-h') args.help = true;
    else if (arg === '--env' || arg === '-e') {
      const value = argv[++i];
      if (value === undefined || value.startsWith('-')) return `${arg} 后面需要环境 ID`;
      args.envId = value;
    } else if (arg.startsWith('--env=')) args.envId = arg.slice('--env='.length);
    else return `不认识的参数 ${arg}`;
  }
  return args;
}

const USAGE = `用法：npm run deploy [-- --dry-run] [-- --env <环境 ID>]
  --dry-run      只打印将要执行的命令，不执行、不修改任何文件
  --env, -e ID   部署到指定环境（默认读取环境变量 ENV_ID，其次是 .env 中的 ENV_ID）`;

function printPlan(output: DeployOutput, steps: DeployStep[]): void {
  for (const [i, step] of steps.entries()) output.out(`[${i + 1}/${steps.length}] ${step.title}: ${commandLine(step.action)}`);
}

export async function runDeploy({ root, argv, env, output, effects }: DeployOptions): Promise<number> {
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    output.err(`✗ ${args}\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    output.out(USAGE);
    return 0;
  }

  const read = readJsonFile(root, CLOUDBASERC);
  if (!read.ok || !isJsonObject(read.value)) {
    output.err(`✗ ${read.ok ? `${CLOUDBASERC} 顶层必须是 JSON 对象` : formatProblem(read.problem)}`);
    return 1;
  }

  const dotenvFile = path.join(root, '.env');
  const resolved = resolveEnvId({
    argument: args.envId,
    environment: env.ENV_ID,
    dotenv: existsSync(dotenvFile) ? readFileSync(dotenvFile, 'utf8') : undefined,
  });
  if (resolved.envId === undefined && args.dryRun) {
    // A first look before any setup: show the plan with a placeholder, and what a real deploy needs.
    output.out('dry run：尚未设置环境 ID（ENV_ID 或 .env），命令中以 <ENV_ID> 代替；真正部署前请先设置。本次不执行任何命令：');
    printPlan(output, planDeploy(read.value, '<ENV_ID>'));
    return 0;
  }
  if (resolved.envId === undefined) {
    output.err(
      [
        '✗ 缺少云开发环境 ID：请设置环境变量 ENV_ID，或复制 .env.example 为 .env 并填写 ENV_ID（云开发控制台 → 环境 → 环境 ID）。',
        '  No CloudBase environment id: set ENV_ID, or copy .env.example to .env and fill in ENV_ID.',
      ].join('\n'),
    );
    return 1;
  }
  if (!isEnvId(resolved.envId)) {
    output.err(`✗ "${resolved.envId}"（来自 ${resolved.source}）不是云开发环境 ID：只能包含字母、数字和 -`);
    return 1;
  }
  const envId = resolved.envId;
  const steps = planDeploy(read.value, envId);

  if (args.dryRun) {
    output.out(`dry run：部署到环境 ${envId}（来自 ${resolved.source}）将依次执行以下命令，本次不执行任何命令：`);
    printPlan(output, steps);
    output.out('（tcb 即 node_modules/.bin/tcb，来自开发依赖 @cloudbase/cli；也可用 npx tcb 手动执行）');
    return 0;
  }

  if (!effects.tcbInstalled()) {
    output.err(
      '✗ 没有安装 tcb 命令行（@cloudbase/cli）：请先在项目根目录运行 npm install。\n  The tcb CLI (@cloudbase/cli) is not installed: run npm install.',
    );
    return 1;
  }
  const login = effects.loginState();
  if (!login.loggedIn) {
    output.err(
      [
        `✗ tcb 未登录（${login.reason}：${login.file}）。请先运行 npx tcb login；CI 中用 npx tcb login --apiKeyId <SecretId> --apiKey <SecretKey>。`,
        '  Not logged in to the tcb CLI: run npx tcb login (in CI: npx tcb login --apiKeyId … --apiKey …).',
      ].join('\n'),
    );
    return 1;
  }

  output.out(`部署到环境 ${envId}（来自 ${resolved.source}）`);
  for (const [i, step] of steps.entries()) {
    const progress = `[${i + 1}/${steps.length}] ${step.title}: ${commandLine(step.action)}`;
    output.out(progress);
    const action = step.action;
    if (action.kind === 'build') {
      try {
        await effects.build();
      } catch (error) {
        output.err(`✗ 构建失败：${error instanceof Error ? error.message : String(error)}`);
        return 1;
      }
    } else if (action.kind === 'check') {
      const problems = effects.check(root);
      if (problems.length > 0) {
        for (const found of problems) output.err(`✗ ${formatProblem(found)}`);
        output.err(`✗ 检查发现 ${problems.length} 个问题，未部署任何内容`);
        return 1;
      }
    } else {
      const code = await effects.tcb(action.args);
      if (code !== 0) {
        output.err(`✗ 第 ${i + 1} 步失败（tcb 退出码 ${code}）：${commandLine(action)}`);
        return code > 0 ? code : 1;
      }
    }
  }
  output.out(`✓ 已部署到环境 ${envId}`);
  return 0;
}

/** The installed CLI's entry script, run with this Node (works the same on Windows). */
function tcbEntry(root: string): string | undefined {
  try {
    const manifestFile = createRequire(path.join(root, 'package.json')).resolve('@cloudbase/cli/package.json');
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { bin?: Record<string, string> };
    const bin = manifest.bin?.tcb;
    return bin ? path.join(path.dirname(manifestFile), bin) : undefined;
  } catch {
    return undefined;
  }
}

export function realEffects(root: string): DeployEffects {
  return {
    build: async () => {
      await buildFunctions();
    },
    check: (projectRoot) => checkProject(projectRoot),
    tcb: (args) =>
      new Promise((resolve) => {
        const entry = tcbEntry(root);
        if (!entry) return resolve(127);
        // Output is passed through as it comes and also kept: `tcb fn deploy` can fail with exit
        // code 0, and only its output tells (lib/tcb-output.ts). stdin stays the terminal's.
        const child = spawn(process.execPath, [entry, ...args], {
          cwd: root,
          stdio: ['inherit', 'pipe', 'pipe'],
          env: process.stdout.isTTY ? { ...process.env, FORCE_COLOR: '1' } : process.env,
        });
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          process.stdout.write(chunk);
        });
        child.stderr.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          process.stderr.write(chunk);
        });
        child.on('error', () => resolve(1));
        child.on('close', (code, signal) => {
          const exitCode = code ?? (signal ? 128 : 1);
          if (exitCode === 0 && cliFailureLines(output).length > 0) {
            console.error('✗ tcb 报告了错误但退出码为 0（@cloudbase/cli 的已知问题），按失败处理');
            return resolve(1);
          }
          resolve(exitCode);
        });
      }),
    tcbInstalled: () => tcbEntry(root) !== undefined,
    loginState: () => readLoginState(),
  };
}

// NodeJS.Require: the test config also sees the mini-program typings, whose `require` has no `main`.
if ((require as unknown as NodeJS.Require).main === module) {
  const root = path.resolve(__dirname, '..');
  runDeploy({
    root,
    argv: process.argv.slice(2),
    env: process.env,
    output: { out: (line) => console.log(line), err: (line) => console.error(line) },
    effects: realEffects(root),
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
