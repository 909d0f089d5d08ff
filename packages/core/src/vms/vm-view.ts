import type { Prisma } from "@carve/db";

/** What every front door shows of a VM; one selection so they all agree. */
export const VM_VIEW_SELECT = {
  id: true,
  name: true,
  description: true,
  state: true,
  stateReason: true,
  vcpus: true,
  memoryMiB: true,
  ipAddress: true,
  activeJobId: true,
  createdAt: true,
  updatedAt: true,
  owner: { select: { id: true, username: true } },
  host: { select: { id: true, name: true } },
  template: { select: { id: true, name: true } },
  offering: { select: { id: true, name: true } },
  volumes: {
    where: { state: { not: "Deleted" } },
    select: { id: true, name: true, kind: true, sizeGiB: true, state: true, pool: { select: { id: true, name: true } } },
  },
} satisfies Prisma.VmSelect;

export type TVmView = Prisma.VmGetPayload<{ select: typeof VM_VIEW_SELECT }>;
