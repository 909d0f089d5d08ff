import { libvirtDriverOf } from "./domain-type.ts";

/**
 * What the libvirt driver behind a URI can do. libvirt's test driver (test:///) is an in-process
 * fake with real XML validation: it runs no QEMU, its volumes are not files and every connection is
 * a node of its own. The agent asks these flags, never "is this the test driver?", so what the fake
 * lacks is said in one place.
 */
export interface TDriverCapabilities {
  /** QEMU writes each guest's serial console log (through virtlogd) into the console log directory. */
  consoleLog: boolean;
  /** Volumes are files on a filesystem: disks get the cache mode of theirs, qemu-img can rebase an overlay. */
  volumeFiles: boolean;
  /** virsh vol-upload (virStorageVolUpload) copies an image into a volume. */
  volumeUpload: boolean;
  /** A running domain's disks can be attached, detached and resized. */
  deviceHotplug: boolean;
  /** A running domain can live-migrate to another host. */
  liveMigration: boolean;
  /** The nwfilter driver defines network filters (security groups). */
  networkFilters: boolean;
  /** Managed networks run libvirt's dnsmasq (DHCP and DNS). */
  dnsmasq: boolean;
  /** Every connection to the URI sees one node: the virsh session sees the domains the binding defined. */
  sharedNode: boolean;
}

/** QEMU (qemu:///system, qemu+ssh://…): everything. */
const QEMU: TDriverCapabilities = {
  consoleLog: true,
  volumeFiles: true,
  volumeUpload: true,
  deviceHotplug: true,
  liveMigration: true,
  networkFilters: true,
  dnsmasq: true,
  sharedNode: true,
};

/** libvirt's test driver: domain lifecycle, pools, volumes, networks and snapshots in memory, per connection. */
const TEST_DRIVER: TDriverCapabilities = {
  consoleLog: false,
  volumeFiles: false,
  volumeUpload: false,
  deviceHotplug: false,
  liveMigration: false,
  networkFilters: false,
  dnsmasq: false,
  sharedNode: false,
};

/** The capabilities of the driver a libvirt URI names (QEMU's for every URI that is not test:///). */
export function driverCapabilities(uri: string): TDriverCapabilities {
  return libvirtDriverOf(uri) === "test" ? TEST_DRIVER : QEMU;
}
