import { z } from "zod";
import { hasControlChar } from "./control-chars.ts";

/** An RFC 1123 label: the only shape of VM names (they become hostnames). */
export const ZResourceName = z
  .string({ error: "is required: give a name such as web-1" })
  .min(1, "is required: give a name such as web-1")
  .max(63, "is longer than 63 characters: shorten it (it becomes the VM's hostname)")
  .regex(
    /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/,
    "must be lowercase letters, digits and hyphens, starting and ending with a letter or digit (e.g. web-1)",
  );

/** Names of infrastructure objects (offerings, templates, hosts): a little more liberal. */
export const ZObjectName = z
  .string({ error: "is required" })
  .min(1, "is required")
  .max(63, "is longer than 63 characters: shorten it")
  .regex(
    /^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/,
    "must be letters, digits, '.', '_' and '-', starting and ending with a letter or digit (e.g. small-2c)",
  );

/** Free text shown to people: bounded, and without NUL or other control characters. */
export const ZDescription = z
  .string()
  .max(1000, "is longer than 1000 characters: shorten it")
  .refine((s) => !hasControlChar(s), "contains control characters (such as NUL): remove them");

export const ZUuid = (what: string) => z.uuid(`must be the id of a ${what} (a UUID)`);

/** Page size and opaque cursor for every list. */
export const ZPage = z.object({
  limit: z.coerce.number().int().min(1, "must be at least 1").max(200, "must be at most 200").default(50),
  cursor: z.string().max(200).optional(),
});
