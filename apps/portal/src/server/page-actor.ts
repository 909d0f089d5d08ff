import { isCarveError, type TUserActor } from "@carve/core";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { sessionActor } from "./auth.ts";
import { withOrigin } from "./client-address.ts";

/** The signed-in user, with where this request came from (the audit rows of pages and actions carry it). */
async function requestActor(): Promise<TUserActor> {
  return withOrigin(await sessionActor(), await headers());
}

/** The signed-in user for a page; anyone else goes to the sign-in page. */
export async function pageActor(): Promise<TUserActor> {
  try {
    return await requestActor();
  } catch (error) {
    if (isCarveError(error)) redirect("/signin");
    throw error;
  }
}

/** The signed-in user, or null (the layout shows the navigation only to signed-in users). */
export async function optionalActor(): Promise<TUserActor | null> {
  try {
    return await requestActor();
  } catch (error) {
    if (isCarveError(error)) return null;
    throw error;
  }
}
