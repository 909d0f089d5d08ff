import { z } from "zod";
import { parseSecretKey } from "./secret-box.ts";

/**
 * CARVE_SECRET_KEY as every process's env.ts parses it: 64 hex digits, the same in every Carve
 * process, or absent (null: encrypted settings cannot be written or read).
 */
export const ZSecretKeySetting = z
  .string()
  .optional()
  .transform((value, ctx) => {
    if (!value) return null;
    try {
      return parseSecretKey(value);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: (error as Error).message.replace(/^CARVE_SECRET_KEY /, "") });
      return z.NEVER;
    }
  });
