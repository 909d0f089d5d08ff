import { domainName, type TCloudInit, type TNicSpec } from "@carve/protocol";

/** The files of a NoCloud seed (`network-config` only when a NIC needs a static address). */
export interface TNoCloudFiles {
  metaData: string;
  userData: string;
  networkConfig?: string | undefined;
}

/**
 * Renders a NoCloud seed's `meta-data` and `user-data` (#cloud-config). Every value is written as
 * a JSON string, which YAML reads as a double-quoted scalar: no key, comment or document marker
 * can be smuggled in through a key comment or a hostname. The first password, when there is one,
 * is only ever written as a SHA-512 crypt hash.
 */
export function renderNoCloud(vmId: string, cloudInit: TCloudInit, passwordHash: string | null, nics: readonly TNicSpec[] = []): TNoCloudFiles {
  const q = (value: string): string => JSON.stringify(value);
  const metaData = [`instance-id: ${q(domainName(vmId))}`, `local-hostname: ${q(cloudInit.hostname)}`, ""].join("\n");
  const lines = ["#cloud-config", `hostname: ${q(cloudInit.hostname)}`, "preserve_hostname: false"];
  if (cloudInit.sshAuthorizedKeys.length > 0) {
    lines.push("ssh_authorized_keys:", ...cloudInit.sshAuthorizedKeys.map((key) => `  - ${q(key)}`));
  }
  if (passwordHash !== null) {
    lines.push(
      "chpasswd:",
      "  expire: false",
      "  users:",
      `    - name: ${q(cloudInit.passwordUser)}`,
      `      password: ${q(passwordHash)}`,
      "      type: hash",
    );
  }
  return { metaData, userData: `${lines.join("\n")}\n`, networkConfig: renderNetworkConfig(nics) };
}

// networks (issue 17)
/**
 * cloud-init network-config (version 2) when a NIC is on a bridge network with an address Carve
 * allocated: the LAN has no dnsmasq of ours, so the guest is told its address, prefix and default
 * route. Every other NIC is listed with DHCP, as a network-config replaces cloud-init's fallback
 * (DHCP on the first NIC). NICs are matched by MAC; values are JSON strings, as in user-data.
 */
export function renderNetworkConfig(nics: readonly TNicSpec[]): string | undefined {
  const isStatic = (nic: TNicSpec): boolean => nic.network.kind === "bridge" && nic.ip !== null;
  if (!nics.some(isStatic)) return undefined;
  const q = (value: string): string => JSON.stringify(value);
  const lines = ["version: 2", "ethernets:"];
  nics.forEach((nic, index) => {
    lines.push(`  ${q(`nic${index}`)}:`, "    match:", `      macaddress: ${q(nic.mac)}`);
    if (isStatic(nic) && nic.ip !== null) {
      lines.push("    dhcp4: false", `    addresses: [${q(`${nic.ip}/${nic.prefix}`)}]`);
      if (nic.gateway !== null) lines.push("    routes:", `      - to: ${q("default")}`, `        via: ${q(nic.gateway)}`);
    } else {
      lines.push("    dhcp4: true");
    }
  });
  return `${lines.join("\n")}\n`;
}
