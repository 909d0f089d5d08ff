import { randomBytes } from "node:crypto";

/**
 * A random MAC under QEMU's locally administered prefix 52:54:00: 16.7 million of them, so a fleet
 * rarely draws one twice; the unique index on Nic.mac catches it when it does (see insertNics).
 */
export function randomMac(bytes: (n: number) => Buffer = randomBytes): string {
  return `52:54:00:${[...bytes(3)].map((b) => b.toString(16).padStart(2, "0")).join(":")}`;
}
