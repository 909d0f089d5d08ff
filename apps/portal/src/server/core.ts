import { createCore, createProcessLogger, withIdentity, type TCore, type TIdentityDeps } from "@carve/core";
import { env } from "../env.ts";

export type TPortalCore = TCore & TIdentityDeps;

// Next may load a module once per route bundle; the process keeps one core (one database pool,
// one set of queue connections) on globalThis.
const CORE = Symbol.for("carve.portal.core");
const holder = globalThis as { [CORE]?: TPortalCore };

/** The one core deps instance of this server process. */
export function portalCore(): TPortalCore {
  if (!holder[CORE]) {
    const settings = env();
    const log = createProcessLogger("portal", settings.LOG_LEVEL);
    const core = createCore({ databaseUrl: settings.DATABASE_URL, redisUrl: settings.REDIS_URL, queuePrefix: settings.CARVE_QUEUE_PREFIX, log });
    holder[CORE] = withIdentity(core, { secretKey: settings.CARVE_SECRET_KEY });
  }
  return holder[CORE];
}
