import { mkdir } from "node:fs/promises";
import { HypervisorError } from "./errors.ts";
import type { THypervisor } from "./hypervisor.ts";
import { domainTypeFor, libvirtDriverOf, type TDomainTypePreference } from "./libvirt/domain-type.ts";
import { driverCapabilities } from "./libvirt/driver-capabilities.ts";
import { LibvirtHypervisor, type TLibvirtHypervisorOptions } from "./libvirt/libvirt-hypervisor.ts";

/** Settings that choose and shape the Hypervisor implementation: the libvirt one's, with the domain type still a preference. */
export interface TOpenHypervisorOptions extends Omit<TLibvirtHypervisorOptions, "domainType"> {
  domainType?: TDomainTypePreference;
}

/**
 * Picks the implementation by URI (test:/// and qemu:// are libvirt; nothing else exists yet),
 * opens it and checks that both its domain and storage sides answer.
 * @throws HypervisorError when the URI is unsupported or the connection does not work.
 */
export async function openHypervisor(options: TOpenHypervisorOptions): Promise<THypervisor> {
  const driver = libvirtDriverOf(options.uri);
  if (driver === null) {
    throw HypervisorError.refusal(`unsupported hypervisor URI ${options.uri}: use test:///… or qemu:///system`);
  }
  const domainType = domainTypeFor(options.uri, options.domainType);
  // libvirt (virtlogd) writes the console logs, but the directory has to exist first.
  if (driverCapabilities(options.uri).consoleLog) await mkdir(options.consoleLogDir, { recursive: true });
  if (options.consoleSocketDir !== undefined) await mkdir(options.consoleSocketDir, { recursive: true });
  const hypervisor = new LibvirtHypervisor({ ...options, domainType });
  try {
    await hypervisor.verify();
  } catch (error) {
    await hypervisor.close();
    throw error;
  }
  return hypervisor;
}
