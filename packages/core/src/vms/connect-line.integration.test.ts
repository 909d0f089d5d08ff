import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createNetwork } from "../networks/create-network.ts";
import { updateNetwork } from "../networks/update-network.ts";
import { addTemplate } from "../templates/add-template.ts";
import { listTemplates } from "../templates/list-templates.ts";
import { updateTemplate } from "../templates/update-template.ts";
import { createTestCore, createTestUser, refusal, seedInfra, type TTestCore } from "../testing/index.ts";
import { createVm } from "./create-vm.ts";
import { getVm } from "./get-vm.ts";
import { listVms } from "./list-vms.ts";

let core: TTestCore;
beforeEach(async () => {
  core = await createTestCore();
});
afterEach(async () => {
  await core.drop();
});

const DEV_LAN = { name: "dev-lan", kind: "Managed", cidr: "10.0.0.0/24", gateway: "10.0.0.1", rangeStart: "10.0.0.10", rangeEnd: "10.0.0.20", isDefault: true } as const;

describe("the connect line (ssh <login user>@<address>)", () => {
  it("is null without an address, the IP on a network without DNS, the DNS name with one, and follows the template's login user", async () => {
    const admin = await createTestUser(core, "root", "Admin");
    const alice = await createTestUser(core, "alice");
    await seedInfra(core, { hosts: 1 });

    // No network yet: no NIC, no address, no way in to show.
    const bare = await createVm(core, alice, { name: "bare", template: "tiny", offering: "small" });
    expect(await getVm(core, alice, { vm: bare.vm.id })).toMatchObject({ addresses: [], ipAddress: null, connect: null });

    await createNetwork(core, admin, { ...DEV_LAN, hosts: ["host-1"] });
    const web = await createVm(core, alice, { name: "web-1", template: "tiny", offering: "small" });
    expect((await getVm(core, alice, { vm: web.vm.id })).connect).toEqual({ user: "root", host: "10.0.0.10", command: "ssh root@10.0.0.10" });

    // A DNS domain on the network: the name the network's DNS answers for.
    await updateNetwork(core, admin, { network: "dev-lan", dnsDomain: "dev.example.com" });
    await updateTemplate(core, admin, { template: "tiny", loginUser: "debian" });
    const view = await getVm(core, alice, { vm: web.vm.id });
    expect(view.connect).toEqual({ user: "debian", host: "web-1.dev.example.com", command: "ssh debian@web-1.dev.example.com" });
    // The view shows the template by id and name only; the login user is in the connect line.
    expect(view.template).toEqual({ id: expect.any(String), name: "tiny" });
    const listed = await listVms(core, alice, {});
    expect(listed.items.map((v) => [v.name, v.connect?.command ?? null])).toEqual([["web-1", "ssh debian@web-1.dev.example.com"], ["bare", null]]);
  });

  it("takes the login user at template add and update, refusing a bad one by field; update needs an admin and a change", async () => {
    const admin = await createTestUser(core, "root", "Admin");
    const alice = await createTestUser(core, "alice");
    await seedInfra(core, { hosts: 1 });
    await addTemplate(core, admin, { name: "ubuntu", pools: ["pool-1"], volume: "ubuntu.qcow2", loginUser: "ubuntu" });
    expect((await listTemplates(core, admin)).map((t) => [t.name, t.loginUser])).toEqual([["tiny", "root"], ["ubuntu", "ubuntu"]]);

    const bad = await refusal(updateTemplate(core, admin, { template: "ubuntu", loginUser: "9 lives" }));
    expect([bad.code, bad.fields]).toEqual(["INVALID_INPUT", [{ field: "loginUser", message: "must be a user name: a letter, then letters, digits, _ . or - (at most 32)" }]]);
    const badAdd = await refusal(addTemplate(core, admin, { name: "x", pools: ["pool-1"], volume: "x.qcow2", loginUser: "root;reboot" }));
    expect(badAdd.fields?.map((f) => f.field)).toEqual(["loginUser"]);
    expect((await refusal(updateTemplate(core, admin, { template: "ubuntu" }))).message).toMatch(/changes nothing/);
    expect((await refusal(updateTemplate(core, admin, { template: "nope", loginUser: "ubuntu" }))).code).toBe("TEMPLATE_NOT_FOUND");
    expect((await refusal(updateTemplate(core, alice, { template: "ubuntu", loginUser: "alice" }))).code).toBe("FORBIDDEN");

    const changed = await updateTemplate(core, admin, { template: "ubuntu", loginUser: "admin", description: "Ubuntu 24.04" });
    expect([changed.loginUser, changed.description]).toEqual(["admin", "Ubuntu 24.04"]);
    const event = await core.db.event.findFirstOrThrow({ where: { type: "template.updated" } });
    expect(event.message).toBe('template ubuntu changed: description "Ubuntu 24.04", loginUser "admin"');
  });
});
