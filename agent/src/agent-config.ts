import { chmod, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { z } from "zod";
import { AgentConfigError } from "./env.ts";
import { temporaryPathFor } from "./temporary-path.ts";

/** What `carve-agent join` learns and `carve-agent run` needs: the file is the host's identity. */
export const ZAgentConfigFile = z.object({
  hostId: z.uuid(),
  hostName: z.string(),
  libvirtUri: z.string(),
  redisUrl: z.string(),
  queuePrefix: z.string(),
  /** The host's own Redis user (null: the URL's credentials, when Redis has no ACLs). */
  redisUser: z.string().nullable(),
  /** The host's own credential: its Redis password. Never logged. */
  credential: z.string(),
  joinedAt: z.string(),
  /** Where join made the host's key pair (`--data-dir`): run and doctor must use the same one. Absent in files joined before it was kept. */
  dataDir: z.string().optional(),
});
export type TAgentConfigFile = z.infer<typeof ZAgentConfigFile>;

/**
 * Reads the config file as the environment variables it stands for. A missing file is fine unless
 * someone named it (CARVE_AGENT_CONFIG / --config); an unreadable or malformed one stops start-up.
 */
export async function readAgentConfig(path: string, explicit: boolean): Promise<Record<string, string>> {
  let raw: string;
  try {
    raw = await readFile(path, "utf8");
  } catch (error) {
    if (!explicit && (error as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw new AgentConfigError([`the config file ${path} cannot be read (${(error as Error).message}); run 'carve-agent join --token …' first or fix CARVE_AGENT_CONFIG`]);
  }
  let parsed;
  try {
    parsed = ZAgentConfigFile.safeParse(JSON.parse(raw));
  } catch {
    parsed = null;
  }
  if (!parsed?.success) throw new AgentConfigError([`the config file ${path} is not valid agent config; join again ('carve-agent join --token …') to rewrite it`]);
  const c = parsed.data;
  return {
    CARVE_HOST_ID: c.hostId,
    CARVE_LIBVIRT_URI: c.libvirtUri,
    REDIS_URL: c.redisUrl,
    CARVE_QUEUE_PREFIX: c.queuePrefix,
    ...(c.redisUser ? { CARVE_REDIS_USERNAME: c.redisUser, CARVE_REDIS_PASSWORD: c.credential } : {}),
    ...(c.dataDir ? { CARVE_AGENT_DATA_DIR: c.dataDir } : {}),
  };
}

/** Writes the config file readable by its owner only (it holds the host's credential), atomically. */
export async function writeAgentConfig(path: string, config: TAgentConfigFile): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = temporaryPathFor(path);
  await writeFile(temporary, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, path);
}
