// Reading the API's OpenAPI document to drive every route: plausible values for parameters and
// bodies from their schemas, and the JSON error shape every refusal must have.
import { randomUUID } from "node:crypto";
import { expect } from "vitest";

export interface TJsonSchema {
  $ref?: string;
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  properties?: Record<string, TJsonSchema>;
  required?: string[];
  items?: TJsonSchema;
  anyOf?: TJsonSchema[];
}

export interface TParameter {
  name: string;
  in: "path" | "query";
  schema: TJsonSchema;
}

export interface TOperation {
  parameters?: TParameter[];
  requestBody?: { content: Record<string, { schema: TJsonSchema }> };
  security?: unknown[];
}

export interface TOpenApi {
  paths: Record<string, Record<string, TOperation>>;
  components: { schemas: Record<string, TJsonSchema> };
}

type TResolve = (schema: TJsonSchema | undefined) => TJsonSchema | undefined;

/** A value a path parameter of this schema could have (a UUID, the first of an enum, a name). */
export function pathParamValue(schema: TJsonSchema): string {
  if (schema.format === "uuid") return randomUUID();
  if (schema.enum && typeof schema.enum[0] === "string") return schema.enum[0];
  return "web-1";
}

function typeOf(schema: TJsonSchema): string | undefined {
  return Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;
}

/** The schema a value of `schema` has when it is not null: a nullable field (`anyOf: [X, null]`) is its X. */
export function concrete(schema: TJsonSchema | undefined, resolve: TResolve): TJsonSchema {
  const s = resolve(schema) ?? {};
  const inner = s.anyOf?.filter((member) => resolve(member)?.type !== "null");
  return inner?.length === 1 ? concrete(inner[0], resolve) : s;
}

/** A body with every required field a plausible value (it need not pass every rule, only be the right shape). */
export function sampleBody(schema: TJsonSchema, resolve: TResolve): unknown {
  const s = concrete(schema, resolve);
  if (s.enum) return s.enum[0];
  switch (typeOf(s)) {
    case "object":
      return Object.fromEntries((s.required ?? []).map((name) => [name, sampleBody(s.properties?.[name] ?? {}, resolve)]));
    case "array":
      return [];
    case "integer":
    case "number":
      return 1;
    case "boolean":
      return false;
    default:
      return s.format === "uuid" ? randomUUID() : "web-1";
  }
}

/** The path of every string in a body of this schema, at any depth (arrays through their first item). */
export function bodyStringPaths(schema: TJsonSchema, resolve: TResolve, at: string[] = []): string[][] {
  const s = concrete(schema, resolve);
  switch (typeOf(s)) {
    case "object":
      return Object.entries(s.properties ?? {}).flatMap(([name, prop]) => bodyStringPaths(prop, resolve, [...at, name]));
    case "array":
      return s.items ? bodyStringPaths(s.items, resolve, [...at, "0"]) : [];
    case "string":
      return [at];
    default:
      return [];
  }
}

/** `body` with `value` at `path`, making the objects and one-item arrays on the way. */
export function withValueAt(body: unknown, path: string[], value: unknown): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return value;
  if (/^\d+$/.test(head)) {
    const list = Array.isArray(body) ? [...(body as unknown[])] : [];
    list[Number(head)] = withValueAt(list[Number(head)] ?? (rest.length > 0 && !/^\d+$/.test(rest[0] ?? "") ? {} : undefined), rest, value);
    return list;
  }
  const object = typeof body === "object" && body !== null ? { ...(body as Record<string, unknown>) } : {};
  object[head] = withValueAt(object[head], rest, value);
  return object;
}

export interface TApiError {
  code: string;
  message: string;
  fields?: { field: string; message: string }[];
}

/** Asserts `res` is the API's JSON error `{ code, message, fields? }` with this status and code; returns it. */
export async function expectApiError(res: Response, status: number, code: string, where: string): Promise<TApiError> {
  const text = await res.text();
  expect({ where, status: res.status, body: text.slice(0, 300) }).toMatchObject({ status });
  expect(res.headers.get("content-type"), where).toMatch(/^application\/json/);
  const body = JSON.parse(text) as TApiError;
  expect(Object.keys(body).filter((k) => !["code", "message", "fields"].includes(k)), where).toEqual([]);
  expect(body.code, where).toBe(code);
  expect(typeof body.message, where).toBe("string");
  for (const field of body.fields ?? []) expect(Object.keys(field).sort(), where).toEqual(["field", "message"]);
  return body;
}
