const BUSY = new Set(["Creating", "Starting", "Stopping", "Rebooting", "Migrating", "Destroying"]);

/** A VM's or host's state as a coloured badge; states with a job under way pulse. */
export function StateBadge({ state }: { state: string }) {
  const tone = BUSY.has(state) ? "busy" : state.toLowerCase();
  return <span className={`badge ${tone}`} data-state={state}>{state}</span>;
}
