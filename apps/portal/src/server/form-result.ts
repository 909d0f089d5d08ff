import { revalidatePath } from "next/cache";
import { failure, type TActionResult } from "./action-result.ts";

/** What an admin form shows after submitting: core's refusal with its field errors, or what was done, and a secret shown once. */
export interface TFormResult extends TActionResult {
  notice: string | null;
  /** A one-time secret (a join command): in this answer only, never in a URL, cookie or log. */
  reveal: { label: string; text: string } | null;
}

/** The outcome of one admin action: a sentence for the page, and maybe a secret to show once. */
export interface TDone {
  notice: string;
  reveal?: { label: string; text: string };
}

/** Runs one core call for a form or button, refreshes `path`, and maps a CarveError to the form's errors. */
export async function runForm(path: string, run: () => Promise<TDone>): Promise<TFormResult> {
  try {
    const done = await run();
    revalidatePath(path);
    return { code: null, message: null, fields: [], notice: done.notice, reveal: done.reveal ?? null };
  } catch (error) {
    return { ...failure(error), notice: null, reveal: null };
  }
}
