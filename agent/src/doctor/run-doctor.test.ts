import { describe, expect, it } from "vitest";
import type { TPoolDetail } from "../hypervisor/hypervisor.ts";
import type { TDoctorProbes } from "./doctor-probes.ts";
import { doctorPassed, formatDoctor, runDoctor } from "./run-doctor.ts";

const pool = (name: string, extra: Partial<TPoolDetail> = {}): TPoolDetail => ({
  name, type: "dir", path: `/srv/${name}`, active: true, capacityBytes: 1e12, allocationBytes: 0, availableBytes: 1e12, ...extra,
}); // prettier-ignore

/** A machine where everything works; each test breaks one thing. */
function healthy(overrides: Partial<TDoctorProbes> = {}): TDoctorProbes {
  return {
    loadBinding: async () => undefined,
    readLibvirt: async () => ({ node: { hostname: "hv1", cpus: 32, memoryMiB: 131072 }, pools: [pool("images"), pool("scratch")], networks: [], domains: [{ name: "carve-1", vncOnSocket: true }] }),
    probeListen: async () => "in use",
    resolveHostname: async () => ({ hostname: "hv1", address: "10.0.0.5" }),
    checkWritableDir: async () => undefined,
    pingRedis: async () => undefined,
    redisClockSkewMs: async () => 120,
    loadHostKey: async () => "MCowBQYDK2VuAyEA",
    runTool: async () => undefined,
    ...overrides,
  };
}
const options = { uri: "qemu:///system", redisAddress: "redis.lan:6379", dataDir: "/var/lib/carve", consoleListen: "0.0.0.0:7448" };
const byName = (checks: Awaited<ReturnType<typeof runDoctor>>, name: string) => checks.find((c) => c.name === name);

describe("carve-agent doctor", () => {
  it("passes a healthy host, one line per check", async () => {
    const checks = await runDoctor(healthy(), options);
    expect(checks.map((c) => `${c.name}:${c.status}`)).toEqual([
      "libvirt binding:ok", "libvirt:ok", "hostname:ok", "pool images:ok", "pool scratch:ok", "console listener:ok", "VNC displays:ok", "host key:ok", "cloud-init seeds:ok", "redis:ok", "clock:ok",
    ]); // prettier-ignore
    expect(doctorPassed(checks)).toBe(true);
    expect(formatDoctor(checks)[1]).toMatch(/^ok\s+libvirt\s+qemu:\/\/\/system answers: hv1, 32 CPUs/);
  });

  it("fails when libvirt does not answer, with the fix, and skips the pools", async () => {
    const checks = await runDoctor(healthy({ readLibvirt: async () => Promise.reject(new Error("libvirt could not open qemu:///system: Failed to connect socket")) }), options);
    expect(byName(checks, "libvirt")).toMatchObject({ status: "fail", detail: expect.stringContaining("Failed to connect socket"), fix: expect.stringContaining("start libvirtd") });
    expect(checks.some((c) => c.name.startsWith("pool "))).toBe(false);
    expect(doctorPassed(checks)).toBe(false);
    expect(formatDoctor(checks).join("\n")).toMatch(/FAIL\s+libvirt .*\n\s+fix: start libvirtd/);
  });

  it("does not try libvirt when the native binding does not load", async () => {
    const checks = await runDoctor(healthy({ loadBinding: async () => Promise.reject(new Error("libvirt.so.0: cannot open shared object file")) }), options);
    expect(byName(checks, "libvirt binding")).toMatchObject({ status: "fail", fix: expect.stringContaining("npm rebuild @unraid/libvirt") });
    expect(byName(checks, "libvirt")).toBeUndefined();
  });

  it("names the pool whose directory is not writable, and only warns for a stopped pool", async () => {
    const checks = await runDoctor(
      healthy({
        readLibvirt: async () => ({ node: { hostname: "hv1", cpus: 4, memoryMiB: 8192 }, pools: [pool("images"), pool("gone"), pool("idle", { active: false })], networks: [], domains: [] }),
        checkWritableDir: async (path) => (path === "/srv/gone" ? Promise.reject(new Error("ENOENT: no such file or directory")) : undefined),
      }),
      options,
    );
    expect(byName(checks, "pool gone")).toMatchObject({ status: "fail", detail: expect.stringContaining("/srv/gone is not writable: ENOENT"), fix: expect.stringContaining("mkdir -p /srv/gone") });
    expect(byName(checks, "pool idle")).toMatchObject({ status: "warn", fix: "virsh pool-start idle (and pool-autostart)" });
    expect(byName(checks, "pool images")?.status).toBe("ok");
  });

  it("does not check directories on the test driver", async () => {
    const checks = await runDoctor(healthy({ checkWritableDir: async () => Promise.reject(new Error("never called")) }), { ...options, uri: "test:///default" });
    expect(checks.filter((c) => c.name.startsWith("pool ")).every((c) => c.status === "ok")).toBe(true);
  });

  it("fails an unresolvable hostname and an unreachable Redis (then skips the clock)", async () => {
    const checks = await runDoctor(
      healthy({
        resolveHostname: async () => Promise.reject(new Error("getaddrinfo ENOTFOUND hv1")),
        pingRedis: async () => Promise.reject(new Error("Redis did not answer within 2 s")),
      }),
      options,
    );
    expect(byName(checks, "hostname")).toMatchObject({ status: "fail", fix: expect.stringContaining("/etc/hosts") });
    expect(byName(checks, "redis")).toMatchObject({ status: "fail", detail: "Redis did not answer within 2 s", fix: expect.stringContaining("redis.lan:6379") });
    expect(byName(checks, "clock")).toBeUndefined();
  });

  it("fails when the host key cannot be made, and only warns when the cloud-init seed tools are missing", async () => {
    const checks = await runDoctor(
      healthy({
        loadHostKey: async () => Promise.reject(new Error("EACCES: permission denied, mkdir '/var/lib/carve'")),
        runTool: async (command) => (command === "genisoimage" ? Promise.reject(new Error("genisoimage could not run (spawn genisoimage ENOENT)")) : undefined),
      }),
      options,
    );
    expect(byName(checks, "host key")).toMatchObject({ status: "fail", detail: expect.stringContaining("EACCES"), fix: expect.stringContaining("CARVE_AGENT_DATA_DIR") });
    expect(byName(checks, "cloud-init seeds")).toMatchObject({ status: "warn", detail: expect.stringContaining("genisoimage cannot run"), fix: "apt-get install genisoimage" });
  });

  it("warns on a clock 2-30 s off Redis's and fails beyond 30 s", async () => {
    const warn = await runDoctor(healthy({ redisClockSkewMs: async () => -5_000 }), options);
    expect(byName(warn, "clock")).toMatchObject({ status: "warn", detail: "5.0 s ahead of Redis" });
    expect(doctorPassed(warn)).toBe(true);
    const fail = await runDoctor(healthy({ redisClockSkewMs: async () => 45_000 }), options);
    expect(byName(fail, "clock")).toMatchObject({ status: "fail", detail: "45.0 s behind Redis", fix: expect.stringContaining("chrony") });
    expect(doctorPassed(fail)).toBe(false);
  });

  it("checks each libvirt network runs and autostarts, and that dnsmasq is installed, naming the fixes", async () => {
    const networks = [
      { name: "dev-nat", active: true, autostart: true, bridge: "carvebr0" },
      { name: "lab", active: false, autostart: false, bridge: "virbr1" },
      { name: "old", active: true, autostart: false, bridge: "virbr2" },
    ];
    const checks = await runDoctor(
      healthy({
        readLibvirt: async () => ({ node: { hostname: "hv1", cpus: 32, memoryMiB: 131072 }, pools: [], networks, domains: [] }),
        runTool: async (command) => (command === "dnsmasq" ? Promise.reject(new Error("spawn dnsmasq ENOENT")) : undefined),
      }),
      options,
    );
    expect(byName(checks, "network dev-nat")).toMatchObject({ status: "ok", detail: "running on bridge carvebr0, autostarted" });
    expect(byName(checks, "network lab")).toMatchObject({ status: "warn", fix: "virsh net-start lab && virsh net-autostart lab (or virsh net-undefine lab if no VM uses it)" });
    expect(byName(checks, "network old")).toMatchObject({ status: "warn", fix: "virsh net-autostart old" });
    expect(byName(checks, "dnsmasq")).toMatchObject({ status: "fail", fix: "apt-get install dnsmasq-base" });
    expect(doctorPassed(checks)).toBe(false);
  });

  // console (issue 18)
  it("says plainly when the console listener is off, or when nothing listens on its port (or, before start, when another program holds it)", async () => {
    const off = await runDoctor(healthy(), { ...options, consoleListen: "off" });
    expect(byName(off, "console listener")).toMatchObject({ status: "warn", detail: expect.stringMatching(/^off \(CARVE_AGENT_CONSOLE_LISTEN=off\): the consoles .* cannot be opened$/) });
    expect(doctorPassed(off)).toBe(true);
    const silent = await runDoctor(healthy({ probeListen: async () => "free" }), options);
    expect(byName(silent, "console listener")).toMatchObject({ status: "warn", detail: expect.stringContaining("nothing listens on 0.0.0.0:7448"), fix: expect.stringContaining("carve-agent run") });
    const taken = await runDoctor(healthy(), { ...options, beforeStart: true });
    expect(byName(taken, "console listener")).toMatchObject({ status: "warn", detail: "0.0.0.0:7448 is taken by another program: this host's consoles will not open", fix: expect.stringContaining("ss -ltnp") });
    const free = await runDoctor(healthy({ probeListen: async () => "free" }), { ...options, beforeStart: true });
    expect(byName(free, "console listener")?.status).toBe("ok");
  });

  it("names the domains defined before consoles (no VNC socket) and how to fix them, since Carve's start does not redefine them", async () => {
    const domains = [{ name: "carve-new", vncOnSocket: true }, { name: "carve-old", vncOnSocket: false }];
    const checks = await runDoctor(healthy({ readLibvirt: async () => ({ node: { hostname: "hv1", cpus: 4, memoryMiB: 8192 }, pools: [], networks: [], domains }) }), options);
    expect(byName(checks, "VNC displays")).toMatchObject({
      status: "warn",
      detail: expect.stringContaining("1 of 2 Carve domain(s) were defined before consoles and have no VNC display on a UNIX socket (none, or a TCP port): carve-old;"),
      fix: expect.stringContaining("virsh edit DOMAIN, replace its <graphics> element with <graphics type='vnc'><listen type='socket'/></graphics>, then stop and start the VM through Carve"),
    });
  });
});
