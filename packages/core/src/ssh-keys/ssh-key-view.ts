import type { Prisma } from "@carve/db";

/** What lists and answers show of a stored key (the key line itself included: it is public). */
export const SSH_KEY_VIEW = { id: true, name: true, publicKey: true, fingerprint: true, createdAt: true } as const satisfies Prisma.SshKeySelect;

export type TSshKeyView = Prisma.SshKeyGetPayload<{ select: typeof SSH_KEY_VIEW }>;
