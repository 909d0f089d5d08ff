/**
 * Version of the contract between the control plane and agents. Bump it when a payload or result
 * changes incompatibly; an agent refuses jobs of another version with a message saying which side
 * to upgrade. Adding a job kind or an optional field is not incompatible, so it is no bump: an
 * older agent fails an unknown job saying which jobs it runs, and core reads an absent optional
 * field as "not reported" (e.g. an inventory without networks leaves their drift as it was).
 */
export const PROTOCOL_VERSION = 1;
