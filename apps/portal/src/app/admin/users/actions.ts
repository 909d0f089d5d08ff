"use server";

import { endUserSessions, mapGroup, setQuota, setUserEnabled, unlockSignIn } from "@carve/core";
import { adminActor } from "../../../server/admin-actor.ts";
import { portalCore } from "../../../server/core.ts";
import { checked, num, text } from "../../../server/form-fields.ts";
import { runForm, type TFormResult } from "../../../server/form-result.ts";

/** Disables (ending every session and API key at once) or enables an account. */
export async function setUserEnabledAction(user: string, enabled: boolean): Promise<TFormResult> {
  const actor = await adminActor();
  return runForm("/admin/users", async () => {
    const done = await setUserEnabled(portalCore(), actor, { user, enabled });
    const vms = done.vms.length > 0 ? ` They still own ${done.vms.length} VM(s): ${done.vms.map((v) => v.name).join(", ")}.` : "";
    return { notice: `${done.username} ${enabled ? "enabled" : "disabled"}.${vms}` };
  });
}

/** Signs a user out everywhere: every portal session of theirs ends at once. */
export async function endUserSessionsAction(user: string): Promise<TFormResult> {
  const actor = await adminActor();
  return runForm("/admin/users", async () => {
    const done = await endUserSessions(portalCore(), actor, { user });
    return { notice: `${done.username} signed out everywhere (${done.ended} session${done.ended === 1 ? "" : "s"} ended).` };
  });
}

/** Maps a group to a role and/or marks it a team (a name that is no group yet makes a Carve team). */
export async function mapGroupFromForm(_previous: TFormResult, form: FormData): Promise<TFormResult> {
  const actor = await adminActor();
  const role = text(form, "role");
  return runForm("/admin/users", async () => {
    const group = await mapGroup(portalCore(), actor, { group: text(form, "group"), role: role === "none" ? null : role, team: checked(form, "team") });
    return { notice: `Group ${group.name}: role ${group.role ?? "none"}${group.isTeam ? ", a team" : ""}.` };
  });
}

/** A limit as typed: empty leaves it as it is, "none" removes it, a number sets it. */
function limit(form: FormData, name: string): number | string | null | undefined {
  const value = num(form, name);
  return typeof value === "string" && value.toLowerCase() === "none" ? null : value;
}

/** Sets the quota of one user or one group. */
export async function setQuotaFromForm(_previous: TFormResult, form: FormData): Promise<TFormResult> {
  const actor = await adminActor();
  const scope = text(form, "scope") === "group" ? "group" : "user";
  return runForm("/admin/users", async () => {
    const quota = await setQuota(portalCore(), actor, {
      [scope]: text(form, "owner"),
      maxVms: limit(form, "maxVms"),
      maxVcpus: limit(form, "maxVcpus"),
      maxMemMiB: limit(form, "maxMemMiB"),
      maxStorGiB: limit(form, "maxStorGiB"),
    });
    const shown = (n: number | null) => (n === null ? "no limit" : String(n));
    return { notice: `Quota of ${scope} ${text(form, "owner") ?? ""} set: ${shown(quota.maxVms)} VMs, ${shown(quota.maxVcpus)} vCPUs, ${shown(quota.maxMemMiB)} MiB, ${shown(quota.maxStorGiB)} GiB.` };
  });
}

/** Clears the sign-in throttle of a username or a client address (`carve auth unlock` in the portal). */
export async function unlockSignInFromForm(_previous: TFormResult, form: FormData): Promise<TFormResult> {
  const actor = await adminActor();
  return runForm("/admin/users", async () => {
    const done = await unlockSignIn(portalCore(), actor, { target: text(form, "target") });
    const what = done.kind === "user" ? `username ${done.target}` : `address ${done.target}`;
    return { notice: done.cleared > 0 ? `Sign-in lockout of ${what} cleared.` : `The ${what} had no failed sign-ins to clear.` };
  });
}
