import type { TUserActor } from "@carve/core";
import { forbidden } from "next/navigation";
import { pageActor } from "./page-actor.ts";

/**
 * The signed-in admin for an admin page or action; anyone else gets the 403 page (and nobody
 * signed in goes to sign-in). Core checks the role again in every admin use-case.
 */
export async function adminActor(): Promise<TUserActor> {
  const actor = await pageActor();
  if (actor.role !== "Admin") forbidden();
  return actor;
}
