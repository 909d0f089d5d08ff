// Every fenced `npx carve …` line of the README and the manual (docs/), run in reading order against
// a real stack (libvirt test-driver hosts), so the manual cannot drift from the program: a line that
// changes or appears must be run here or listed below as one that cannot run, with the reason.
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { writeTestNodeXml, TEST_POOL, TEST_TEMPLATE } from "@carve/agent/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { carveInProcess } from "../../apps/cli/src/testing/carve-in-process.ts";
import { REPO_ROOT } from "../../scripts/lib/service.ts";
import { Stack } from "../lib/stack/stack.ts";
import { addTestHosts } from "../lib/stack/test-hosts.ts";
import { createUser } from "../lib/stack/users.ts";

/** What the manual's examples need that a test stack names differently. */
interface TContext {
  /** kvm-1's libvirt URI: a test-driver node of its own. */
  kvm1Uri: string;
  kvm1PoolPath: string;
}

/** How one README command is run: as written, with words swapped for the stack's, or not at all. */
type TLine =
  | { skip: string }
  | {
      /** Words of the manual's command replaced (whole arguments) before it runs. */
      swap?: Record<string, string>;
      /** The error code the line is documented to answer with in reading order (a refusal). */
      refused?: string;
      /** Work after the command, as the manual's reader would do next (start kvm-1's agent). */
      after?: () => Promise<void>;
    };

const SECRET_KEY = randomBytes(32).toString("hex");
let stack: Stack;
let context: TContext;
const carve = (...args: string[]) => carveInProcess({ databaseUrl: stack.databaseUrl, queuePrefix: stack.prefix, settings: { REDIS_URL: stack.redisUrl, CARVE_SECRET_KEY: SECRET_KEY } }, ...args);

// Comments, the `echo … |` in front and `\` continuations removed (see readmeCommands).
const LINES: Record<string, (ctx: TContext) => TLine> = {
  "npx carve host add kvm-1 --uri qemu:///system": (ctx) => ({
    swap: { "qemu:///system": ctx.kvm1Uri },
    after: async () => {
      const host = await stack.core.db.host.findUniqueOrThrow({ where: { name: "kvm-1" } });
      await stack.startAgent(host.id, ctx.kvm1Uri);
    },
  }),
  "npx carve pool add kvm-1-local --host kvm-1 --libvirt-name default --path /var/lib/libvirt/images": (ctx) => ({
    swap: { default: TEST_POOL, "/var/lib/libvirt/images": ctx.kvm1PoolPath },
    after: () => stack.waitForHostsUp(),
  }),
  "npx carve template add debian --pool kvm-1-local --volume debian-12.qcow2": () => ({ swap: { "debian-12.qcow2": TEST_TEMPLATE } }),
  "npx carve admin setup --token <token> --username admin --password-stdin": () => ({ skip: "reads the passphrase from stdin and needs the token the first start printed: test/ldap/first-run-cli.test.ts" }),
  "npx carve admin reset-password USER": () => ({ skip: "reads the new password from stdin: apps/cli/src/admin.integration.test.ts" }),
  "npx carve quota set --user alice --vcpus 8 --memory 16384": () => ({}),
  "npx carve pool add nas --host kvm-1 --host kvm-2 --scope Shared --libvirt-name nas --path /mnt/nas --source-host nas.lan --source-path /export/vms --wait": () => ({
    skip: "needs an NFS server (nas.lan) and a second host that mounts it: test/real-hypervisor/storage",
  }),
  // The test pools hold 100 GiB (90 % usable): the manual's 200 GiB disk is made smaller.
  "npx carve vm create big --template debian --offering medium --data-disk scratch:200 --wait": () => ({ swap: { "scratch:200": "scratch:5" } }),
  "npx carve volume attach logs --vm big --wait": () => ({ skip: "libvirt's test driver cannot attach devices: test/real-hypervisor/volumes.test.ts" }),
  "npx carve volume resize logs --size 80 --wait": () => ({ skip: "libvirt's test driver cannot resize volumes: test/real-hypervisor/volumes.test.ts" }),
  "npx carve volume detach logs --wait": () => ({ skip: "libvirt's test driver cannot detach devices (the volume is never attached here): test/real-hypervisor/volumes.test.ts" }),
  "npx carve network create dev-lan --kind managed --cidr 10.0.0.0/24 --gateway 10.0.0.1 --range 10.0.0.10-10.0.0.200 --dns-domain dev.example.com --host kvm-1 --host kvm-2 --default": () => ({
    swap: { "kvm-2": "host-1" },
  }),
  // lan was deleted on the line before: the manual shows the option, not a sequence.
  "npx carve offering create web --vcpus 2 --memory 2048 --network lan": () => ({ refused: "NETWORK_NOT_FOUND" }),
  "npx carve vm migrate web-1 --wait": () => ({ skip: "live migration needs two real libvirt daemons: test/real-hypervisor/live-migration.test.ts" }),
  "npx carve vm migrate-cancel web-1": () => ({ skip: "cancels a live migration in flight: test/real-hypervisor/live-migration.test.ts" }),
  "npx carve host maintenance start kvm-1 --wait": () => ({ skip: "moves every VM off by live migration: test/hosts/maintenance.test.ts" }),
  "npx carve host maintenance cancel kvm-1": () => ({ skip: "cancels the maintenance the line before starts: test/hosts/maintenance.test.ts" }),
  "npx carve template register debian-12 --url https://cloud.debian.org/…/debian-12-generic-amd64.qcow2 --sha256 <published sum> --cloud-init --password-reset": () => ({
    skip: "downloads from cloud.debian.org (no internet in tests): test/templates/registry.test.ts serves an image itself",
  }),
  "npx carve template copy debian-12 --pool kvm-1-local --wait": () => ({ skip: "copies the image the line before downloads: test/templates/registry.test.ts" }),
  "npx carve template delete debian-12": () => ({
    refused: "TEMPLATE_NOT_FOUND",
    // What the register line (skipped) would have made, for the sections that use debian-12 next.
    after: async () => {
      for (const args of [["template", "add", "debian-12", "--pool", "kvm-1-local", "--volume", TEST_TEMPLATE], ["template", "update", "debian-12", "--cloud-init", "--password-reset"]]) {
        expect(await carve(...args)).toMatchObject({ code: 0 });
      }
    },
  }),
  "npx carve sshkey add laptop --file ~/.ssh/id_ed25519.pub": () => ({ swap: { "~/.ssh/id_ed25519.pub": join(REPO_ROOT, "test/full-stack/fixtures/id_ed25519.pub") } }),
  "npx carve sg rule remove web RULE_ID": () => ({ skip: "RULE_ID is the id `sg show` printed: apps/cli/src/security-group.integration.test.ts" }),
  "npx carve drift destroy ID": () => ({ skip: "needs drift on a host (a domain Carve does not know): apps/cli/src/drift.integration.test.ts" }),
  "npx carve drift ignore ID": () => ({ skip: "needs drift on a host (a domain Carve does not know): apps/cli/src/drift.integration.test.ts" }),
  // kvm-1 still heartbeats in reading order: the documented refusal (a dead host is declared in the tests named below).
  "npx carve host declare-dead kvm-1 --confirm kvm-1": () => ({ refused: "HOST_ALIVE" }),
  "npx carve vm recreate web-1": () => ({ skip: "needs a Lost VM, on a host declared dead: apps/cli/src/dead-host.integration.test.ts, test/real-hypervisor/host-dead.test.ts" }),
  "npx carve vm destroy db-1": () => ({ skip: "a Lost VM's records-only destroy, on a host declared dead: apps/cli/src/dead-host.integration.test.ts" }),
  "npx carve host remove kvm-1": () => ({ refused: "HAS_DEPENDENTS" }),
  "npx carve pool delete kvm-1-local": () => ({ refused: "HAS_DEPENDENTS" }),
  "npx carve template delete debian": () => ({ refused: "TEMPLATE_IN_USE" }),
  "npx carve offering delete medium": () => ({ refused: "HAS_DEPENDENTS" }),
};

/**
 * The manual's reading order (docs/README.md lists the same): each page's commands build on the
 * pages before it (kvm-1 is added in getting-started and removed in operations).
 */
const READING_ORDER = [
  "README.md",
  "docs/manual/1-getting-started.md",
  "docs/manual/2-fleet.md",
  "docs/manual/3-templates-and-guests.md",
  "docs/manual/4-console.md",
  "docs/manual/5-slack-and-portal.md",
  "docs/operations.md",
  "docs/security.md",
  "docs/development.md",
  "docs/performance.md",
  "docs/architecture.md",
  "docs/README.md",
];

/** Every Markdown page under docs/, repository-relative. */
const docsPages = (dir = join(REPO_ROOT, "docs")): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? docsPages(join(dir, entry.name)) : entry.name.endsWith(".md") ? [relative(REPO_ROOT, join(dir, entry.name))] : [],
  );

/** Each fenced `npx carve …` command of the README and docs/, as written (comment and `\` continuations removed), in reading order. */
function readmeCommands(): { file: string; line: number; command: string }[] {
  return READING_ORDER.flatMap((file) => pageCommands(file).map((c) => ({ file, ...c })));
}

function pageCommands(file: string): { line: number; command: string }[] {
  const lines = readFileSync(join(REPO_ROOT, file), "utf8").split("\n");
  const commands: { line: number; command: string }[] = [];
  let fenced = false;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]?.startsWith("```")) fenced = !fenced;
    if (!fenced || !lines[i]?.includes("npx carve")) continue;
    const start = i + 1;
    let text = lines[i] ?? "";
    while (/\\\s*$/.test(text.replace(/\s#\s.*$/, ""))) text = `${text.replace(/\s*\\\s*$/, "")} ${(lines[++i] ?? "").trim()}`;
    // "a  ·  b" shows two commands on one line.
    for (const part of text.replace(/\s#\s.*$/, "").split("·")) {
      const command = part.slice(part.indexOf("npx carve")).trim();
      if (part.includes("npx carve")) commands.push({ line: start, command: withoutOptionalParts(command) });
    }
  }
  return commands;
}

/**
 * `[--host kvm-2]` (an optional part) is left out; "user|team|offering" (a choice) is its first.
 * A '…'-quoted word is the shell's, kept as it is (a JSON argv has brackets).
 */
const withoutOptionalParts = (command: string) =>
  command
    .split(/('[^']*')/)
    .map((part) => (part.startsWith("'") ? part : part.replace(/\s*\[[^\]]*\]/g, "").replace(/(\S+?)\|\S+/g, "$1")))
    .join("");

/** The words of a command as a shell splits them ("…" and '…' keep their spaces). */
const words = (command: string) => [...command.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? "");

beforeAll(async () => {
  stack = await new Stack().init();
  await stack.startController();
  const admin = await createUser(stack.core, "ops", "Admin");
  await createUser(stack.core, "alice", "User");
  await addTestHosts(stack, admin, { count: 1 });
  const node = await writeTestNodeXml({ dir: join(stack.dir, "node-kvm-1"), cpus: 16, memoryMiB: 32_768 });
  context = { kvm1Uri: node.uri, kvm1PoolPath: node.pools[0]?.path ?? node.dir };
});
afterAll(async () => {
  await stack?.stop();
});

describe("the README's and the manual's commands", () => {
  it("reads every page of docs/ (a new page is placed in READING_ORDER)", () => {
    expect(docsPages().filter((page) => !READING_ORDER.includes(page))).toEqual([]);
  });

  it("lists every line that cannot run, and no line that is no longer in the manual", () => {
    const commands = readmeCommands().map((c) => c.command);
    expect(Object.keys(LINES).filter((known) => !commands.includes(known))).toEqual([]);
  });

  it("runs each of them in reading order, as documented", async () => {
    for (const { file, line, command } of readmeCommands()) {
      const plan = LINES[command]?.(context) ?? {};
      if ("skip" in plan) continue;
      const args = words(command.replace(/^npx carve\s+/, "")).map((word) => plan.swap?.[word] ?? word);
      const run = await carve("--json", ...args);
      const where = `${file}:${line}: ${command}\n${run.stderr}`;
      // Soft: one run reports every line that drifted, not only the first.
      if (plan.refused) expect.soft({ code: run.code, error: run.stderr.startsWith("{") ? JSON.parse(run.stderr).error?.code : run.stderr }, where).toEqual({ code: 1, error: plan.refused });
      else expect.soft({ code: run.code, stderr: run.stderr }, where).toEqual({ code: 0, stderr: "" });
      await plan.after?.();
    }
  });
});
