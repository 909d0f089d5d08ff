/**
 * `npm run db:generate`: builds the Prisma client (packages/db/src/generated, git-ignored) from
 * prisma/schema.prisma without the network. `prisma generate` never runs the schema engine, but
 * the CLI tries to download it unless PRISMA_SCHEMA_ENGINE_BINARY names an existing file.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

function placeholderEngine(): string {
  const given = process.env["PRISMA_SCHEMA_ENGINE_BINARY"];
  if (given && existsSync(given)) return given;
  return existsSync("/bin/true") ? "/bin/true" : process.execPath;
}

const cli = createRequire(import.meta.url).resolve("prisma/build/index.js");
const started = performance.now();
const result = spawnSync(process.execPath, [cli, "generate"], {
  cwd: ROOT, // prisma.config.ts at the root names the schema
  stdio: "inherit",
  env: {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: placeholderEngine(),
    CHECKPOINT_DISABLE: "1",
    PRISMA_HIDE_UPDATE_MESSAGE: "1",
  },
});
if (result.error) {
  console.error(`db:generate could not start the Prisma CLI (${cli}): ${result.error.message}`);
  process.exit(1);
}
if (result.status !== 0) {
  console.error(`db:generate failed: prisma generate exited with ${result.status ?? result.signal}`);
  process.exit(result.status ?? 1);
}
console.log(`db:generate: client written to packages/db/src/generated in ${Math.round(performance.now() - started)} ms`);
