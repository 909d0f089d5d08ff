import { redisAddress } from "../agent.ts";
import { createDoctorProbes } from "../doctor/doctor-probes.ts";
import { doctorPassed, formatDoctor, runDoctor } from "../doctor/run-doctor.ts";
import { loadSettings } from "./load-settings.ts";

/** `carve-agent doctor [--json]`: prints every check (ok/warn/FAIL, with fixes); exit 0 when none failed, 1 otherwise. */
export async function doctorCommand(options: { config?: string | undefined; json: boolean }): Promise<number> {
  const env = await loadSettings(options.config);
  const probes = createDoctorProbes(env);
  const checks = await runDoctor(probes, { uri: env.CARVE_LIBVIRT_URI, redisAddress: redisAddress(env.REDIS_URL), dataDir: env.CARVE_AGENT_DATA_DIR, consoleListen: env.CARVE_AGENT_CONSOLE_LISTEN }).finally(() => probes.close());
  const ok = doctorPassed(checks);
  process.stdout.write(options.json ? `${JSON.stringify({ ok, checks }, null, 2)}\n` : `${formatDoctor(checks).join("\n")}\n`);
  return ok ? 0 : 1;
}
