import type { Command } from "commander";
import { table, type TOutput } from "../output.ts";
import { withClient } from "../session.ts";
import { followJobWith } from "./wait.ts";

const int = (value: string) => (/^\d+$/.test(value) ? Number(value) : Number.NaN);
const list = (value: string, previous: string[] = []) => [...previous, value];

/** "Downloading 43 %", "Error: <reason>", "Ready". */
function status(t: { state: string; progress?: number; stateReason?: string | null }): string {
  if ((t.state === "Downloading" || t.state === "Copying") && t.progress !== undefined) return `${t.state} ${t.progress} %`;
  return t.stateReason ? `${t.state}: ${t.stateReason}` : t.state;
}

/** Bytes as people read them. */
function size(bytes: bigint): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = Number(bytes);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

const LOGIN_USER_HELP = "the guest account people sign in as: its VMs show 'ssh <user>@<address>'";

/** `carve template …` and `carve settings templates`: the template registry. */
export function registerTemplateCommands(program: Command, out: () => TOutput): void {
  const template = program.command("template").description("VM templates");
  template.command("register <name>").description("register a template by URL; a controller downloads it (see 'template list')")
    .requiredOption("--url <url>", "http:// or https:// URL of a qcow2, raw or ISO image, on an allowed host")
    .option("--sha256 <hex>", "the image's published sha256 (computed and recorded when absent)")
    .option("--password-reset", "the image has the QEMU guest agent: passwords can be reset")
    .option("--cloud-init", "the image runs cloud-init: VMs get SSH keys and hostname through a NoCloud seed")
    .option("--min-disk <GiB>", "smallest root disk (raised to the image's own size)", "1")
    .option("--login-user <user>", LOGIN_USER_HELP, "root")
    .option("--description <text>", "free text")
    .action(async (name: string, o: { url: string; sha256?: string; passwordReset?: boolean; cloudInit?: boolean; minDisk: string; loginUser: string; description?: string }) =>
      withClient(async (client) => {
        const t = await client.registerTemplate({
          name,
          url: o.url,
          sha256: o.sha256,
          supportsPasswordReset: Boolean(o.passwordReset),
          supportsCloudInit: Boolean(o.cloudInit),
          minDiskGiB: int(o.minDisk),
          loginUser: o.loginUser,
          description: o.description,
        });
        out().result(t, () => [`template ${t.name} registered (${t.id}), ${t.state}; follow it with 'carve template list'`]);
      }),
    );
  template.command("add <name>").description("register a template whose image is already a volume in a pool")
    .requiredOption("--pool <pool>", "pool holding the image (repeat for each pool that has a copy)", list)
    .requiredOption("--volume <volume>", "the image's volume name in that pool")
    .option("--format <format>", "qcow2 or raw", "qcow2")
    .option("--min-disk <GiB>", "smallest root disk", "1")
    .option("--login-user <user>", LOGIN_USER_HELP, "root")
    .option("--description <text>", "free text")
    .action(async (name: string, o: { pool: string[]; volume: string; format: string; minDisk: string; loginUser: string; description?: string }) =>
      withClient(async (client) => {
        const t = await client.addTemplate({ name, pools: o.pool, volume: o.volume, format: o.format, minDiskGiB: int(o.minDisk), loginUser: o.loginUser, description: o.description });
        out().result(t, () => [`template ${t.name} added (${t.id}), ${t.state}`]);
      }),
    );
  template.command("list").description("templates, whatever their state, with progress and copies").action(async () =>
    withClient(async (client) => {
      const ts = await client.listTemplates();
      out().result(ts, () =>
        table(
          ["NAME", "STATUS", "FORMAT", "SIZE", "MIN DISK", "LOGIN", "COPIES", "ID"],
          ts.map((t) => [t.name, status(t), t.format, t.sizeBytes ? size(t.sizeBytes) : null, `${t.minDiskGiB} GiB`, t.loginUser, t.copies?.map((c) => `${c.pool} (${status(c)})`).join(", ") || null, t.id]),
        ),
      );
    }),
  );
  // template update (issue 17)
  template.command("update <name>").description("change a template's login user, description or image capabilities (the image stays)")
    .option("--login-user <user>", LOGIN_USER_HELP)
    .option("--description <text>", "free text")
    .option("--cloud-init", "the image runs cloud-init")
    .option("--no-cloud-init", "the image does not run cloud-init")
    .option("--password-reset", "the image has the QEMU guest agent")
    .option("--no-password-reset", "the image has no QEMU guest agent")
    .action(async (name: string, o: { loginUser?: string; description?: string; cloudInit?: boolean; passwordReset?: boolean }) =>
      withClient(async (client) => {
        const t = await client.updateTemplate(name, { loginUser: o.loginUser, description: o.description, supportsCloudInit: o.cloudInit, supportsPasswordReset: o.passwordReset });
        out().result(t, () => [`template ${t.name} updated; its VMs are reached as ${t.loginUser} (ssh ${t.loginUser}@<address>)`]);
      }),
    );
  template.command("delete <name>").description("delete a template no live VM uses, in any state (a download in progress stops)").action(async (name: string) =>
    withClient(async (client) => {
      const t = await client.deleteTemplate(name);
      out().result(t, () => [`template ${t.name} deleted`]);
    }),
  );
  template.command("copy <name>").description("copy a Ready template to a pool now, rather than on first use")
    .requiredOption("--pool <pool>", "pool name or id")
    .option("--wait", "follow the copy to its end")
    .option("--timeout <seconds>", "how long --wait waits", "3600")
    .action(async (name: string, o: { pool: string; wait?: boolean; timeout: string }) =>
      withClient(async (client) => {
        const ensured = await client.copyTemplate(name, o.pool);
        // The controller marks the copy Ready in the transaction that ends its job.
        const copied = o.wait && ensured.jobId !== null && ensured.copy.state === "Copying" && (await followJobWith(client.waitForJob, ensured.jobId, out(), int(o.timeout)));
        const copy = copied ? { ...ensured.copy, state: "Ready" as const, progress: 100 } : ensured.copy;
        out().result({ ...ensured, copy }, () => [`template ${name} in pool ${o.pool}: ${status(copy)}${ensured.jobId ? ` (job ${ensured.jobId})` : ""}`]);
      }),
    );

  const settings = program.commands.find((c) => c.name() === "settings") ?? program.command("settings").description("Carve settings");
  settings.command("templates")
    .description("where template images may come from and how large they may be (no option: show the settings)")
    .option("--allow-host <host>", "allow downloads from host or host:port (repeat)", list)
    .option("--disallow-host <host>", "take a host off the allow-list (repeat)", list)
    .option("--allow-private", "allow loopback and private (RFC 1918, CGNAT, ULA) addresses")
    .option("--no-allow-private", "refuse loopback and private addresses (the default)")
    .option("--max-bytes <n>", "largest image in bytes", int)
    .action(async (o: { allowHost?: string[]; disallowHost?: string[]; allowPrivate?: boolean; maxBytes?: number }) =>
      withClient(async (client) => {
        const s = await client.changeSettings("templates", { addAllowedHosts: o.allowHost, removeAllowedHosts: o.disallowHost, allowPrivateAddresses: o.allowPrivate, maxBytes: o.maxBytes });
        out().result(s, () => [
          `allowed hosts: ${s.allowedHosts.join(", ") || "none (every download is refused)"}`,
          `private and loopback addresses: ${s.allowPrivateAddresses ? "allowed" : "refused"}`,
          `largest image: ${s.maxBytes} bytes (${size(BigInt(s.maxBytes))})`,
        ]);
      }),
    );
}
