/**
 * How the parts of the local CloudBase emulator plug into its HTTP server.
 *
 * The server (server.ts) owns HTTP: it parses the body wx-server-sdk sends to
 * `POST /admin` (JSON, or multipart/form-data for `wx.openApi`), finds the handler for
 * `action`, and writes the envelope the SDK expects:
 *   success  HTTP 200 `{ requestId, data, ...top }`
 *   failure  HTTP 200 `{ requestId, code, message }`  (from a thrown ServiceError)
 *   raw      HTTP 200 with the given bytes and content type (wx.openApi answers protobuf)
 * Each service (database, functions, storage, openapi) is an EmulatorModule.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface AdminRequest {
  /** e.g. 'database.getDocument', 'functions.invokeFunction', 'wx.openApi' */
  action: string;
  /** JSON body, or for multipart the text fields (string values) */
  body: Record<string, unknown>;
  /** multipart file parts by field name (wx.openApi sends none today, uploads might) */
  files: Record<string, Buffer>;
  /** `env` query parameter / envName */
  env: string;
  /**
   * The invocation this request belongs to: the SDK copies env WX_API_TOKEN into
   * `wxCloudApiToken`, and the function runtime sets a fresh token per invocation.
   * '' when the caller is not a function run by this emulator.
   */
  invocationId: string;
}

export type AdminReply =
  /** `data` goes under `data`; `top` fields are merged at the top level (startTransaction's transactionId). */
  { kind: 'json'; data?: unknown; top?: Record<string, unknown> } | { kind: 'raw'; contentType: string; body: Buffer };

export type AdminHandler = (request: AdminRequest) => Promise<AdminReply>;

/**
 * A plain HTTP route outside /admin (callFunction endpoint, storage downloads, status page).
 * Routes are tried in the order of the modules, then of each module's list; the first whose method
 * and path match answers, unless `handle` resolves with `false` ("not mine": the next route is tried,
 * then 404).
 */
export interface HttpRoute {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';
  /** Exact path, or a prefix when it ends with '/'. */
  path: string;
  // biome-ignore lint/suspicious/noConfusingVoidType: handlers that always answer are plain `async` functions returning nothing.
  handle(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void | boolean>;
}

/** What a module learns when the emulator starts it: where it listens, once it listens. */
export interface EmulatorHost {
  url: string;
  env: string;
  /** Where data persists, or null when in memory. */
  dataDir: string | null;
}

/**
 * A part of the emulator. Lifecycle: made before the server listens (its actions and routes are
 * registered then), `start(host)` once the port is known, `close()` when the emulator stops, in
 * the order server.ts declares (SHUTDOWN_ORDER), never twice.
 */
export interface EmulatorModule {
  name: string;
  actions?: Record<string, AdminHandler>;
  routes?: HttpRoute[];
  /** A page of this module worth a link on the status page (the browser preview). */
  statusLink?: { href: string; label: string };
  start?(host: EmulatorHost): void | Promise<void>;
  /** The module's stop: releases what it holds (files, watchers, workers). */
  close?(): Promise<void>;
}

/**
 * An error the real service would answer with. `code` is the CloudBase error NAME
 * (DATABASE_COLLECTION_NOT_EXIST, DATABASE_DUPLICATE_WRITE, DATABASE_TRANSACTION_CONFLICT,
 * INVALID_PARAM, FUNCTIONS_EXECUTE_FAIL, STORAGE_FILE_NONEXIST, ...): wx-server-sdk maps
 * it to the errCode developers see in production.
 */
export class ServiceError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}
