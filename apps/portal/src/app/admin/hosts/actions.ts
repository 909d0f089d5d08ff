"use server";

import { addHost, cancelHostMaintenance, declareHostDead, issueJoinToken, planHostMaintenance, prepareHostMaintenance, type TJoinToken, type TMaintenancePlan } from "@carve/core";
import { adminActor } from "../../../server/admin-actor.ts";
import { portalCore } from "../../../server/core.ts";
import { portalJoinCommand } from "../../../server/join-command.ts";
import { list, num, text } from "../../../server/form-fields.ts";
import { failure } from "../../../server/action-result.ts";
import { runForm, type TFormResult } from "../../../server/form-result.ts";

/** The one-time join command, with the Redis address hosts use (never its credentials). */
function joinReveal(hostName: string, uri: string, token: TJoinToken) {
  return {
    label: `Run this on ${hostName}, as root, before ${token.expiresAt.toISOString()}. The token works once and is not shown again:`,
    text: portalJoinCommand(token.token, uri),
  };
}

/** Add host: registers it and shows its one-time join command. */
export async function addHostFromForm(_previous: TFormResult, form: FormData): Promise<TFormResult> {
  const actor = await adminActor();
  return runForm("/admin/hosts", async () => {
    const host = await addHost(portalCore(), actor, {
      name: text(form, "name"),
      uri: text(form, "uri"),
      cpuOvercommit: num(form, "cpuOvercommit"),
      memOvercommit: num(form, "memOvercommit"),
      tags: list(form, "tags"),
      joinTokenTtlMinutes: num(form, "joinTokenTtlMinutes"),
    });
    return { notice: `Host ${host.name} added; it is ${host.state} until its agent joins.`, reveal: joinReveal(host.name, host.uri, host.joinToken) };
  });
}

/** A new join token for a registered host (voids any earlier unused one). */
export async function newJoinTokenAction(host: string): Promise<TFormResult> {
  const actor = await adminActor();
  return runForm("/admin/hosts", async () => {
    const token = await issueJoinToken(portalCore(), actor, { host });
    return { notice: `New join token for ${token.hostName}.`, reveal: joinReveal(token.hostName, token.hostUri, token) };
  });
}

/** What the page shows before maintenance starts: each VM with how it would leave and where to, or why it cannot. */
export type TPlanResult = TFormResult & { plan: TMaintenancePlan | null };

/** The dry run: planHostMaintenance reserves nothing. */
export async function planMaintenanceAction(host: string): Promise<TPlanResult> {
  const actor = await adminActor();
  try {
    return { code: null, message: null, fields: [], notice: null, reveal: null, plan: await planHostMaintenance(portalCore(), actor, { host }) };
  } catch (error) {
    return { ...failure(error), notice: null, reveal: null, plan: null };
  }
}

/** Puts the host into maintenance: no new VMs, and its VMs move away as planned (a job to watch). */
export async function startMaintenanceAction(host: string): Promise<TFormResult> {
  const actor = await adminActor();
  return runForm("/admin/hosts", async () => {
    const { plan } = await prepareHostMaintenance(portalCore(), actor, { host });
    return { notice: `${plan.host.name} is preparing for maintenance: ${plan.message}` };
  });
}

/** Returns the host to service (a maintenance still moving VMs stops). */
export async function endMaintenanceAction(host: string): Promise<TFormResult> {
  const actor = await adminActor();
  return runForm("/admin/hosts", async () => {
    const done = await cancelHostMaintenance(portalCore(), actor, { host });
    return { notice: `${done.host.name} is back in service (${done.host.state})${done.abortedMoves > 0 ? `; ${done.abortedMoves} move(s) in flight aborted` : ""}.` };
  });
}

// day-2 (issue 19)
/** Declare dead: the admin types the host's name as the confirmation that it is powered off for good. */
export async function declareDeadFromForm(host: string, _previous: TFormResult, form: FormData): Promise<TFormResult> {
  const actor = await adminActor();
  return runForm("/admin/hosts", async () => {
    const d = await declareHostDead(portalCore(), actor, { host, confirm: text(form, "confirm") });
    const count = (outcome: string) => d.vms.filter((v) => v.outcome === outcome).length;
    return { notice: `Host ${d.host.name} is Dead${d.fenced ? " (fenced)" : ""}: ${count("restarting") + count("moving")} VM(s) restarting on other hosts, ${count("lost")} Lost, ${count("stopped")} left Stopped (no room). ${d.vms.map((v) => `${v.name}: ${v.reason}`).join(" ")}` };
  });
}
