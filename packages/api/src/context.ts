import type { ServiceConfig } from '@arvlite/config';
import type { Orm } from '@arvlite/db';
import type { ObjectStore } from '@arvlite/storage';
import type { Logger } from 'pino';

/** Long-lived services, wired once in apps/server/src/main.ts. */
export interface ApiDeps {
  config: ServiceConfig;
  orm: Orm;
  storage: ObjectStore;
  log: Logger;
}

export interface RequestMeta {
  requestId: string;
  ip?: string;
  userAgent?: string;
  /** Bearer token from the Authorization header, if any. */
  accessToken?: string;
}

/** Builds the per-request context; usable directly in tests (createCaller) without HTTP. */
export function createContextInner(deps: ApiDeps, meta: RequestMeta) {
  return {
    ...deps,
    requestId: meta.requestId,
    ip: meta.ip,
    userAgent: meta.userAgent,
    accessToken: meta.accessToken,
    em: deps.orm.fork(),
    log: deps.log.child({ requestId: meta.requestId }),
  };
}

export type Context = ReturnType<typeof createContextInner>;
