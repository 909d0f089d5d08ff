import { hostname, userInfo } from "node:os";
import { CarveError, createCore, operatorActor, withIdentity, type TActor, type TCore, type TIdentityDeps, type TOrigin } from "@carve/core";
import { pino } from "pino";
import type { TCarveClient } from "./client/carve-client.ts";
import { localClient } from "./client/local-client.ts";
import { loadEnv } from "./env.ts";
import { credentialsPath, readCredentials } from "./remote/credentials.ts";
import { remoteClient } from "./remote/remote-client.ts";

export interface TSession {
  /** Core with identity's options (CARVE_SECRET_KEY, for the directory password and the setup token). */
  core: TCore & TIdentityDeps;
  actor: TActor;
}

/** The command being run ("vm create"), for messages; main.ts sets it before each action. */
let commandName = "this command";
export function setCommandName(name: string): void {
  commandName = `'carve ${name}'`;
}

/**
 * Who ran the local CLI, for the audit trail: the OS account and the machine. Anyone who can read
 * DATABASE_URL can act as the operator; this records which person on the server did.
 */
function localOrigin(): TOrigin {
  let osUser: string;
  try {
    osUser = userInfo().username;
  } catch {
    osUser = `uid ${process.getuid?.() ?? "?"}`; // an account without a passwd entry (a container)
  }
  return { osUser, osHost: hostname() };
}

/**
 * Runs one command against core as the operator (the CLI on the management server, next to the
 * database), then closes every connection so the process exits. Refused when this CLI is logged
 * in to a remote server: a command that is not remote yet never falls back to the database.
 * `instead`: what the refusal suggests doing (default: run it on the management server, or use the portal).
 */
export async function withSession<T>(work: (session: TSession) => Promise<T>, instead = "Run it on the management server (or use the portal)"): Promise<T> {
  const env = loadEnv();
  const credentials = readCredentials(credentialsPath(env));
  if (credentials) {
    throw new CarveError(
      "LOCAL_ONLY",
      `${commandName} works only on the management server, and this CLI is logged in to ${credentials.url}. ${instead}; 'carve logout' returns this CLI to local mode.`,
    );
  }
  const core = createCore({
    databaseUrl: env.DATABASE_URL,
    redisUrl: env.REDIS_URL,
    queuePrefix: env.CARVE_QUEUE_PREFIX,
    log: pino({ level: "silent" }),
  });
  try {
    return await work({ core: withIdentity(core, { secretKey: env.CARVE_SECRET_KEY }), actor: await operatorActor(core, localOrigin()) });
  } finally {
    await core.close();
  }
}

/**
 * Runs a command that works both ways: through the Carve server's /api/v1 as the API key's user
 * when `carve login` stored one, otherwise on this machine's database as the operator.
 */
export async function withClient<T>(work: (client: TCarveClient) => Promise<T>): Promise<T> {
  const env = loadEnv();
  const credentials = readCredentials(credentialsPath(env));
  if (credentials) return work(remoteClient(credentials));
  return withSession(({ core, actor }) => work(localClient(core, actor, { portalUrl: env.CARVE_PORTAL_URL })));
}
