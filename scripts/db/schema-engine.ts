/**
 * Drives Prisma's schema engine compiled to WebAssembly (@prisma/schema-engine-wasm) over
 * @prisma/adapter-pg, so migrations can be authored on a machine that cannot download the native
 * `schema-engine` binary. Only the authoring script (new-migration.ts) needs this; deploying
 * migrations uses plain `pg` (packages/db/src/migrate.ts).
 */
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";

import { PrismaPg } from "@prisma/adapter-pg";
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from "@prisma/driver-adapter-utils";
import * as engineBg from "@prisma/schema-engine-wasm/schema_engine_bg";
import type { SchemaEngine } from "@prisma/schema-engine-wasm";
import pg from "pg";

import { quoteIdent, withDatabase } from "../../packages/db/src/migrate.ts";

const PG_CHAR_OID = 18; // Postgres's internal one-byte "char" (pg_class.relkind, pg_constraint.contype…)
const PG_TEXT_OID = 25;

type QueryResultLike = { fields?: { dataTypeID: number }[] };

function charAsText<T>(result: T): T {
  for (const r of Array.isArray(result) ? result : [result]) {
    for (const f of (r as QueryResultLike | undefined)?.fields ?? []) {
      if (f.dataTypeID === PG_CHAR_OID) f.dataTypeID = PG_TEXT_OID;
    }
  }
  return result;
}

/**
 * adapter-pg has no mapping for the "char" type that the engine's catalogue queries return and
 * fails with "Unsupported column type". The value already arrives as a one-character string, so
 * relabelling the column as text is exact.
 */
class CharAsTextClient extends pg.Client {
  // pg's query() has a dozen overloads (promise or callback); we only post-process the result.
  override query(...args: unknown[]): never {
    const cbIndex = args.findIndex((a) => typeof a === "function");
    const call = super.query as unknown as (...a: unknown[]) => unknown;
    if (cbIndex >= 0) {
      const cb = args[cbIndex] as (err: unknown, res: unknown) => void;
      args[cbIndex] = (err: unknown, res: unknown) => cb(err, err ? res : charAsText(res));
      return call.apply(this, args) as never;
    }
    const ret = call.apply(this, args);
    if (ret instanceof Promise) return ret.then(charAsText) as never;
    return ret as never;
  }
}

function poolFor(url: string): pg.Pool {
  return new pg.Pool({ connectionString: url, Client: CharAsTextClient, max: 4 });
}

async function adminQuery(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: withDatabase(serverUrl, "postgres") });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function createDatabase(serverUrl: string, name: string): Promise<string> {
  await adminQuery(serverUrl, `CREATE DATABASE ${quoteIdent(name)}`);
  return withDatabase(serverUrl, name);
}

export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  await adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
}

/**
 * A migration-aware adapter factory whose shadow database really is a fresh, separate database.
 * (PrismaPg#connectToShadowDb() spreads `{ ...config, database }`, but pg lets a
 * `connectionString` win over `database`, so the "shadow" silently becomes the main database.)
 */
export function adapterFactory(mainUrl: string): SqlMigrationAwareDriverAdapterFactory {
  const connect = async (url: string) => {
    const pool = poolFor(url);
    const adapter = await new PrismaPg(pool, { disposeExternalPool: true }).connect();
    // adapter-pg runs a script by splitting it at every ";", which cuts a function body ($$ … $$)
    // apart. PostgreSQL's simple query protocol takes the whole script at once, as psql does.
    adapter.executeScript = async (script: string) => {
      await pool.query(script);
    };
    return adapter;
  };
  return {
    provider: "postgres",
    adapterName: "@prisma/adapter-pg",
    connect: () => connect(mainUrl),
    async connectToShadowDb(): Promise<SqlDriverAdapter> {
      const name = `carve_shadow_${randomBytes(6).toString("hex")}`;
      const adapter = await connect(await createDatabase(mainUrl, name));
      const dispose = adapter.dispose.bind(adapter);
      adapter.dispose = async () => {
        await dispose();
        await dropDatabase(mainUrl, name);
      };
      return adapter;
    },
  };
}

// The root tsconfig has no DOM lib, so the WebAssembly global is untyped here; this is all we use.
type WasmApi = {
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: Record<string, unknown> } }>;
};
const webAssembly = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

let wasmLoaded: Promise<void> | undefined;

/** Instantiates the wasm module by hand: Node 20 cannot `import` a .wasm file without a flag. */
function loadWasm(): Promise<void> {
  wasmLoaded ??= (async () => {
    const require = createRequire(import.meta.url);
    // The package's exports map hides package.json; its glue module sits next to the .wasm file.
    const glue = require.resolve("@prisma/schema-engine-wasm/schema_engine_bg");
    const bytes = await readFile(path.join(path.dirname(glue), "schema_engine_bg.wasm"));
    const { instance } = await webAssembly.instantiate(bytes, { "./schema_engine_bg.js": engineBg });
    engineBg.__wbg_set_wasm(instance.exports);
    (instance.exports["__wbindgen_start"] as () => void)();
  })();
  return wasmLoaded;
}

export async function engineVersion(): Promise<string> {
  await loadWasm();
  return engineBg.version();
}

export async function startSchemaEngine(
  mainUrl: string,
  schema: { path: string; content: string },
  log: (line: string) => void = () => {},
): Promise<SchemaEngine> {
  await loadWasm();
  const adapter = bindMigrationAwareSqlAdapterFactory(adapterFactory(mainUrl));
  return engineBg.SchemaEngine.new({ datamodels: [[schema.path, schema.content]] }, log, adapter);
}
