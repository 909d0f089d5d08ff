import type { Tx } from "@carve/db";

/**
 * Frees a destroyed VM's NICs (their MACs and addresses) for new VMs, in the finalising transaction.
 * Returns how many NICs it had.
 */
export async function releaseVmAddresses(tx: Tx, vmId: string): Promise<number> {
  const { count } = await tx.nic.deleteMany({ where: { vmId } });
  return count;
}
