"use server";

import { awaitsFirstAdmin, setupFirstAdmin } from "@carve/core";
import { notFound } from "next/navigation";
import { failure } from "../../server/action-result.ts";
import { portalCore } from "../../server/core.ts";
import { text } from "../../server/form-fields.ts";
import type { TFormResult } from "../../server/form-result.ts";

/**
 * Creates the first administrator with the one-time setup token Carve printed on first start
 * (core's setupFirstAdmin, as `carve admin setup` does). Gone once an administrator exists.
 */
export async function setupFromForm(_previous: TFormResult, form: FormData): Promise<TFormResult> {
  const core = portalCore();
  if (!(await awaitsFirstAdmin(core))) notFound();
  const password = form.get("password");
  if (password !== form.get("confirm")) {
    return { code: "INVALID_INPUT", message: "The two passwords differ.", fields: [{ field: "confirm", message: "does not match the password: type the same password twice" }], notice: null, reveal: null };
  }
  try {
    await setupFirstAdmin(core, { token: text(form, "token"), username: text(form, "username"), displayName: text(form, "displayName"), password: typeof password === "string" ? password : undefined });
    return { code: null, message: null, fields: [], notice: "Administrator created; signing you in…", reveal: null };
  } catch (error) {
    return { ...failure(error), notice: null, reveal: null };
  }
}
