import { createVm } from "@carve/core";
import { createTestCore, createTestUser, seedInfra, type TTestCore } from "@carve/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { carveInProcess } from "./testing/carve-in-process.ts";

// `carve sg …`, `carve vm groups|open` and `carve settings network` on the management server (as
// the operator, an admin) over alice's VM web-1.
let core: TTestCore;
const carve = (...args: string[]) => carveInProcess({ databaseUrl: core.databaseUrl, queuePrefix: `cli-sg-${process.pid}` }, ...args);
const COMPANY = "10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 (company network)";

beforeAll(async () => {
  core = await createTestCore();
  await seedInfra(core, { hosts: 1 });
  const alice = await createTestUser(core, "alice");
  await createVm(core, alice, { name: "web-1", template: "tiny", offering: "small" });
});
afterAll(async () => {
  await core.drop();
});

describe("carve sg", () => {
  it("creates a group, adds rules (a port range from a CIDR; the same one twice adds nothing), shows them with their ids, removes one and deletes the group", async () => {
    expect(await carve("sg", "create", "web", "--description", "web servers")).toMatchObject({ code: 0, stdout: expect.stringMatching(/^security group web created; it lets nothing in until you add rules/) });
    const added = await carve("sg", "rule", "add", "web", "--protocol", "tcp", "--port", "8080-8090", "--source", "10.1.0.0/16");
    expect(added).toMatchObject({ code: 0, stdout: expect.stringMatching(/^web: tcp 8080-8090 from 10\.1\.0\.0\/16 allowed \(rule [0-9a-f-]{36}\)\n$/) });
    expect((await carve("sg", "rule", "add", "web", "--protocol", "tcp", "--port", "8080-8090", "--source", "10.1.0.0/16")).stdout).toMatch(/^web: tcp 8080-8090 from 10\.1\.0\.0\/16 was allowed already/);
    expect((await carve("sg", "rule", "add", "web", "--protocol", "icmp")).code).toBe(0);

    const shown = await carve("sg", "show", "web");
    const lines = shown.stdout.split("\n");
    expect(lines[0]).toBe("security group web (owner operator): web servers");
    expect(lines[1]).toMatch(/^RULE ID\s+PROTOCOL\s+PORTS\s+SOURCE\s+DESCRIPTION$/);
    expect(lines[2]).toMatch(/^[0-9a-f-]{36}\s+tcp\s+8080-8090\s+10\.1\.0\.0\/16\s+-$/);
    expect(lines[3]).toMatch(/^[0-9a-f-]{36}\s+icmp\s+all\s+company\s+-$/);
    expect(lines[4]).toBe("VMs: none");

    const json = JSON.parse((await carve("--json", "sg", "show", "web")).stdout) as { rules: { id: string; protocol: string }[] };
    const icmp = json.rules.find((r) => r.protocol === "icmp")?.id ?? "";
    expect((await carve("sg", "rule", "remove", "web", icmp)).stdout).toBe(`web: icmp from company no longer allowed (rule ${icmp} removed)\n`);
    expect(JSON.parse((await carve("--json", "sg", "show", "web")).stdout)).toMatchObject({ rules: [{ protocol: "tcp", portFrom: 8080, portTo: 8090, source: "10.1.0.0/16" }] });

    const list = await carve("sg", "list");
    expect(list.stdout.split("\n").slice(1, 3)).toEqual([expect.stringMatching(/^default\s+operator\s+2\s+-\s+Every new VM is in it/), expect.stringMatching(/^web\s+operator\s+1\s+-\s+web servers$/)]);
    expect((await carve("sg", "delete", "web")).stdout).toBe("security group web deleted\n");
    expect(await carve("sg", "show", "web")).toMatchObject({ code: 1, stderr: "error: No security group 'web' among the groups you can manage. List them with 'carve sg list'.\n" });
  }, 300_000);

  it("refuses a bad port, a port that is not a number and an unknown protocol, naming the field", async () => {
    await carve("sg", "create", "api");
    const field = async (...args: string[]) => {
      const run = await carve("--json", ...args);
      expect(run.code, args.join(" ")).toBe(1);
      return (JSON.parse(run.stderr) as { error: { code: string; fields: { field: string; message: string }[] } }).error;
    };
    expect(await field("sg", "rule", "add", "api", "--protocol", "tcp", "--port", "70000")).toMatchObject({ code: "INVALID_INPUT", fields: [{ field: "portFrom", message: "must be between 1 and 65535" }] });
    expect(await field("sg", "rule", "add", "api", "--protocol", "tcp", "--port", "http")).toMatchObject({ fields: [{ field: "port", message: "is not a port: give a port (8080) or a range (8080-8090)" }] });
    expect(await field("sg", "rule", "add", "api", "--protocol", "sctp", "--port", "80")).toMatchObject({ fields: [{ field: "protocol", message: "must be tcp, udp, icmp or all" }] });
    expect(await field("sg", "rule", "add", "api", "--protocol", "tcp", "--port", "80", "--source", "10.0.0.1/8")).toMatchObject({ fields: [{ field: "source", message: "has host bits set: the network is 10.0.0.0/8" }] });
    expect(JSON.parse((await carve("--json", "sg", "show", "api")).stdout)).toMatchObject({ rules: [] });
  }, 300_000);
});

describe("carve vm open|groups and carve settings network", () => {
  it("opens a port from the company network through the VM's own group, and says from where", async () => {
    const opened = await carve("vm", "open", "web-1", "8080");
    expect(opened).toMatchObject({ code: 0, stdout: expect.stringMatching(new RegExp(`^web-1: tcp 8080 is open from ${COMPANY.replace(/[.()/]/g, "\\$&")} \\(security group vm-web-1, rule [0-9a-f-]{36}\\)\\n$`)) });
    expect((await carve("vm", "open", "web-1", "8080")).stdout).toMatch(/^web-1: tcp 8080 was open already from 10\.0\.0\.0\/8/);
    expect((await carve("vm", "open", "web-1", "5353", "--protocol", "udp", "--source", "192.168.1.0/24")).stdout).toMatch(/^web-1: udp 5353 is open from 192\.168\.1\.0\/24 \(security group vm-web-1/);
    expect(await carve("vm", "groups", "web-1")).toMatchObject({ code: 0, stdout: "web-1: default, vm-web-1\n" });

    const bad = await carve("--json", "vm", "open", "web-1", "0");
    expect(JSON.parse(bad.stderr)).toMatchObject({ error: { code: "INVALID_INPUT", fields: [{ field: "port", message: "must be between 1 and 65535 (0 is not a port)" }] } });
    expect(await carve("vm", "open", "web-1", "http")).toMatchObject({ code: 1, stderr: "error: Invalid input. port: 'http' is not a port: give a port number, e.g. 8080\n" });
  }, 300_000);

  it("replaces a VM's groups with its owner's groups only", async () => {
    expect((await carve("vm", "groups", "web-1", "--set", "default")).stdout).toMatch(/^web-1's security groups are now default/);
    expect((await carve("vm", "groups", "web-1")).stdout).toBe("web-1: default\n");
    // The operator's own groups are not alice's: refused naming the list entry.
    await carve("sg", "create", "ops-only");
    const refused = await carve("--json", "vm", "groups", "web-1", "--set", "default,ops-only");
    expect(JSON.parse(refused.stderr)).toMatchObject({ error: { code: "SECURITY_GROUP_NOT_FOUND", fields: [{ field: "groups[1]" }] } });
    expect((await carve("vm", "groups", "web-1")).stdout).toBe("web-1: default\n");
  }, 300_000);

  it("sets the company networks, which `vm open` then opens from; a bad CIDR names its place", async () => {
    expect(await carve("settings", "network")).toMatchObject({ code: 0, stdout: "network: company networks 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16\n" });
    expect((await carve("settings", "network", "--company-cidr", "10.20.0.0/16", "10.30.0.0/16")).stdout).toBe("network: company networks 10.20.0.0/16, 10.30.0.0/16\n");
    const bad = await carve("--json", "settings", "network", "--company-cidr", "10.20.0.0/16", "10.30.0.0/33");
    expect(JSON.parse(bad.stderr)).toMatchObject({ error: { code: "INVALID_INPUT", fields: [{ field: "companyCidrs[1]" }] } });
    expect((await carve("vm", "open", "web-1", "9090")).stdout).toMatch(/^web-1: tcp 9090 is open from 10\.20\.0\.0\/16, 10\.30\.0\.0\/16 \(company network\)/);
  }, 300_000);
});
