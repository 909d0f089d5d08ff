// The REST API's error contract, driven from the portal's own OpenAPI document: every route and
// method it lists gets a NUL in each path parameter, query parameter and string body field, an
// unknown body field, a wrong-typed field, an oversized body, a method it does not list, and no
// credentials; each answer must be the JSON error shape with the right status, and every NUL
// refusal must leave a `refused` audit row. Routes added later are driven too: nothing here lists
// them (only `security: []` marks a public route, and GET-only bodies are not sent).
import { randomBytes, randomUUID } from "node:crypto";
import { createApiKey, withIdentity, type TActor } from "@carve/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStackPortal } from "../lib/portal/portal-session.ts";
import type { TPortal } from "../lib/portal/portal-server.ts";
import { Stack } from "../lib/stack/stack.ts";
import { createUser } from "../lib/stack/users.ts";
import { bodyStringPaths, concrete, expectApiError, pathParamValue, sampleBody, withValueAt, type TJsonSchema, type TOpenApi, type TOperation } from "./api-document.ts";

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
const NUL = "\u0000";

let stack: Stack;
let portal: TPortal;
let admin: TActor;
let key = "";
let doc: TOpenApi;

beforeAll(async () => {
  stack = await new Stack().init();
  admin = await createUser(stack.core, "contract-admin", "Admin");
  const secretKey = randomBytes(32);
  key = (await createApiKey(withIdentity(stack.core, { secretKey }), admin, { name: "contract", scope: "Write" })).key;
  portal = await startStackPortal(stack, secretKey);
  doc = (await (await fetch(`${portal.url}/api/v1/openapi.json`)).json()) as TOpenApi;
}, 300_000);

afterAll(async () => {
  await portal?.stop();
  await stack?.stop();
});

interface TCall {
  method: string;
  path: string;
  op: TOperation;
}

/** Every documented (method, path template) with its operation. */
function calls(): TCall[] {
  return Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, op })));
}

function schemaOf(schema: TJsonSchema | undefined): TJsonSchema | undefined {
  const ref = schema?.$ref;
  return ref ? doc.components.schemas[ref.replace("#/components/schemas/", "")] : schema;
}

function bodySchema(op: TOperation): TJsonSchema | undefined {
  return schemaOf(op.requestBody?.content["application/json"]?.schema);
}

/** The path with each parameter a plausible value, or `override`'s (already URL-encoded). */
function urlOf(call: TCall, override: Record<string, string> = {}, query = ""): string {
  const params = (call.op.parameters ?? []).filter((p) => p.in === "path");
  let path = call.path;
  for (const p of params) path = path.replace(`{${p.name}}`, override[p.name] ?? encodeURIComponent(pathParamValue(p.schema)));
  return `${portal.url}${path}${query}`;
}

const auth = () => ({ authorization: `Bearer ${key}` });

async function send(method: string, url: string, init: { headers?: Record<string, string>; body?: string } = {}): Promise<Response> {
  return fetch(url, { method, headers: init.headers ?? {}, ...(init.body === undefined ? {} : { body: init.body }), redirect: "manual" });
}

async function sendJson(call: TCall, body: unknown): Promise<Response> {
  return send(call.method, urlOf(call), { headers: { ...auth(), "content-type": "application/json" }, body: JSON.stringify(body) });
}

async function refusedInputRows(): Promise<number> {
  return stack.core.db.auditEntry.count({ where: { actorName: "contract-admin", outcome: "refused", errorCode: "INVALID_INPUT" } });
}

describe("every route of the OpenAPI document", () => {
  it("lists the routes it is about (the document is read from the running portal)", () => {
    expect(calls().length).toBeGreaterThan(5);
    expect(calls().some((c) => bodySchema(c.op))).toBe(true);
  });

  it("a NUL in a path parameter, a query parameter or a string body field: 400 INVALID_INPUT naming it, audited, nothing changed", async () => {
    const before = await refusedInputRows();
    let sent = 0;
    for (const call of calls()) {
      for (const param of call.op.parameters ?? []) {
        const where = `${call.method} ${call.path} (${param.in} ${param.name})`;
        const url =
          param.in === "path"
            ? urlOf(call, { [param.name]: `${encodeURIComponent(pathParamValue(param.schema))}%00` })
            : urlOf(call, {}, `?${param.name}=a%00b`);
        const body = bodySchema(call.op);
        const res = await send(call.method, url, body ? { headers: { ...auth(), "content-type": "application/json" }, body: JSON.stringify(sampleBody(body, schemaOf)) } : { headers: auth() });
        const error = await expectApiError(res, 400, "INVALID_INPUT", where);
        expect(error.fields, where).toContainEqual({ field: param.name, message: "contains a control character (NUL); remove it" });
        sent++;
      }
      const body = bodySchema(call.op);
      if (!body) continue;
      for (const path of bodyStringPaths(body, schemaOf)) {
        const where = `${call.method} ${call.path} (body ${path.join(".")})`;
        const res = await sendJson(call, withValueAt(sampleBody(body, schemaOf), path, `a${NUL}b`));
        const error = await expectApiError(res, 400, "INVALID_INPUT", where);
        expect(error.fields, where).toContainEqual({ field: path.join("."), message: "contains a control character (NUL); remove it" });
        sent++;
      }
    }
    expect(sent).toBeGreaterThan(5);
    // One refused row per refused request, written before the answer.
    expect((await refusedInputRows()) - before).toBe(sent);
    const recorded = await stack.core.db.auditEntry.findFirst({ where: { targetName: { contains: "\\u0000" } } });
    expect(recorded).not.toBeNull();
    expect(await stack.core.db.vm.count()).toBe(0);
  });

  it("an unknown body field is a 400 naming it (never ignored), and nothing is created", async () => {
    for (const call of calls()) {
      const body = bodySchema(call.op);
      if (!body) continue;
      const res = await sendJson(call, { ...(sampleBody(body, schemaOf) as object), vcpus: 100000 });
      const error = await expectApiError(res, 400, "INVALID_INPUT", `${call.method} ${call.path}`);
      expect(error.fields?.map((f) => f.field)).toContain("vcpus");
    }
    expect(await stack.core.db.vm.count()).toBe(0);
  });

  it("a field of the wrong type says the type expected (not 'is required')", async () => {
    for (const call of calls()) {
      const body = bodySchema(call.op);
      if (!body) continue;
      for (const [name, prop] of Object.entries(body.properties ?? {})) {
        // A nullable field's wrong type is judged by its non-null schema (a nullable string's is a number).
        const wrong = concrete(prop, schemaOf).type === "string" ? 5 : "five";
        const res = await sendJson(call, { ...(sampleBody(body, schemaOf) as object), [name]: wrong });
        const where = `${call.method} ${call.path} (${name}: ${JSON.stringify(wrong)})`;
        const error = await expectApiError(res, 400, "INVALID_INPUT", where);
        const message = error.fields?.find((f) => f.field === name)?.message;
        expect(message, where).toMatch(/^must be /);
        expect(message, where).toMatch(/, not (a number|a string)$/);
      }
    }
  });

  it("a body that is not JSON is 400, one not sent as JSON is 415, one over the limit is 413 naming the limit", async () => {
    const huge = JSON.stringify({ pad: "x".repeat(2 * 1024 * 1024) });
    for (const call of calls()) {
      if (call.method === "GET") continue; // a GET carries no body
      const where = `${call.method} ${call.path}`;
      const large = await send(call.method, urlOf(call), { headers: { ...auth(), "content-type": "application/json" }, body: huge });
      expect((await expectApiError(large, 413, "PAYLOAD_TOO_LARGE", where)).message).toContain("1 MiB");
      if (!bodySchema(call.op)) continue;
      await expectApiError(await send(call.method, urlOf(call), { headers: { ...auth(), "content-type": "application/json" }, body: "{not json" }), 400, "INVALID_INPUT", where);
      await expectApiError(await send(call.method, urlOf(call), { headers: { ...auth(), "content-type": "text/plain" }, body: "{}" }), 415, "UNSUPPORTED_MEDIA_TYPE", where);
    }
  });

  it("a method a route does not list is a JSON 405 with an Allow header", async () => {
    for (const [path, ops] of Object.entries(doc.paths)) {
      const listed = Object.keys(ops).map((m) => m.toUpperCase());
      for (const method of METHODS.filter((m) => !listed.includes(m))) {
        const call = { method, path, op: Object.values(ops)[0] ?? {} };
        const res = await send(method, urlOf(call), { headers: auth() });
        await expectApiError(res, 405, "METHOD_NOT_ALLOWED", `${method} ${path}`);
        const allow = (res.headers.get("allow") ?? "").split(/,\s*/);
        for (const m of listed) expect(allow, `${method} ${path}`).toContain(m);
      }
    }
  });

  it("no credentials: 401 UNAUTHENTICATED for every route but the public ones, state-changing ones included (before any Origin check)", async () => {
    for (const call of calls()) {
      if (Array.isArray(call.op.security) && call.op.security.length === 0) continue;
      const body = bodySchema(call.op);
      const res = await send(call.method, urlOf(call), body ? { headers: { "content-type": "application/json" }, body: JSON.stringify(sampleBody(body, schemaOf)) } : {});
      await expectApiError(res, 401, "UNAUTHENTICATED", `${call.method} ${call.path}`);
    }
  });

  it("a path no route has is a JSON 404", async () => {
    for (const path of ["/api/v1/no-such-route", `/api/v1/vms/${randomUUID()}/start/now`]) {
      for (const method of METHODS) await expectApiError(await send(method, `${portal.url}${path}`, { headers: auth() }), 404, "NOT_FOUND", `${method} ${path}`);
    }
  });
});
