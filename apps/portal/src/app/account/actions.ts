"use server";

import { addSshKey, createApiKey, removeSshKey, revokeApiKey } from "@carve/core";
import { revalidatePath } from "next/cache";
import { failure, SUCCEEDED, type TActionResult } from "../../server/action-result.ts";
import { portalCore } from "../../server/core.ts";
import { pageActor } from "../../server/page-actor.ts";

/** What the Create API key form shows: the new key's secret this once (then only its prefix is known). */
export type TCreatedKey = TActionResult & { key: string | null; name: string | null };

const NO_KEY = { key: null, name: null };

function text(form: FormData, name: string): string | undefined {
  const value = form.get(name);
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** The Create API key form; the secret goes back in this one answer, never into a URL, cookie or log. */
export async function createApiKeyFromForm(_previous: TCreatedKey, form: FormData): Promise<TCreatedKey> {
  const actor = await pageActor();
  try {
    const created = await createApiKey(portalCore(), actor, { name: text(form, "name"), scope: text(form, "scope") });
    revalidatePath("/account");
    return { ...SUCCEEDED, key: created.key, name: created.name };
  } catch (error) {
    return { ...failure(error), ...NO_KEY };
  }
}

/** Revokes one of the user's API keys (by id). */
export async function revokeApiKeyAction(keyId: string): Promise<TActionResult> {
  const actor = await pageActor();
  try {
    await revokeApiKey(portalCore(), actor, keyId);
    revalidatePath("/account");
    return SUCCEEDED;
  } catch (error) {
    return failure(error);
  }
}

/** The Add SSH key form: core validates the key and names the field at fault. */
export async function addSshKeyFromForm(_previous: TActionResult, form: FormData): Promise<TActionResult> {
  const actor = await pageActor();
  try {
    await addSshKey(portalCore(), actor, { name: text(form, "name"), publicKey: text(form, "publicKey") });
    revalidatePath("/account");
    return SUCCEEDED;
  } catch (error) {
    return failure(error);
  }
}

/** Removes one of the user's SSH keys (by id). */
export async function removeSshKeyAction(keyId: string): Promise<TActionResult> {
  const actor = await pageActor();
  try {
    await removeSshKey(portalCore(), actor, { key: keyId });
    revalidatePath("/account");
    return SUCCEEDED;
  } catch (error) {
    return failure(error);
  }
}
