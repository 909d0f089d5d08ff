import { constants, accessSync, readFileSync } from "node:fs";
import type { TDomainType } from "./domain-xml.ts";

/** `auto` picks by URI and host; `kvm` or `qemu` forces a type on qemu:// URIs. */
export type TDomainTypePreference = "auto" | "kvm" | "qemu";

/** The URI schemes the agent drives: libvirt's test driver and QEMU (local or remote). */
export function libvirtDriverOf(uri: string): "test" | "qemu" | null {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(uri)?.[1]?.toLowerCase() ?? "";
  if (scheme === "test") return "test";
  if (scheme === "qemu" || scheme.startsWith("qemu+")) return "qemu";
  return null;
}

/**
 * True when this machine can run KVM guests: /dev/kvm opens read-write AND the CPU advertises
 * VT-x/AMD-V. Some sandboxes expose a /dev/kvm that opens but cannot run a guest (libvirt still
 * lists `kvm` in its capabilities there), so the device alone is not enough.
 */
export function kvmUsable(): boolean {
  try {
    accessSync("/dev/kvm", constants.R_OK | constants.W_OK);
    return /^flags\s*:.*\b(?:vmx|svm)\b/m.test(readFileSync("/proc/cpuinfo", "utf8"));
  } catch {
    return false;
  }
}

/**
 * `<domain type>` for a connection: `test` on test:///, otherwise KVM when usable here and TCG
 * (`qemu`) when not. For a remote qemu+ssh:// host, local /dev/kvm says nothing: `auto` assumes KVM.
 */
export function domainTypeFor(uri: string, preference: TDomainTypePreference = "auto"): TDomainType {
  const driver = libvirtDriverOf(uri);
  if (driver === "test") return "test";
  if (preference !== "auto") return preference;
  const remote = !/^qemu:\/\/\//i.test(uri);
  return remote || kvmUsable() ? "kvm" : "qemu";
}
