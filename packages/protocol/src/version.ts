/**
 * Version of the contract between the control plane and agents. Bump it when a payload or result
 * changes incompatibly; an agent refuses jobs of another version with a message saying which side
 * to upgrade.
 */
export const PROTOCOL_VERSION = 1;
