import { domainName, type TCloudInit } from "@carve/protocol";

/** The two files of a NoCloud seed. */
export interface NoCloudFiles {
  metaData: string;
  userData: string;
}

/**
 * Renders a NoCloud seed's `meta-data` and `user-data` (#cloud-config). Every value is written as
 * a JSON string, which YAML reads as a double-quoted scalar: no key, comment or document marker
 * can be smuggled in through a key comment or a hostname. The first password, when there is one,
 * is only ever written as a SHA-512 crypt hash.
 */
export function renderNoCloud(vmId: string, cloudInit: TCloudInit, passwordHash: string | null): NoCloudFiles {
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
  return { metaData, userData: `${lines.join("\n")}\n` };
}
