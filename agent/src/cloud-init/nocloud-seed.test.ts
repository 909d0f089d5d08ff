import { describe, expect, it } from "vitest";
import { renderNetworkConfig, renderNoCloud } from "./nocloud-seed.ts";

const BRIDGE_STATIC = { network: { kind: "bridge" as const, name: "br0" }, mac: "52:54:00:00:00:01", ip: "192.168.10.20", prefix: 24, gateway: "192.168.10.1", hostname: null };
const MANAGED = { network: { kind: "managed" as const, name: "dev-nat" }, mac: "52:54:00:00:00:02", ip: "10.9.0.10", prefix: 24, gateway: "10.9.0.1", hostname: "web.dev.example.com" };

describe("network-config for static addresses on bridge networks", () => {
  it("gives a bridge NIC its address, prefix and default route, matched by MAC, and keeps DHCP on the others", () => {
    expect(renderNetworkConfig([BRIDGE_STATIC, MANAGED])).toBe(
      [
        "version: 2",
        "ethernets:",
        '  "nic0":',
        "    match:",
        '      macaddress: "52:54:00:00:00:01"',
        "    dhcp4: false",
        '    addresses: ["192.168.10.20/24"]',
        "    routes:",
        '      - to: "default"',
        '        via: "192.168.10.1"',
        '  "nic1":',
        "    match:",
        '      macaddress: "52:54:00:00:00:02"',
        "    dhcp4: true",
        "",
      ].join("\n"),
    );
  });

  it("writes none when every NIC gets its address by DHCP (managed networks, bridges without a range)", () => {
    expect(renderNetworkConfig([MANAGED, { ...BRIDGE_STATIC, ip: null }])).toBeUndefined();
    const seed = renderNoCloud("0b1e6a62-3c36-4c2e-9a33-7a3bb0a8f0a1", { hostname: "web", sshAuthorizedKeys: [], passwordUser: "root" }, null, [MANAGED]);
    expect(seed.networkConfig).toBeUndefined();
  });
});
