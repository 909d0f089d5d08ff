import { examinedFormat } from "./list-templates.ts";
import type { Template } from "@carve/db";
import { ZGuestUser } from "@carve/protocol";
import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { CarveError } from "../errors/index.ts";
import { recordEvent } from "../events/record-event.ts";
import { requireAdmin, type TActor } from "../identity/actor.ts";
import { readTemplateSettings } from "../settings/template-settings.ts";
import { ZDescription, ZObjectName } from "../validation/fields.ts";
import { parseInput } from "../validation/parse-input.ts";
import { checkSourceUrl } from "./source-policy.ts";

export const ZRegisterTemplateInput = z.strictObject({
  name: ZObjectName,
  description: ZDescription.optional(),
  /** Where the image is: http:// or https://, on a host of the allow-list. */
  url: z.string({ error: "is required: the http:// or https:// URL of the image" }).min(1, "is required: the http:// or https:// URL of the image").max(2048, "is longer than 2048 characters"),
  /** The image's published sha256; without one, Carve computes and records it. */
  sha256: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[0-9a-f]{64}$/, "must be 64 hexadecimal digits (the image's sha256)")
    .optional(),
  supportsPasswordReset: z.boolean().default(false),
  supportsCloudInit: z.boolean().default(false),
  minDiskGiB: z.number({ error: "must be a number of GiB" }).int().min(1, "must be at least 1 GiB").max(65536).default(1),
  /** The guest account people sign in as: the connect line `ssh <loginUser>@<address>`. */
  loginUser: ZGuestUser.default("root"),
});

/**
 * Registers a template by URL (admins only). The URL's scheme and host are checked here, so a
 * refusal is immediate and names the setting to change; the template is then Downloading, and a
 * controller's template fetcher downloads it (checking every redirect and address again), detects
 * its format and checksum, and makes it Ready or Error with the reason. Listed meanwhile with its
 * progress.
 */
export async function registerTemplate(deps: CoreDeps, actor: TActor, input: unknown): Promise<Omit<Template, "format"> & { format: string | null }> {
  requireAdmin(actor, "register templates");
  const data = parseInput(ZRegisterTemplateInput, input);
  const source = checkSourceUrl(data.url, await readTemplateSettings(deps.db));
  return deps.db.$transaction(async (tx) => {
    if (await tx.template.findUnique({ where: { name: data.name }, select: { id: true } })) {
      throw new CarveError("ALREADY_EXISTS", `A template named '${data.name}' already exists. Choose another name, or delete the old one first.`, {
        fields: [{ field: "name", message: "is already used by another template" }],
      });
    }
    const template = await tx.template.create({
      data: {
        name: data.name,
        description: data.description ?? null,
        sourceUrl: source.url.toString(),
        sha256: data.sha256 ?? null,
        supportsPasswordReset: data.supportsPasswordReset,
        supportsCloudInit: data.supportsCloudInit,
        minDiskGiB: data.minDiskGiB,
        loginUser: data.loginUser,
        state: "Downloading",
        progress: 0,
      },
    });
    await recordEvent(tx, { type: "template.registered", actor, message: `template ${template.name} registered from ${template.sourceUrl}; downloading` });
    // Not examined yet: no format until the download is.
    return { ...template, format: examinedFormat(template) };
  });
}
