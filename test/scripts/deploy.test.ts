import { runDeploy, type DeployEffects } from '../../scripts/deploy';
import { problem } from '../../scripts/lib/problem';
import type { LoginState } from '../../scripts/lib/tcb-login';
import { copyValidProject, removeFixtureCopies, VALID_PROJECT } from './support/fixture-project';

afterAll(removeFixtureCopies);

const LOGGED_IN: LoginState = { loggedIn: true, kind: 'api-key', file: '/home/dev/.config/.cloudbase/auth.json' };

interface Recorded {
  effects: DeployEffects;
  calls: string[];
}

/** Effects that record what the deploy asked for; `tcbExit` answers each tcb call in turn (default 0). */
function recordingEffects(overrides: Partial<DeployEffects> = {}, tcbExit: number[] = []): Recorded {
  const calls: string[] = [];
  const effects: DeployEffects = {
    build: async () => void calls.push('build'),
    check: () => {
      calls.push('check');
      return [];
    },
    tcb: async (args) => {
      calls.push(`tcb ${args.join(' ')}`);
      return tcbExit.shift() ?? 0;
    },
    tcbInstalled: () => true,
    loginState: () => LOGGED_IN,
    ...overrides,
  };
  return { effects, calls };
}

async function deploy(argv: string[], env: Record<string, string | undefined>, effects: DeployEffects, root = VALID_PROJECT) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runDeploy({ root, argv, env, effects, output: { out: (line) => out.push(line), err: (line) => err.push(line) } });
  return { code, out, err };
}

describe('npm run deploy', () => {
  it('with --dry-run, prints the exact commands in order and runs none of them', async () => {
    const { effects, calls } = recordingEffects({
      tcbInstalled: () => false,
      loginState: () => ({ loggedIn: false, reason: 'never', file: 'x' }),
    });
    const { code, out } = await deploy(['--dry-run'], { ENV_ID: 'cloud1-abc' }, effects);

    expect(code).toBe(0);
    expect(calls).toEqual([]);
    expect(out.filter((line) => line.startsWith('['))).toEqual([
      '[1/4] 构建云函数: npm run build',
      '[2/4] 离线检查: npm run check',
      '[3/4] 创建数据库集合、索引与权限（2 个集合）: tcb framework deploy database -e cloud1-abc',
      '[4/4] 部署云函数 login: tcb fn deploy login --force -e cloud1-abc',
    ]);
  });

  it('without an environment id, exits 1 explaining ENV_ID and .env, before doing anything', async () => {
    const { effects, calls } = recordingEffects();
    const { code, err } = await deploy([], {}, effects);

    expect(code).toBe(1);
    expect(calls).toEqual([]);
    expect(err.join('\n')).toContain('ENV_ID');
    expect(err.join('\n')).toContain('.env');
  });

  it('with --dry-run but no environment id yet, prints the plan with an <ENV_ID> placeholder and runs nothing', async () => {
    const { effects, calls } = recordingEffects();
    const { code, out } = await deploy(['--dry-run'], {}, effects);

    expect(code).toBe(0);
    expect(calls).toEqual([]);
    expect(out.join('\n')).toContain("tcb fn deploy login --force -e '<ENV_ID>'");
    expect(out.join('\n')).toContain('ENV_ID');
  });

  it('reads the environment id from a git-ignored .env when ENV_ID is not set', async () => {
    const project = copyValidProject();
    project.write('.env', 'ENV_ID=from-dotenv-1\n');
    const { code, out } = await deploy(['--dry-run'], {}, recordingEffects().effects, project.root);

    expect(code).toBe(0);
    expect(out.join('\n')).toContain('tcb fn deploy login --force -e from-dotenv-1');
  });

  it('lets --env override ENV_ID', async () => {
    const { out } = await deploy(['--dry-run', '--env', 'staging-2'], { ENV_ID: 'cloud1-abc' }, recordingEffects().effects);
    expect(out.join('\n')).toContain('-e staging-2');
    expect(out.join('\n')).not.toContain('cloud1-abc');
  });

  it('without tcb login, exits 1 telling how to log in, before building', async () => {
    const { effects, calls } = recordingEffects({ loginState: () => ({ loggedIn: false, reason: '登录已过期', file: '/h/auth.json' }) });
    const { code, err } = await deploy([], { ENV_ID: 'cloud1-abc' }, effects);

    expect(code).toBe(1);
    expect(calls).toEqual([]);
    expect(err.join('\n')).toContain('tcb login');
  });

  it('without the CLI installed, exits 1 telling to run npm install', async () => {
    const { effects, calls } = recordingEffects({ tcbInstalled: () => false });
    const { code, err } = await deploy([], { ENV_ID: 'cloud1-abc' }, effects);

    expect(code).toBe(1);
    expect(calls).toEqual([]);
    expect(err.join('\n')).toContain('npm install');
  });

  it('builds, checks, provisions the database, then deploys each function, one progress line per step', async () => {
    const { effects, calls } = recordingEffects();
    const { code, out } = await deploy([], { ENV_ID: 'cloud1-abc' }, effects);

    expect(code).toBe(0);
    expect(calls).toEqual(['build', 'check', 'tcb framework deploy database -e cloud1-abc', 'tcb fn deploy login --force -e cloud1-abc']);
    expect(out.filter((line) => /^\[\d\/4\]/.test(line))).toHaveLength(4);
  });

  it('stops before any tcb command when check finds problems, printing file and field', async () => {
    const { effects, calls } = recordingEffects({
      check: () => [problem('cloudbaserc.json', 'functions[0].runtime', '未设置 runtime')],
    });
    const { code, err } = await deploy([], { ENV_ID: 'cloud1-abc' }, effects);

    expect(code).toBe(1);
    expect(calls.some((call) => call.startsWith('tcb'))).toBe(false);
    expect(err.join('\n')).toContain('cloudbaserc.json › functions[0].runtime');
  });

  it('stops at the first failing tcb step with its exit code', async () => {
    const { effects, calls } = recordingEffects({}, [3]);
    const { code, err } = await deploy([], { ENV_ID: 'cloud1-abc' }, effects);

    expect(code).toBe(3);
    expect(calls).toEqual(['build', 'check', 'tcb framework deploy database -e cloud1-abc']);
    expect(err.join('\n')).toContain('tcb framework deploy database -e cloud1-abc');
  });

  it('rejects an unknown argument with usage, exit 2', async () => {
    const { code, err } = await deploy(['--dryrun'], { ENV_ID: 'cloud1-abc' }, recordingEffects().effects);
    expect(code).toBe(2);
    expect(err.join('\n')).toContain('--dry-run');
  });
});
