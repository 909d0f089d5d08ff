import type { Db, Prisma } from "@carve/db";
import { CarveError } from "../../errors/index.ts";
import { ZDirectoryConfig, type TDirectoryConfig } from "./directory-config.ts";
import { openSecret, sealSecret } from "../secret-box.ts";

export const DIRECTORY_SETTING = "identity.directory";
export const BIND_PASSWORD_SETTING = "identity.directory.bindPassword";

/** The directory as configured: settings plus the decrypted service password (null if none). */
export interface TDirectory {
  config: TDirectoryConfig;
  bindPassword: string | null;
}

/**
 * Reads the directory settings. Null when no directory is configured or it is switched off.
 * A bind password that cannot be decrypted throws SECRET_UNREADABLE naming the setting and how
 * to fix it; callers that can live without the directory (local sign-in) never get here.
 */
export async function loadDirectory(db: Db, secretKey: Buffer | null): Promise<TDirectory | null> {
  const rows = await db.setting.findMany({ where: { key: { in: [DIRECTORY_SETTING, BIND_PASSWORD_SETTING] } } });
  const configRow = rows.find((r) => r.key === DIRECTORY_SETTING);
  if (!configRow) return null;
  const parsed = ZDirectoryConfig.safeParse(configRow.value);
  if (!parsed.success) {
    throw new CarveError("DIRECTORY_MISCONFIGURED", `The setting ${DIRECTORY_SETTING} is not a valid directory configuration (${parsed.error.issues[0]?.message ?? "unreadable"}); save it again with 'carve directory set'.`);
  }
  if (!parsed.data.enabled) return null;
  const sealed = rows.find((r) => r.key === BIND_PASSWORD_SETTING);
  if (!sealed) return { config: parsed.data, bindPassword: null };
  if (!secretKey) throw unreadable("CARVE_SECRET_KEY is not set in this process");
  try {
    return { config: parsed.data, bindPassword: openSecret(secretKey, BIND_PASSWORD_SETTING, sealed.value) };
  } catch {
    throw unreadable("it was saved under a different CARVE_SECRET_KEY, or the stored value is damaged");
  }
}

function unreadable(why: string): CarveError {
  return new CarveError(
    "SECRET_UNREADABLE",
    `The setting ${BIND_PASSWORD_SETTING} cannot be decrypted: ${why}. Give every Carve process the CARVE_SECRET_KEY it was saved with, or set the password again with 'carve directory set --bind-password-stdin'. Local accounts can still sign in.`,
  );
}

/** Saves the configuration and, when given, the bind password sealed under `secretKey`. */
export async function saveDirectory(
  tx: Prisma.TransactionClient,
  config: TDirectoryConfig,
  bindPassword: string | null | undefined,
  secretKey: Buffer | null,
  updatedBy: string | null,
): Promise<void> {
  const value = config as unknown as Prisma.InputJsonValue;
  await tx.setting.upsert({ where: { key: DIRECTORY_SETTING }, create: { key: DIRECTORY_SETTING, value, updatedBy }, update: { value, updatedBy } });
  if (bindPassword === null) {
    await tx.setting.deleteMany({ where: { key: BIND_PASSWORD_SETTING } });
  } else if (bindPassword !== undefined) {
    if (!secretKey) {
      throw new CarveError("DIRECTORY_MISCONFIGURED", "Carve has no key to encrypt the bind password with: set CARVE_SECRET_KEY (openssl rand -hex 32) for every Carve process, then save the directory settings again.");
    }
    const sealed = sealSecret(secretKey, BIND_PASSWORD_SETTING, bindPassword) as unknown as Prisma.InputJsonValue;
    await tx.setting.upsert({
      where: { key: BIND_PASSWORD_SETTING },
      create: { key: BIND_PASSWORD_SETTING, value: sealed, encrypted: true, updatedBy },
      update: { value: sealed, encrypted: true, updatedBy },
    });
  }
}
