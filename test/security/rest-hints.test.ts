// Refusals name the front door's own way of looking things up (issue 19, item 10): the REST API
// names its routes, the remote CLI (which says so in a header) its commands, as the local CLI does.
import { randomBytes } from "node:crypto";
import { createApiKey, type TActor } from "@carve/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { remotePair } from "../lib/cli/remote-pair.ts";
import { apiClient } from "../lib/portal/api-client.ts";
import { startStackPortal } from "../lib/portal/portal-session.ts";
import type { TPortal } from "../lib/portal/portal-server.ts";
import { Stack } from "../lib/stack/stack.ts";
import { createUser } from "../lib/stack/users.ts";

let stack: Stack;
let portal: TPortal;
let opsActor: TActor;
let bobActor: TActor;
const pair = remotePair(() => stack, () => portal);

beforeAll(async () => {
  stack = await new Stack().init();
  opsActor = await createUser(stack.core, "ops", "Admin");
  bobActor = await createUser(stack.core, "bob", "User");
  portal = await startStackPortal(stack, randomBytes(32));
  await pair.logIn(opsActor, bobActor);
}, 900_000);

afterAll(async () => {
  await portal?.stop();
  await stack?.stop();
});

describe("where a refusal says to look", () => {
  it("is an API route for API callers", async () => {
    const { key } = await createApiKey(stack.core, bobActor, { name: "script", scope: "Write" });
    const answer = await apiClient(portal.url, key)("POST", "/api/v1/vms", { name: "web-1", template: "nope", offering: "small" });
    expect(answer).toMatchObject({
      status: 404,
      body: { code: "TEMPLATE_NOT_FOUND", message: "No template 'nope'. See the available ones with GET /api/v1/templates.", fields: [{ field: "template", message: "'nope' does not exist: pick one from GET /api/v1/templates" }] },
    });
  });

  it("is the CLI's command for the remote CLI, as on the management server", async () => {
    const expected = { code: 1, stdout: "", stderr: "error: No VM 'nope' among the VMs you can manage. List them with 'carve vm list'.\n" };
    expect(await pair.bob(["vm", "show", "nope"])).toEqual(expected);
    expect(await pair.local(["vm", "show", "nope"])).toEqual(expected);
  });
});
