import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HypervisorError, messageOf } from "../errors.ts";
import { isSafeVirshArgument } from "./virsh-args.ts";
import { VirshCommandError, type VirshSession } from "./virsh-session.ts";

/** libvirt's words when the guest has no agent channel, no agent running, or an agent that hangs. */
const GUEST_AGENT_MISSING = /guest agent|qemu-ga|agent is not (?:configured|connected|responding)|agent command timed out/i;

/** What a guest needs for password reset, named in every guest-agent failure. */
export const GUEST_AGENT_REQUIREMENT = "its template must have qemu-guest-agent installed and running (and the VM must have booted far enough to start it)";

/**
 * Guest operations through the QEMU guest agent (the binding has none), on the agent's one virsh
 * session. The password is written to virsh's stdin, never to a command line another process can
 * read, and no error built here ever contains it.
 */
export class VirshGuest {
  constructor(
    private readonly session: VirshSession,
    /**
     * libvirt's test driver keeps its state per connection, so the virsh session's node has none
     * of the domains the binding defined: give the domain's XML to mirror it there for the call.
     */
    private readonly mirrorDomainXml: ((name: string) => Promise<string>) | null,
  ) {}

  async setUserPassword(name: string, user: string, password: string): Promise<void> {
    const what = `could not set the password of ${user} in ${name}`;
    // The whitelist's own error would quote the refused word: check first, say nothing about it.
    if (!isSafeVirshArgument(password) || password.startsWith("-")) {
      throw HypervisorError.refusal(`${what}: the password has characters virsh cannot take`);
    }
    const mirrored = this.mirrorDomainXml === null ? null : await this.mirror(name, this.mirrorDomainXml);
    try {
      await this.session.run(["set-user-password", name, user, password]);
    } catch (error) {
      throw guestFailure(name, what, error);
    } finally {
      if (mirrored !== null) await mirrored();
    }
  }

  // networks (issue 17)
  /**
   * The IPv4 addresses of a running domain's NICs as the host sees them: its ARP table first (a
   * guest on a LAN bridge that has talked), else the guest agent; none when neither knows any.
   */
  async interfaceAddresses(name: string): Promise<{ mac: string; ip: string }[]> {
    const mirrored = this.mirrorDomainXml === null ? null : await this.mirror(name, this.mirrorDomainXml);
    try {
      for (const source of ["arp", "agent"]) {
        // The guest agent is optional and ARP may know nothing yet: either is simply no answer.
        const found = await this.session.run(["domifaddr", name, "--source", source]).then(parseDomIfAddr, () => []);
        if (found.length > 0) return found;
      }
      return [];
    } finally {
      if (mirrored !== null) await mirrored();
    }
  }

  /** Defines the domain as a transient one in the session's node; returns how to remove it. */
  private async mirror(name: string, xmlOf: (name: string) => Promise<string>): Promise<() => Promise<void>> {
    const dir = await mkdtemp(join(tmpdir(), "carve-mirror-"));
    try {
      const file = join(dir, "domain.xml");
      await writeFile(file, await xmlOf(name), { mode: 0o600 });
      await this.session.run(["create", file]);
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw HypervisorError.refusal(`could not mirror ${name} into the test driver's virsh session: ${messageOf(error)}`, messageOf(error));
    }
    return async () => {
      await this.session.run(["destroy", name]).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    };
  }
}

/** A set-user-password failure in words a user can act on; the command line is never quoted. */
function guestFailure(name: string, what: string, error: unknown): HypervisorError {
  if (!(error instanceof VirshCommandError)) {
    // The session died or hung: worth a retry. Its message names the command only.
    return HypervisorError.transient(`${what}: ${messageOf(error)}`, messageOf(error));
  }
  const libvirt = error.message;
  if (GUEST_AGENT_MISSING.test(libvirt)) {
    return HypervisorError.refusal(`the guest agent of ${name} did not answer: ${GUEST_AGENT_REQUIREMENT} (libvirt: ${libvirt})`, libvirt);
  }
  return HypervisorError.fromLibvirt(`${what}: ${libvirt}`, libvirt);
}

/** The IPv4 rows of `virsh domifaddr`'s table (" vnet0  52:54:00:…  ipv4  192.168.1.5/24"), MACs lowercase. */
export function parseDomIfAddr(out: string): { mac: string; ip: string }[] {
  return out.split("\n").flatMap((line) => {
    const match = /^\s*\S+\s+([0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5})\s+ipv4\s+(\d{1,3}(?:\.\d{1,3}){3})\/\d+\s*$/.exec(line);
    return match?.[1] && match[2] ? [{ mac: match[1].toLowerCase(), ip: match[2] }] : [];
  });
}
