/** Moved to the shared package (one copy for every cloud function); re-exported so login's imports stay. */
export * from '@wx-cloud-login/server-auth/src/phone';
