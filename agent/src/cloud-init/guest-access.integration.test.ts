import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { domainName, SEAL_PURPOSE_JOB_SECRET, sealFor, type TJobPayload } from "@carve/protocol";
import { loadHostKey } from "../host-key.ts";
import { startTestAgent, type TTestAgent } from "../testing/index.ts";

const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICyFATPv1+3bazrTlNUFlORc3c5smPOocK6U7Tpr7Jed dev@laptop";

let t: TTestAgent;
let sealKey: string;
let closed: boolean;
beforeEach(async () => {
  closed = false;
  t = await startTestAgent({ redisUrl: process.env.REDIS_URL });
  // The harness gives the agent a data directory inside its node directory.
  sealKey = (await loadHostKey(join(t.node.dir, "agent-data"))).publicKey;
});
afterEach(async () => {
  if (!closed) await t?.close();
});

function createPayload(cloudInit?: TJobPayload<"vm.create">["cloudInit"]): TJobPayload<"vm.create"> {
  const volumeId = randomUUID();
  return {
    vmId: randomUUID(),
    title: "seeded",
    vcpus: 1,
    memoryMiB: 256,
    rootVolume: { volumeId, pool: "default", name: `carve-${volumeId}.qcow2`, sizeGiB: 1 },
    template: { pool: "default", name: "template.qcow2", format: "qcow2" },
    ...(cloudInit ? { cloudInit } : {}),
  };
}

/** A file of the ISO, by its Rock Ridge name, read back with isoinfo (from genisoimage). */
function isoFile(iso: string, name: string): string {
  return execFileSync("isoinfo", ["-R", "-i", iso, "-x", `/${name}`], { encoding: "utf8" });
}

describe("cloud-init seed and password reset on libvirt's test driver", () => {
  it("builds a NoCloud seed with the keys, hostname and hashed first password, attaches it read-only, and destroy removes it", async () => {
    const payload = createPayload({ hostname: "web-7", sshAuthorizedKeys: [KEY], password: sealFor(sealKey, "FirstPassw0rd", SEAL_PURPOSE_JOB_SECRET), passwordUser: "root" });
    await t.run("vm.create", payload);
    // A retried create converges on the same domain and seed.
    await t.run("vm.create", payload);
    const iso = join(t.node.dir, "agent-data", "seeds", `${domainName(payload.vmId)}-seed.iso`);
    expect(execFileSync("isoinfo", ["-d", "-i", iso], { encoding: "utf8" })).toMatch(/Volume id: cidata/);
    expect(isoFile(iso, "meta-data")).toBe(`instance-id: "${domainName(payload.vmId)}"\nlocal-hostname: "web-7"\n`);
    const userData = isoFile(iso, "user-data");
    expect(userData.startsWith("#cloud-config\n")).toBe(true);
    expect(userData).toContain('hostname: "web-7"');
    expect(userData).toContain(`ssh_authorized_keys:\n  - "${KEY}"`);
    expect(userData).toMatch(/- name: "root"\n {6}password: "\$6\$[^"]+"\n {6}type: hash/);
    expect(userData).not.toContain("FirstPassw0rd");

    const xml = await t.agent.hypervisor.domainXml(domainName(payload.vmId));
    expect(xml).toMatch(new RegExp(`<disk type='file' device='cdrom'>\\s*<driver name='qemu' type='raw'/>\\s*<source file='${iso}'/>\\s*<target dev='sda' bus='sata'/>\\s*<readonly/>`));

    await t.run("vm.destroy", { vmId: payload.vmId, volumes: [] });
    expect(existsSync(iso)).toBe(false);
  });

  it("attaches no seed when the create carries no cloud-init", async () => {
    const payload = createPayload();
    await t.run("vm.create", payload);
    expect(await t.agent.hypervisor.domainXml(domainName(payload.vmId))).not.toContain("cdrom");
  });

  it("sets a password through virsh set-user-password on the running domain, leaving it in no virsh history", async () => {
    const password = `Pw${randomUUID().replaceAll("-", "")}`;
    const payload = createPayload();
    await t.run("vm.create", payload);
    const result = await t.run("vm.set-password", { vmId: payload.vmId, user: "root", password: sealFor(sealKey, password, SEAL_PURPOSE_JOB_SECRET) });
    expect(result).toEqual({ vmId: payload.vmId, user: "root" });
    await t.run("vm.stop", { vmId: payload.vmId, force: true });
    await expect(t.run("vm.set-password", { vmId: payload.vmId, user: "root", password: sealFor(sealKey, password, SEAL_PURPOSE_JOB_SECRET) })).rejects.toThrow(
      /is stopped on this host: the guest agent only answers in a running VM/,
    );
    // Interactive virsh writes its history file when it exits: close the agent, then look.
    closed = true;
    await t.close();
    const history = join(process.env["XDG_CACHE_HOME"] ?? join(homedir(), ".cache"), "libvirt", "virsh", "history");
    if (existsSync(history)) expect(readFileSync(history, "utf8")).not.toContain(password);
  });
});
