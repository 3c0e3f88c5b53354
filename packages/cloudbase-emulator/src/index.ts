/**
 * The package's public surface: the emulator itself, its CLI runners, and the module contract that
 * add-ons (the mini-program preview, the status page, export/import) implement.
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
export { PUSH_USAGE, parsePushArgs, runPush } from './push/push-cli';
export {
  defaultDataDir,
  DEFAULT_APPID,
  DEFAULT_PORT,
  readRunningRecord,
  runClock,
  runExec,
  runInvoke,
  runStart,
  URL_VARIABLE,
} from './cli';
export type { ExecHooks, Output, StartHooks } from './cli';
export { createRunningRegistry } from './running-registry';
export type { RunningRecord, RunningRegistry } from './running-registry';
export { exportSnapshot, importSnapshot } from './snapshot';
export type { EmulatorModule, HttpRoute } from './core/module';
export { assertFails, assertSucceeds, initializeTestEnvironment } from './rules-testing';
export type { RulesTestContext, RulesTestEnvironment, TestEnvironmentOptions } from './rules-testing';
export { createClientDatabase } from './client/database';
export type { ClientCollection, ClientDatabase, ClientDatabaseOptions, ClientDocument, ClientQuery, WxCloudError } from './client/database';
export type { ClientDenial } from './activity-log';
