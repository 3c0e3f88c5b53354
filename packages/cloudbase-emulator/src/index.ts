/**
 * The package's public surface: the emulator itself, its CLI runners, and the module contract that
 * add-ons (the mini-program preview, the status page, export/import) implement.
 */
export { createEmulator, defaultFunctionsRoot, DEFAULT_ENV, isLocalOrigin, isOwnHost, sdkEnvFor } from './server';
export type { Caller, Emulator, EmulatorOptions, FaultInjector, FaultRule, FunctionStats, Invocation, RequestRecord } from './server';
export { defaultDataDir, DEFAULT_APPID, DEFAULT_PORT, readRunningRecord, runInvoke, runStart } from './cli';
export type { RunningRecord } from './cli';
export type { Output, StartHooks } from './cli';
export type { EmulatorModule, HttpRoute } from './core/module';
