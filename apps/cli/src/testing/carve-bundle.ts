import { createHash } from "node:crypto";
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { build, type Plugin } from "esbuild";

const CLI_DIR = join(import.meta.dirname, "..", "..");
const OUT_DIR = join(CLI_DIR, "..", "..", "var", "test-cli");

/**
 * Our TypeScript (the CLI, core, db, protocol) goes into the bundle; packages from node_modules stay
 * imports, loaded by Node as bin/carve.js loads them. Each file keeps its own import.meta.dirname
 * and import.meta.url (env.ts's state directory, Prisma's generated client) as if run from source.
 */
const sourcesAsTheyAre: Plugin = {
  name: "carve-sources-as-they-are",
  setup(builder) {
    builder.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith("@carve/") ? undefined : { external: true }));
    builder.onLoad({ filter: /\.ts$/ }, async (args) => ({
      loader: "ts",
      contents: (await readFile(args.path, "utf8"))
        .replaceAll("import.meta.dirname", JSON.stringify(dirname(args.path)))
        .replaceAll("import.meta.url", JSON.stringify(pathToFileURL(args.path).href)),
    }));
  },
};

/** One bundle of the CLI per test process: every later `carve` run of that process reuses it. */
let bundled: Promise<string> | undefined;

/**
 * The `carve` command as one JavaScript file built from the current sources, for tests that run it
 * hundreds of times: bin/carve.js compiles ~300 TypeScript modules through tsx on every start
 * (~2.2 s of CPU a run), the bundle starts in ~0.8 s. Named by its content, so test processes
 * running at once share a file and a stale bundle is never run.
 */
export function carveBundle(): Promise<string> {
  bundled ??= (async () => {
    const result = await build({
      entryPoints: [join(CLI_DIR, "src", "main.ts")],
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      write: false,
      outfile: join(OUT_DIR, "carve.mjs"),
      logLevel: "silent",
      plugins: [sourcesAsTheyAre],
    });
    const code = result.outputFiles[0]?.contents;
    if (code === undefined) throw new Error("esbuild produced no bundle of apps/cli/src/main.ts");
    const file = join(OUT_DIR, `carve-${createHash("sha256").update(code).digest("hex").slice(0, 16)}.mjs`);
    if (!existsSync(file)) {
      mkdirSync(OUT_DIR, { recursive: true });
      // Written aside, then renamed: another process never runs a half-written bundle.
      const partial = `${file}.${process.pid}.partial`;
      writeFileSync(partial, code);
      renameSync(partial, file);
    }
    return file;
  })();
  return bundled;
}
