/**
 * The package's public surface: the emulator itself, its CLI runners, and the module contract that
 * add-ons (the mini-program preview, the status page, export/import) implement.
 *
 * The command lines, rules testing and the client database load when first called (the functions at the end):
 * a test file that only starts an emulator does not load them, nor @cloudbase/database and the bson
 * it brings. Under Jest, which loads the package afresh for every test file, that was ~28 ms of CPU
 * per file.
 */
export { defaultDependencyCache, npmInstaller } from './functions/dependencies';
export { createEmulator, defaultFunctionsRoot, DEFAULT_ENV, isLocalOrigin, isOwnHost, sdkEnvFor } from './server';
export { parseDuration } from './emulator-clock';
export type {
  Caller,
  ClockState,
  DependencyInstaller,
  DependencyInstallRequest,
  DependencyOptions,
  Emulator,
  EmulatorCheckpoint,
  EmulatorClock,
  EmulatorOptions,
  FaultInjector,
  FaultRule,
  FunctionStats,
  Invocation,
  PushDelivery,
  PushTarget,
  RequestRecord,
} from './server';
export { encryptMessage, signedPush, wechatSignature } from './push/wechat-message-crypto';
export { PUSH_USAGE } from './push/push-usage';
export { DEFAULT_APPID, DEFAULT_PORT, defaultDataDir, URL_VARIABLE } from './cli-defaults';
export type { ExecHooks, Output, StartHooks } from './cli';
export { createRunningRegistry } from './running-registry';
export type { RunningRecord, RunningRegistry } from './running-registry';
export { exportSnapshot, importSnapshot } from './snapshot';
export type { EmulatorModule, HttpRoute } from './core/module';
export type { RulesTestContext, RulesTestEnvironment, TestEnvironmentOptions } from './rules-testing';
export type { ClientCollection, ClientDatabase, ClientDatabaseOptions, ClientDocument, ClientQuery, WxCloudError } from './client/database';
export type { ClientDenial } from './activity-log';

type Cli = typeof import('./cli');
type PushCli = typeof import('./push/push-cli');
type RulesTesting = typeof import('./rules-testing');
type ClientDatabaseModule = typeof import('./client/database');

// Node caches each module: every call after the first gets the same module object.
const cli = () => require('./cli') as Cli;
const pushCli = () => require('./push/push-cli') as PushCli;
const rulesTesting = () => require('./rules-testing') as RulesTesting;
const clientDatabase = () => require('./client/database') as ClientDatabaseModule;

export const readRunningRecord: Cli['readRunningRecord'] = (dataDir) => cli().readRunningRecord(dataDir);
export const runStart: Cli['runStart'] = (argv, hooks) => cli().runStart(argv, hooks);
export const runExec: Cli['runExec'] = (argv, hooks) => cli().runExec(argv, hooks);
export const runInvoke: Cli['runInvoke'] = (argv, output, options) => cli().runInvoke(argv, output, options);
export const runClock: Cli['runClock'] = (argv, output, options) => cli().runClock(argv, output, options);
export const parsePushArgs: PushCli['parsePushArgs'] = (argv, cwd) => pushCli().parsePushArgs(argv, cwd);
export const runPush: PushCli['runPush'] = (argv, output, options) => pushCli().runPush(argv, output, options);
export const assertFails: RulesTesting['assertFails'] = (operation) => rulesTesting().assertFails(operation);
export const assertSucceeds: RulesTesting['assertSucceeds'] = (operation) => rulesTesting().assertSucceeds(operation);
export const initializeTestEnvironment: RulesTesting['initializeTestEnvironment'] = (options) =>
  rulesTesting().initializeTestEnvironment(options);
export const createClientDatabase: ClientDatabaseModule['createClientDatabase'] = (options) =>
  clientDatabase().createClientDatabase(options);
