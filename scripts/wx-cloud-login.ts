/**
 * `wx-cloud-login add <project> …` and `wx-cloud-login admin <command> …`: the installer and the
 * operator CLI as one command, the bin of the `wx-cloud-login` package (packages/cli). Each
 * subcommand is the same entry function `npm run add` and `npm run admin` run from a clone; only
 * where the kit's files are read from differs (`kitRoot`: this repository, or the package's kit/).
 */
import path from 'node:path';
import { runAdd } from './add';
import { runAdmin } from './lib/admin/run';

export const CLI_USAGE = `用法 Usage: wx-cloud-login add <开发者工具项目路径> [选项 options]   把登录装进已有的小程序 / install the login into a DevTools project
       wx-cloud-login admin <命令 command> [选项 options]           运营管理：查找、封禁、注销、导出、导入 / operator commands
每个命令的 --help 列出全部选项 / --help after a command lists its options
`;

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: NodeJS.ProcessEnv;
  isTTY: boolean;
}

export async function runCli(argv: string[], io: CliIo, kitRoot: string): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'add') return runAdd(rest, io, kitRoot);
  if (command === 'admin') return runAdmin(rest, io);
  io.stderr(
    command === undefined || command === '--help' || command === '-h' ? CLI_USAGE : `未知命令 / unknown command: ${command}\n${CLI_USAGE}`,
  );
  return command === undefined || command === '--help' || command === '-h' ? 0 : 2;
}

/** Runs the CLI in this process; `kitRoot` defaults to this repository (scripts/..). */
export function main(kitRoot = path.resolve(__dirname, '..')): void {
  runCli(
    process.argv.slice(2),
    {
      stdout: (text) => process.stdout.write(text),
      stderr: (text) => process.stderr.write(text),
      env: process.env,
      isTTY: process.stderr.isTTY === true,
    },
    kitRoot,
  ).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}

// NodeJS.Require: the test config also sees the mini-program typings, whose `require` has no `main`.
if ((require as unknown as NodeJS.Require).main === module) main();
