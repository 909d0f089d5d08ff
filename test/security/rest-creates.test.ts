import { randomBytes, randomUUID } from "node:crypto";
import SwaggerParser from "@apidevtools/swagger-parser";
import { createApiKey, type TActor } from "@carve/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient } from "../lib/portal/api-client.ts";
import { startStackPortal } from "../lib/portal/portal-session.ts";
import type { TPortal } from "../lib/portal/portal-server.ts";
import { Stack, until } from "../lib/stack/stack.ts";
import { addTestHosts } from "../lib/stack/test-hosts.ts";
import { createUser } from "../lib/stack/users.ts";

// REST creates against the real portal, stack and agent: an Idempotency-Key makes a retry answer
// the first result, also after the portal was killed between the create's commit and its answer;
// and a first password asked for through REST can be viewed once through REST.
let stack: Stack;
let portal: TPortal | null = null;
let dev: TActor;
let devKey = "";
let opsKey = "";
const secretKey = randomBytes(32);

beforeAll(async () => {
  stack = await new Stack().init();
  const ops = await createUser(stack.core, "ops", "Admin");
  dev = await createUser(stack.core, "dev", "User");
  await stack.startController();
  const [host] = await addTestHosts(stack, ops, { count: 1 });
  await stack.core.db.template.update({ where: { name: "tiny" }, data: { supportsPasswordReset: true, supportsCloudInit: true } });
  // A first password is sealed to the host's agent: its key comes with the agent's heartbeat.
  await until(async () => (await stack.core.db.host.findUniqueOrThrow({ where: { id: host?.id ?? "" } })).sealKey !== null, 20_000, "the agent's key");
  devKey = (await createApiKey(stack.core, dev, { name: "ci", scope: "Write" })).key;
  opsKey = (await createApiKey(stack.core, ops, { name: "ci", scope: "Write" })).key;
  await restartPortal(); // builds the portal when its sources changed, which can take minutes
}, 900_000);

afterAll(async () => {
  await portal?.stop();
  await stack?.stop();
});

/** Restarts the portal (a new process on a new port) with `env`. */
async function restartPortal(env: Record<string, string> = {}): Promise<TPortal> {
  await portal?.stop();
  portal = await startStackPortal(stack, secretKey, env);
  return portal;
}

const vmsNamed = (name: string) => stack.core.db.vm.count({ where: { name } });

describe("REST creates with an Idempotency-Key", () => {
  it("a retry after the portal was killed between the create's commit and its answer gets the first VM and job; another body with the key is refused; no key behaves as before", async () => {
    const killed = await restartPortal({ CARVE_TEST_KILL_BEFORE_ANSWER: "1" });
    const key = randomUUID();
    const body = { name: "idem-1", template: "tiny", offering: "small" };
    // The portal dies (SIGKILL) after the create committed and before it answered: the client sees the connection drop.
    await expect(apiClient(killed.url, devKey)("POST", "/api/v1/vms", body, { "idempotency-key": key })).rejects.toThrow();
    const made = await stack.core.db.vm.findFirstOrThrow({ where: { name: "idem-1" }, select: { id: true, activeJobId: true } });

    const call = apiClient((await restartPortal()).url, devKey);
    const retry = await call("POST", "/api/v1/vms", body, { "idempotency-key": key });
    expect(retry).toMatchObject({ status: 202, body: { vm: { id: made.id, name: "idem-1" }, job: { kind: "vm.create", vmId: made.id }, passwordReveal: null } });
    const job = await stack.core.db.job.findFirstOrThrow({ where: { vmId: made.id, kind: "vm.create" } });
    expect(retry.body["job"].id).toBe(job.id);
    // Again, with the keys of the body in another order: the same answer, still one VM.
    expect(await call("POST", "/api/v1/vms", { offering: "small", template: "tiny", name: "idem-1" }, { "idempotency-key": key })).toMatchObject({ status: 202, body: { vm: { id: made.id }, job: { id: job.id } } });
    expect(await vmsNamed("idem-1")).toBe(1);

    // The same key with another request: refused, nothing made.
    expect(await call("POST", "/api/v1/vms", { ...body, name: "idem-2" }, { "idempotency-key": key })).toMatchObject({ status: 422, body: { code: "REQUEST_KEY_REUSED" } });
    expect(await vmsNamed("idem-2")).toBe(0);
    // Keys are per user: another user's request with the same key is their own.
    expect(await apiClient(portal?.url ?? "", opsKey)("POST", "/api/v1/vms", body, { "idempotency-key": key })).toMatchObject({ status: 202, body: { vm: { name: "idem-1", owner: { username: "ops" } } } });
    // Without a key, as before: a second create of the name is refused, a new name is created.
    expect(await call("POST", "/api/v1/vms", body)).toMatchObject({ status: 409, body: { code: "VM_NAME_TAKEN" } });
    expect(await call("POST", "/api/v1/vms", { ...body, name: "idem-3" })).toMatchObject({ status: 202, body: { vm: { name: "idem-3" } } });
    // A key that could carry anything else is refused as input.
    expect(await call("POST", "/api/v1/vms", { ...body, name: "idem-4" }, { "idempotency-key": "has space" })).toMatchObject({ status: 400, body: { code: "INVALID_INPUT", fields: [{ field: "Idempotency-Key" }] } });
    expect(await vmsNamed("idem-4")).toBe(0);
  });
});

describe("REST first password", () => {
  it("a VM created with firstPassword through REST says where to view its password; it is shown once to its owner, then refused", async () => {
    const call = apiClient((await restartPortal()).url, devKey);
    const created = await call("POST", "/api/v1/vms", { name: "pw-1", template: "tiny", offering: "small", firstPassword: true });
    expect(created).toMatchObject({ status: 202, body: { passwordReveal: { url: `/api/v1/vms/${created.body["vm"].id}/password/reveal` } } });
    const revealUrl: string = created.body["passwordReveal"].url;
    await until(async () => (await call("GET", `/api/v1/jobs/${created.body["job"].id}`)).body["state"] === "Succeeded", 60_000, "the create job");
    // An admin can see the VM, but not its password: that is its owner's alone.
    expect(await apiClient(portal?.url ?? "", opsKey)("POST", revealUrl)).toMatchObject({ status: 410, body: { code: "PASSWORD_NOT_AVAILABLE" } });
    const shown = await call("POST", revealUrl);
    expect(shown).toMatchObject({ status: 200, body: { vmId: created.body["vm"].id, vmName: "pw-1", user: "root", password: expect.stringMatching(/^[A-Za-z0-9]{24}$/) } });
    expect(await call("POST", revealUrl)).toMatchObject({ status: 410, body: { code: "PASSWORD_NOT_AVAILABLE", message: expect.stringContaining("shown only once") } });
    // Every view is in the audit trail, as the portal's are: the admin's refusal, the view, the refused second view.
    const views = await stack.core.db.auditEntry.findMany({ where: { action: "vm.reveal-password", targetName: created.body["vm"].id }, orderBy: { id: "asc" } });
    expect(views.map((v) => [v.actorName, v.outcome, v.via])).toEqual([["ops", "refused", "api"], ["dev", "ok", "api"], ["dev", "refused", "api"]]);

    // A reset through REST, then its one view.
    const reset = await call("POST", `/api/v1/vms/${created.body["vm"].id}/password`);
    expect(reset).toMatchObject({ status: 202, body: { user: "root", job: { kind: "vm.set-password" }, passwordReveal: { url: revealUrl } } });
    await until(async () => (await call("GET", `/api/v1/jobs/${reset.body["job"].id}`)).body["state"] === "Succeeded", 60_000, "the reset job");
    const again = await call("POST", revealUrl);
    expect(again).toMatchObject({ status: 200, body: { user: "root", password: expect.stringMatching(/^[A-Za-z0-9]{24}$/) } });
    expect(again.body["password"]).not.toBe(shown.body["password"]);
    expect(await call("POST", revealUrl)).toMatchObject({ status: 410 });
  });
});

describe("the OpenAPI document", () => {
  it("documents the Idempotency-Key header of POST /api/v1/vms and the password routes, and stays valid", async () => {
    const document = (await (await fetch(`${(portal ?? (await restartPortal())).url}/api/v1/openapi.json`)).json()) as { paths: Record<string, Record<string, any>> };
    await SwaggerParser.validate(structuredClone(document) as never);
    const create = document.paths["/api/v1/vms"]?.["post"];
    expect(create.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: "Idempotency-Key", in: "header", required: false })]));
    expect(create.responses["422"]).toBeDefined();
    expect(Object.keys(document.paths["/api/v1/vms/{id}/password"] ?? {})).toEqual(["post"]);
    expect(Object.keys(document.paths["/api/v1/vms/{id}/password/reveal"] ?? {})).toEqual(["post"]);
  });
});
