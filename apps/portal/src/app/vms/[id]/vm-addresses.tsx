"use client";

import type { TVmJson } from "../../../api/schemas.ts";
import { CopyLine } from "../../../components/copy-line.tsx";

/** How to reach the VM: the connect line (with Copy) and every NIC's network, MAC, address and DNS name. */
export function VmAddresses({ vm }: { vm: Pick<TVmJson, "name" | "addresses" | "connect"> }) {
  return (
    <section aria-labelledby="connect-heading">
      <h2 id="connect-heading">Connect</h2>
      {vm.connect ? (
        <CopyLine id="connect-command" text={vm.connect.command} label={`Copy the connect command of ${vm.name}`} />
      ) : (
        <p className="muted" id="connect-pending">{vm.addresses.length === 0 ? "This VM has no network interface." : "No address yet: it shows here once the VM has one."}</p>
      )}
      {vm.addresses.length > 0 && (
        <table aria-label="Addresses">
          <thead><tr><th scope="col">Network</th><th scope="col">IP address</th><th scope="col">DNS name</th><th scope="col">MAC</th></tr></thead>
          <tbody>
            {vm.addresses.map((a) => (
              <tr key={a.mac} data-mac={a.mac}>
                <td>{a.network}</td>
                <td>{a.ip ?? "—"}</td>
                <td>{a.hostname ?? "—"}</td>
                <td><code>{a.mac}</code></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
