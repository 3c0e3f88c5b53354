/**
 * @wx-cloud-login/server-auth: the current user in every cloud function of this kit. Source kept in
 * one place (this package) and bundled into each function's index.js by scripts/build.ts, so every
 * function folder stays self-contained for DevTools 上传并部署 and `tcb fn deploy`.
 */
export * from './ban';
export * from './client-written';
export * from './cloudbase-errors';
export * from './cloudbase-lookup';
export * from './envelope';
export * from './errors';
export * from './event-fields';
export * from './identity';
export * from './late-write';
export * from './phone';
export * from './profile';
export * from './protected-function';
export * from './public-user';
export * from './resolve-user';
export * from './user-cache';
export * from './user-data';
export * from './user-record';
// The contract's types a team function's answers are written in.
export type { BanDetails, ErrorBody, ErrorCode, PublicUser, RateLimitDetails, Result } from '../../../typings/contract';
