/**
 * `npm run admin -- <command>`: the command line, parsed without side effects (tests drive it with
 * plain arrays). Dates are read in China time (UTC+8), the time zone of the people who run it.
 */
import path from 'node:path';
import type { SourceName } from './import/sources';
import type { BanReason } from '../../../typings/contract';
import { BAN_REASONS, isBanReason } from '../../../miniprogram/contract/lists';

export type AdminCommand =
  | { name: 'users-list' }
  | { name: 'users-search'; text: string }
  | { name: 'user-show'; userId: string }
  | { name: 'ban'; userId: string; reason: BanReason; until: Date | null }
  | { name: 'unban'; userId: string }
  | { name: 'delete'; userId: string; yes: boolean }
  | { name: 'export'; userId: string; out: string | null }
  /** Finish the cleanup deletions left (per-user data, files) — what every 注销 does for a few. */
  | { name: 'cleanup' }
  /** Successful paid phone checks per day and their estimated cost (phone-usage.ts). */
  | { name: 'phone-usage' }
  | { name: 'import'; source: SourceName; file: string; appid: string }
  /** The project's own tutorial-style users collection, adopted in place; null collection: the login's (USERS_COLLECTION). */
  | { name: 'import-users'; appid: string; collection: string | null }
  /** WeChat's list of revocations (授权用户信息变更), applied as the pushes would have been (revocations.ts). */
  | { name: 'revocations'; file: string; appid: string };

export interface AdminOptions {
  /** Print JSON for scripts instead of a table. */
  json: boolean;
  /** Print what a change would do, write nothing. */
  dryRun: boolean;
  /** --operator, else null (the OS user is filled in by the runner). */
  operator: string | null;
  /** A real CloudBase environment; null: the running `npm start` of this project. */
  env: string | null;
  /** A running emulator to use instead of the one recorded in the data folder. */
  url: string | null;
  /** --data-dir: the running `npm start` of this data folder; null: any running one of this project. */
  dataDir: string | null;
  /** The project's functions folder, which names its running emulators. */
  functionsRoot: string;
  /** At most this many rows for list and search. */
  limit: number;
}

export type ParsedAdmin = { ok: true; command: AdminCommand; options: AdminOptions } | { ok: false; message: string };

export const ADMIN_USAGE = `用法 Usage: npm run admin -- <命令 command> [选项 options]
命令 Commands:
  users list                         最近创建的用户 / the newest users
  users search <文本>                按用户 ID、昵称、手机号后 4 位或身份键查找 / by user id, nickname, last 4 phone digits or identity key
  user show <用户ID>                 资料、登录方式（脱敏）与审计记录 / profile, masked sign-in methods, audit entries
  ban <用户ID> --reason <原因> [--until 2026-12-31]
                                     封禁（不带 --until 则直到解封）；原因: ${BAN_REASONS.join(' | ')}
                                     / ban (without --until: until lifted)
  unban <用户ID>                     解除封禁 / lift a ban
  delete <用户ID> --yes              注销账号（与本人注销同一段代码）；不带 --yes 只显示将删除的内容并以 2 退出
                                     / delete the account, the same code as 注销; without --yes: print the plan, exit 2
  export <用户ID> [--out <文件>]      导出本人可下载的同一份个人信息（JSON；默认输出到 stdout），并记入审计
                                     / the person's own 下载我的信息 document (stdout, or --out), audited
  cleanup                            完成注销后因故障未完成的清理（笔记等数据、头像与导出文件），与每次注销顺带清理的相同
                                     / finish what deletions left (per-user data, files), as every deletion does for a few
  phone-usage                        每天成功的手机号验证次数（快速 / 实时）与估算费用
                                     / successful phone checks per day (quick / real-time) and their estimated cost
  import leancloud <文件> --appid <AppID>
  import uni-id <文件> --appid <AppID>
                                     从 LeanCloud _User / uni-id-users 的导出文件导入用户（JSON 数组、JSON Lines 或 { results }）
                                     / import people from a LeanCloud or uni-id export
  import users --appid <AppID> [--collection users]
                                     接管本环境教程式 users 集合中尚未接管的文档（保留 _id，删除 session_key），与登录时的自动接管相同
                                     / adopt every tutorial-style document of the users collection in place, as a login would
  revocations <文件> --appid <AppID>
                                     补处理微信的撤回授权清单（与消息推送同一段代码，可重复运行）：撤回昵称/头像则清除，撤回手机号则解绑并删除号码，
                                     注销微信则移除该微信、无其他登录方式时注销账号；文件为推送消息的 JSON（数组或逐行）或带表头的 CSV
                                     / apply WeChat's revocation list (the push function's code; safe to run again): JSON messages or a CSV with a header
选项 Options:
  --env <ENV_ID>      真实云开发环境（凭据取自 TENCENTCLOUD_SECRETID / TENCENTCLOUD_SECRETKEY）
                      / a real CloudBase environment (credentials from the standard variables)
  --url <URL>         使用这个正在运行的模拟器 / use this running emulator
  --data-dir <DIR>    使用这个数据目录的 npm start（默认：本项目任意一个运行中的） / the npm start of this data folder (default: any running one)
  --operator <名字>   审计记录中的操作人（默认系统用户名） / operator named in the audit entry (default: the OS user)
  --dry-run           只显示将要做的修改，不写入 / print the change, write nothing
  --json              输出 JSON / print JSON
  --limit <N>         列表最多行数（默认 20，最多 100） / at most N rows (default 20, max 100)
`;

const FLAGS = new Set(['json', 'dry-run', 'help', 'yes']);
const OPTIONS = new Set(['env', 'url', 'data-dir', 'operator', 'reason', 'until', 'limit', 'appid', 'collection', 'out']);
const DAY_MS = 24 * 60 * 60 * 1000;

/** `2026-12-31` bans through that day, China time; a full ISO time is taken as given. Must lie after `now`. */
export function parseUntil(text: string, now: Date): Date | string {
  let until: Date;
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    until = new Date(new Date(`${text}T00:00:00+08:00`).getTime() + DAY_MS);
  } else if (/^\d{4}-\d{2}-\d{2}T/.test(text)) {
    until = new Date(text);
  } else {
    return `--until 需要日期，例如 2026-12-31 / --until needs a date such as 2026-12-31: ${text}`;
  }
  if (Number.isNaN(until.getTime())) return `--until 不是有效日期 / --until is not a valid date: ${text}`;
  if (until.getTime() <= now.getTime()) return `--until 必须晚于现在 / --until must lie in the future: ${text}`;
  return until;
}

export function parseAdminArgs(argv: string[], now: Date, cwd = process.cwd()): ParsedAdmin {
  const positionals: string[] = [];
  const values = new Map<string, string>();
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index] as string;
    if (!argument.startsWith('--')) {
      positionals.push(argument);
      continue;
    }
    const equals = argument.indexOf('=');
    const name = equals > 0 ? argument.slice(2, equals) : argument.slice(2);
    if (FLAGS.has(name) && equals < 0) values.set(name, '');
    else if (OPTIONS.has(name)) {
      const value = equals > 0 ? argument.slice(equals + 1) : argv[++index];
      if (value === undefined || value === '') return { ok: false, message: `--${name} 缺少值 / needs a value` };
      values.set(name, value);
    } else return { ok: false, message: `未知参数 / unknown option: ${argument}` };
  }
  if (values.has('help') || positionals.length === 0) return { ok: false, message: '' };

  const limitText = values.get('limit') ?? '20';
  const limit = Number(limitText);
  if (!/^\d+$/.test(limitText) || limit < 1 || limit > 100)
    return { ok: false, message: `--limit 应为 1–100 / --limit must be 1–100: ${limitText}` };
  const url = values.get('url') ?? null;
  if (url !== null && !/^https?:\/\/[^/]+/.test(url)) return { ok: false, message: `--url 无效 / invalid URL: ${url}` };
  const options: AdminOptions = {
    json: values.has('json'),
    dryRun: values.has('dry-run'),
    operator: values.get('operator') ?? null,
    env: values.get('env') ?? null,
    url: url?.replace(/\/+$/, '') ?? null,
    dataDir: values.has('data-dir') ? path.resolve(cwd, values.get('data-dir') as string) : null,
    functionsRoot: path.join(cwd, 'cloudfunctions'),
    limit,
  };
  if (options.env !== null && options.url !== null)
    return { ok: false, message: '--env 与 --url 不能同时使用 / --env and --url exclude each other' };

  const [verb, ...rest] = positionals;
  const command = readCommand(verb as string, rest, values, now, cwd);
  if (typeof command === 'string') return { ok: false, message: command };
  if (command.name !== 'ban' && (values.has('reason') || values.has('until')))
    return { ok: false, message: '--reason / --until 只用于 ban / only ban takes --reason and --until' };
  if (command.name !== 'delete' && values.has('yes')) return { ok: false, message: '--yes 只用于 delete / only delete takes --yes' };
  if (command.name !== 'export' && values.has('out')) return { ok: false, message: '--out 只用于 export / only export takes --out' };
  if (command.name !== 'import' && command.name !== 'import-users' && command.name !== 'revocations' && values.has('appid'))
    return { ok: false, message: '--appid 只用于 import 与 revocations / only import and revocations take --appid' };
  if (command.name !== 'import-users' && values.has('collection'))
    return { ok: false, message: '--collection 只用于 import users / only import users takes --collection' };
  return { ok: true, command, options };
}

function readCommand(verb: string, rest: string[], values: Map<string, string>, now: Date, cwd: string): AdminCommand | string {
  const one = (): string | null => (rest.length === 1 ? (rest[0] as string) : null);
  switch (verb) {
    case 'users': {
      const [sub, ...args] = rest;
      if (sub === 'list' && args.length === 0) return { name: 'users-list' };
      if (sub === 'search' && args.length === 1) return { name: 'users-search', text: args[0] as string };
      return '用法 / usage: users list | users search <文本>';
    }
    case 'user': {
      const [sub, id, ...extra] = rest;
      if (sub === 'show' && id && extra.length === 0) return { name: 'user-show', userId: id };
      return '用法 / usage: user show <用户ID>';
    }
    case 'ban': {
      const userId = one();
      if (!userId) return '用法 / usage: ban <用户ID> --reason <原因> [--until 2026-12-31]';
      const reason = values.get('reason');
      if (!reason || !isBanReason(reason)) return `--reason 必须是 / must be one of: ${BAN_REASONS.join(', ')}`;
      const untilText = values.get('until');
      const until = untilText === undefined ? null : parseUntil(untilText, now);
      if (typeof until === 'string') return until;
      return { name: 'ban', userId, reason, until };
    }
    case 'import': {
      if (rest[0] === 'users') {
        if (rest.length > 1) return '用法 / usage: import users --appid <AppID> [--collection users]';
        const appid = values.get('appid');
        if (!appid) return '--appid 必填：users 集合中的 openid 属于哪个小程序 / --appid names the mini-program the openids belong to';
        return { name: 'import-users', appid, collection: values.get('collection') ?? null };
      }
      const [source, file, ...extra] = rest;
      if ((source !== 'leancloud' && source !== 'uni-id') || !file || extra.length > 0)
        return '用法 / usage: import leancloud|uni-id <文件> --appid <AppID> | import users --appid <AppID>';
      const appid = values.get('appid');
      if (!appid) return '--appid 必填：导出文件中的 openid 属于哪个小程序 / --appid names the mini-program the openids belong to';
      return { name: 'import', source, file: path.resolve(cwd, file), appid };
    }
    case 'revocations': {
      const file = one();
      if (!file) return '用法 / usage: revocations <文件> --appid <AppID>';
      const appid = values.get('appid');
      if (!appid) return '--appid 必填：清单中的 openid 属于哪个小程序 / --appid names the mini-program the openids belong to';
      return { name: 'revocations', file: path.resolve(cwd, file), appid };
    }
    case 'delete': {
      const userId = one();
      return userId ? { name: 'delete', userId, yes: values.has('yes') } : '用法 / usage: delete <用户ID> --yes';
    }
    case 'export': {
      const userId = one();
      const out = values.get('out');
      return userId ? { name: 'export', userId, out: out ? path.resolve(cwd, out) : null } : '用法 / usage: export <用户ID> [--out <文件>]';
    }
    case 'cleanup':
      return rest.length === 0 ? { name: 'cleanup' } : '用法 / usage: cleanup';
    case 'phone-usage':
      return rest.length === 0 ? { name: 'phone-usage' } : '用法 / usage: phone-usage';
    case 'unban': {
      const userId = one();
      return userId ? { name: 'unban', userId } : '用法 / usage: unban <用户ID>';
    }
    default:
      return `未知命令 / unknown command: ${verb}`;
  }
}
