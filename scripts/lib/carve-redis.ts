import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { CONTROL_REDIS_USER, localRedisFile, readLocalRedis, redisAclFile, redisUrlWith, type TLocalRedisFile } from "@carve/core";
import { JOIN_REDIS_USER } from "@carve/protocol";
import { startService, type TService } from "./service.ts";

/**
 * `npm start`'s own Redis: its own port, data directory (append-only file) and ACL file under
 * `<state>/redis`, so the machine's Redis (left as it is) is not Carve's. `default` is off; the
 * control plane's user (`carve`) and the join user (`carve-join`) have passwords generated on the
 * first start and kept in `<state>/redis/redis.json` (0600; the ACL file holds their sha256 only).
 * The controller adds each joined host's own user at run time.
 */
export async function startCarveRedis(options: { stateDir: string; port: number; prefix: string; logFile: string }): Promise<{ service: TService; settings: TLocalRedisFile }> {
  const dir = join(options.stateDir, "redis");
  mkdirSync(join(dir, "data"), { recursive: true, mode: 0o700 });
  const known = readLocalRedis(options.stateDir);
  const controlPassword = known?.controlPassword ?? randomBytes(24).toString("base64url");
  const joinPassword = known?.joinPassword ?? randomBytes(24).toString("base64url");
  const address = `redis://127.0.0.1:${options.port}`;
  const settings: TLocalRedisFile = {
    redisUrl: redisUrlWith(address, CONTROL_REDIS_USER, controlPassword),
    joinRedisUrl: redisUrlWith(address, JOIN_REDIS_USER, joinPassword),
    controlPassword,
    joinPassword,
  };
  const file = localRedisFile(options.stateDir);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
  // Rewritten on every start: the join user's keys follow CARVE_QUEUE_PREFIX.
  const aclFile = join(dir, "users.acl");
  writeFileSync(aclFile, redisAclFile(options.prefix, { control: controlPassword, join: joinPassword }), { mode: 0o600 });
  const service = await startService({
    name: "redis",
    entry: "redis-server",
    command: "redis-server",
    args: ["--port", String(options.port), "--bind", "127.0.0.1", "--dir", join(dir, "data"), "--aclfile", aclFile, "--appendonly", "yes", "--save", "", "--maxmemory-policy", "noeviction"],
    env: {},
    logFile: options.logFile,
    readyText: "Ready to accept connections",
  });
  return { service, settings };
}
