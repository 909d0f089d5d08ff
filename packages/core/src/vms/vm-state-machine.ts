import type { VmState } from "@carve/db";
import type { TJobName } from "@carve/protocol";

/** A user action on an existing VM: where it may start, the state while it runs, where it ends. */
export interface TVmAction {
  job: TJobName;
  from: readonly VmState[];
  during: VmState;
  to: VmState;
  /** The state a failed job leaves the VM in; "previous" returns to where it was. */
  onFailure: VmState | "previous";
}

export const VM_ACTIONS = {
  create: { job: "vm.create", from: [], during: "Creating", to: "Running", onFailure: "Error" },
  start: { job: "vm.start", from: ["Stopped"], during: "Starting", to: "Running", onFailure: "previous" },
  stop: { job: "vm.stop", from: ["Running", "Unknown"], during: "Stopping", to: "Stopped", onFailure: "previous" },
  reboot: { job: "vm.reboot", from: ["Running"], during: "Rebooting", to: "Running", onFailure: "previous" },
  /** Sets a guest password through the guest agent: the VM keeps running, but no other job may run meanwhile. */
  resetPassword: { job: "vm.set-password", from: ["Running"], during: "Running", to: "Running", onFailure: "previous" },
  /** Live migration to another host (admins; see migrate-vm.ts): Running on either host afterwards. */
  migrate: { job: "vm.migrate", from: ["Running"], during: "Migrating", to: "Running", onFailure: "previous" },
  destroy: {
    job: "vm.destroy",
    // Lost (its host was declared dead): destroyVm forgets its records without a job.
    from: ["Running", "Stopped", "Error", "Unknown", "Lost"],
    during: "Destroying",
    to: "Destroyed",
    onFailure: "Error",
  },
} as const satisfies Record<string, TVmAction>;

export type TVmActionName = keyof typeof VM_ACTIONS;

/** The action a protocol job performs, for the controller finalising its result. */
export function actionOfJob(job: string): TVmActionName | null {
  const entry = Object.entries(VM_ACTIONS).find(([, action]) => action.job === job);
  return (entry?.[0] as TVmActionName | undefined) ?? null;
}

/** States in which a VM keeps its host's vCPUs and memory reserved. */
const HOLDS_CAPACITY: ReadonlySet<VmState> = new Set<VmState>([
  "Creating",
  "Starting",
  "Running",
  "Stopping",
  "Stopped",
  "Rebooting",
  "Migrating",
  "Unknown",
]);

export function holdsCapacity(state: VmState): boolean {
  return HOLDS_CAPACITY.has(state);
}

/** States in which a job is under way; nothing may stay in one for good. */
export const TRANSITIONAL_STATES: readonly VmState[] = ["Creating", "Starting", "Stopping", "Rebooting", "Migrating", "Destroying"];

export function canStart(action: TVmActionName, state: VmState): boolean {
  return (VM_ACTIONS[action].from as readonly VmState[]).includes(state);
}

/** What a user can do next from a state, for messages like "start it first". */
export function actionsFrom(state: VmState): TVmActionName[] {
  // Migration is an admin's tool, not something to suggest to a VM's owner.
  return (Object.keys(VM_ACTIONS) as TVmActionName[]).filter((a) => a !== "migrate" && canStart(a, state));
}
