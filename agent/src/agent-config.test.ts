import { mkdtemp, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readAgentConfig, writeAgentConfig, type TAgentConfigFile } from "./agent-config.ts";
import { AgentConfigError, loadAgentEnv } from "./env.ts";

const HOST = "6f1c2a9e-8d4b-4c1e-9f3a-2b7d5e0c1a44";
const CONFIG: TAgentConfigFile = {
  hostId: HOST, hostName: "hv1", libvirtUri: "qemu:///system", redisUrl: "redis://mgmt:6379", queuePrefix: "carve",
  redisUser: `carve-host-${HOST}`, credential: "carve-host-secret", joinedAt: "2026-11-27T06:00:00.000Z",
}; // prettier-ignore

describe("the agent's config file", () => {
  it("is written for its owner only and read back as settings the environment overrides", async () => {
    const path = join(await mkdtemp(join(tmpdir(), "carve-cfg-")), "etc", "agent.json");
    await writeAgentConfig(path, CONFIG);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const file = await readAgentConfig(path, true);
    expect(loadAgentEnv({}, file)).toMatchObject({
      CARVE_HOST_ID: HOST, CARVE_LIBVIRT_URI: "qemu:///system", REDIS_URL: "redis://mgmt:6379", CARVE_QUEUE_PREFIX: "carve",
      CARVE_REDIS_USERNAME: `carve-host-${HOST}`, CARVE_REDIS_PASSWORD: "carve-host-secret",
    }); // prettier-ignore
    expect(loadAgentEnv({ REDIS_URL: "redis://10.0.0.1:6379", LOG_LEVEL: "debug" }, file)).toMatchObject({ REDIS_URL: "redis://10.0.0.1:6379", CARVE_HOST_ID: HOST, LOG_LEVEL: "debug" });
  });

  it("keeps join's --data-dir, so run and doctor use the host key join made", async () => {
    const path = join(await mkdtemp(join(tmpdir(), "carve-cfg-")), "agent.json");
    await writeAgentConfig(path, { ...CONFIG, dataDir: "/srv/carve-agent" });
    expect(loadAgentEnv({}, await readAgentConfig(path, true)).CARVE_AGENT_DATA_DIR).toBe("/srv/carve-agent");
    expect(loadAgentEnv({ CARVE_AGENT_DATA_DIR: "/elsewhere" }, await readAgentConfig(path, true)).CARVE_AGENT_DATA_DIR).toBe("/elsewhere");
  });

  it("is what a host that never joined lacks: run and doctor point to carve-agent join", async () => {
    const path = join(await mkdtemp(join(tmpdir(), "carve-cfg-")), "agent.json");
    expect(() => loadAgentEnv({}, {}, path)).toThrow(`this host has not joined Carve: there is no config file at ${path} (and no CARVE_HOST_ID). Run 'carve-agent join --token TOKEN --redis URL'`);
  });

  it("is ignored as a whole when the environment names another host", async () => {
    const path = join(await mkdtemp(join(tmpdir(), "carve-cfg-")), "agent.json");
    await writeAgentConfig(path, CONFIG);
    const other = "0b7e3f1a-5c2d-4e8f-a1b9-3c6d7e8f9a0b";
    const env = loadAgentEnv({ CARVE_HOST_ID: other, CARVE_LIBVIRT_URI: "test:///default" }, await readAgentConfig(path, true));
    expect(env.CARVE_HOST_ID).toBe(other);
    expect(env.CARVE_REDIS_PASSWORD).toBeUndefined();
  });

  it("may be absent unless named, and stops start-up when malformed", async () => {
    const dir = await mkdtemp(join(tmpdir(), "carve-cfg-"));
    expect(await readAgentConfig(join(dir, "none.json"), false)).toEqual({});
    await expect(readAgentConfig(join(dir, "none.json"), true)).rejects.toThrow(/cannot be read .*run 'carve-agent join --token …' first/);
    await writeFile(join(dir, "bad.json"), "{ not json");
    await expect(readAgentConfig(join(dir, "bad.json"), false)).rejects.toBeInstanceOf(AgentConfigError);
  });
});
