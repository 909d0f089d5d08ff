// The import plan of the house (docs/architecture.md, "Packages and who may import
// whom"), checked by `npm run lint:imports` on every `npm test`. Paths are real paths from the
// repository root: a workspace import such as "@carve/db" resolves to packages/db/src/….
const TEST_FILE = "\\.test\\.tsx?$|(^|/)vitest\\.config\\.ts$";

/** @type {import("dependency-cruiser").IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "front-door-core-only",
      comment: "Front doors (apps/*) call core's use-cases; the database, Prisma, the queue and the protocol are core's.",
      severity: "error",
      from: { path: "^apps/", pathNot: TEST_FILE },
      to: { path: "^packages/(db|protocol)/|(^|/)node_modules/(@prisma/|prisma/|pg/|bullmq/|ioredis/)" },
    },
    {
      name: "front-door-test-not-to-db",
      comment: "A front door's tests may make a throwaway database (@carve/db/testing), nothing more.",
      severity: "error",
      from: { path: `^apps/.*(${TEST_FILE})` },
      to: { path: "^packages/db/|(^|/)node_modules/(@prisma/|prisma/)", pathNot: "^packages/db/src/testing\\.ts$" },
    },
    {
      name: "front-door-not-to-agent",
      comment: "The agent runs on the hypervisor hosts; front doors reach it only through core's queue.",
      severity: "error",
      from: { path: "^apps/" },
      to: { path: "^agent/" },
    },
    {
      name: "front-doors-not-to-each-other",
      comment: "Front doors are siblings: what two of them share belongs in core.",
      severity: "error",
      from: { path: "^apps/([^/]+)/" },
      to: { path: "^apps/", pathNot: "^apps/$1/" },
    },
    {
      name: "core-not-to-front-doors",
      comment: "Core serves every front door, so it knows none of them, nor their frameworks, nor the agent.",
      severity: "error",
      from: { path: "^packages/core/" },
      to: { path: "^(apps|agent)/|(^|/)node_modules/(next/|next-auth/|@slack/|react/)" },
    },
    {
      name: "protocol-only-zod",
      comment: "The protocol is the contract agents and the control plane share: zod and node: only.",
      severity: "error",
      from: { path: "^packages/protocol/", pathNot: TEST_FILE },
      to: { pathNot: "^packages/protocol/|(^|/)node_modules/zod/", dependencyTypesNot: ["core"] },
    },
    {
      name: "agent-not-to-core-or-db",
      comment: "The agent speaks the protocol only; it never touches core, the database or a front door.",
      severity: "error",
      from: { path: "^agent/" },
      to: { path: "^(packages/(core|db)|apps)/|(^|/)node_modules/(@prisma/|prisma/|pg/)" },
    },
    {
      name: "db-is-the-bottom",
      comment: "packages/db is the Prisma client and nothing above it.",
      severity: "error",
      from: { path: "^packages/db/" },
      to: { path: "^(packages/(core|protocol)|apps|agent)/" },
    },
    {
      name: "no-value-cycle",
      comment: "No module may need itself at run time (a type-only edge does not load anything).",
      severity: "error",
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ["type-only"] } },
    },
  ],
  options: {
    doNotFollow: { path: "(^|/)node_modules/|^packages/db/src/generated/" },
    exclude: { path: "(^|/)(\\.next|dist)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "types", "default"],
      extensions: [".ts", ".tsx", ".d.ts", ".js", ".mjs", ".cjs"],
    },
  },
};
