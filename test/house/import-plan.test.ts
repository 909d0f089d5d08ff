import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";

// `npm test` runs `npm run lint:imports` before anything else; these tests plant each kind of
// forbidden import in a throwaway tree shaped like the repository and check the command fails on
// it, naming the rule and the file, while the imports the house allows pass.
const repo = resolve(import.meta.dirname, "../..");
let tree: string;
afterEach(() => rmSync(tree, { recursive: true, force: true }));

function plant(files: Record<string, string>): void {
  tree = mkdtempSync(join(tmpdir(), "carve-imports-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(tree, path)), { recursive: true });
    writeFileSync(join(tree, path), text);
  }
}

function lintImports(): { status: number | null; violations: string[] } {
  const run = spawnSync("node", ["--import", "tsx", "scripts/lint-imports.ts", tree], { cwd: repo, encoding: "utf8" });
  // dependency-cruiser's "err" report: one "  error RULE: FROM → TO" line per violation.
  const violations = run.stdout.split("\n").flatMap((line) => /^\s*error (\S+): (\S+)/.exec(line)?.slice(1, 3).join(" ") ?? []);
  return { status: run.status, violations: violations.sort() };
}

// A tree with every layer and only allowed imports: core → db and protocol, the agent → protocol,
// protocol → zod and node:, a front door → core, a front door's test → @carve/db/testing, and a
// cycle made only of type imports.
const allowed = {
  "node_modules/zod/package.json": `{ "name": "zod", "main": "index.js" }`,
  "node_modules/zod/index.js": "export const z = {};\n",
  "node_modules/@prisma/client/package.json": `{ "name": "@prisma/client", "main": "index.js" }`,
  "node_modules/@prisma/client/index.js": "export class PrismaClient {}\n",
  "packages/protocol/src/index.ts": `import { z } from "zod";\nimport { randomUUID } from "node:crypto";\nexport const id = z && randomUUID();\n`,
  "packages/db/src/index.ts": `import { PrismaClient } from "@prisma/client";\nexport const db = new PrismaClient();\n`,
  "packages/db/src/testing.ts": `import { db } from "./index.ts";\nexport const testDb = db;\n`,
  "packages/core/src/index.ts": `import { db } from "../../db/src/index.ts";\nimport { id } from "../../protocol/src/index.ts";\nexport const core = { db, id };\n`,
  "packages/core/src/a.ts": `import type { B } from "./b.ts";\nexport type A = { b?: B };\nexport const a = 1;\n`,
  "packages/core/src/b.ts": `import type { A } from "./a.ts";\nexport type B = { a?: A };\nexport const b = 2;\n`,
  "agent/src/index.ts": `import { id } from "../../packages/protocol/src/index.ts";\nexport const agent = id;\n`,
  "apps/cli/src/main.ts": `import { core } from "../../../packages/core/src/index.ts";\nexport const cli = core;\n`,
  "apps/cli/src/main.test.ts": `import { testDb } from "../../../packages/db/src/testing.ts";\nexport const t = testDb;\n`,
  "apps/slack/src/app.ts": `import { core } from "../../../packages/core/src/index.ts";\nexport const app = core;\n`,
};

describe("npm run lint:imports", () => {
  it("passes a tree whose imports follow the plan", () => {
    plant(allowed);
    expect(lintImports()).toEqual({ status: 0, violations: [] });
  });

  it("fails on each forbidden import, naming the rule and the importing file", () => {
    plant({
      ...allowed,
      "apps/cli/src/prisma.ts": `import { PrismaClient } from "@prisma/client";\nexport const p = PrismaClient;\n`,
      "apps/cli/src/hosts.ts": `import { db } from "../../../packages/db/src/index.ts";\nexport const h = db;\n`,
      "apps/slack/src/app.test.ts": `import { db } from "../../../packages/db/src/index.ts";\nexport const t = db;\n`,
      "apps/cli/src/protocol.ts": `import { id } from "../../../packages/protocol/src/index.ts";\nexport const i = id;\n`,
      "apps/cli/src/agent.ts": `import { agent } from "../../../agent/src/index.ts";\nexport const a = agent;\n`,
      "apps/cli/src/slack.ts": `import { app } from "../../slack/src/app.ts";\nexport const s = app;\n`,
      "packages/core/src/cli.ts": `import { cli } from "../../../apps/cli/src/main.ts";\nexport const c = cli;\n`,
      "packages/protocol/src/db.ts": `import { db } from "../../db/src/index.ts";\nexport const d = db;\n`,
      "agent/src/core.ts": `import { core } from "../../packages/core/src/index.ts";\nexport const c = core;\n`,
      "packages/db/src/core.ts": `import { core } from "../../core/src/index.ts";\nexport const c = core;\n`,
      "packages/core/src/c.ts": `import { d } from "./d.ts";\nexport const c = d;\n`,
      "packages/core/src/d.ts": `import { c } from "./c.ts";\nexport const d = () => c;\n`,
    });
    const { status, violations } = lintImports();
    expect(status).toBe(1);
    expect(violations).toEqual([
      "agent-not-to-core-or-db agent/src/core.ts",
      "core-not-to-front-doors packages/core/src/cli.ts",
      "db-is-the-bottom packages/db/src/core.ts",
      "front-door-core-only apps/cli/src/hosts.ts",
      "front-door-core-only apps/cli/src/prisma.ts",
      "front-door-core-only apps/cli/src/protocol.ts",
      "front-door-not-to-agent apps/cli/src/agent.ts",
      "front-door-test-not-to-db apps/slack/src/app.test.ts",
      "front-doors-not-to-each-other apps/cli/src/slack.ts",
      "no-value-cycle packages/core/src/c.ts", // a cycle is reported once, from its first module
      "protocol-only-zod packages/protocol/src/db.ts",
    ]);
  });
});
