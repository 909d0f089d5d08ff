import { describe, expect, it } from "vitest";
import { checkHostAddresses, classifyAddress, type TResolver } from "./classify-address.ts";

/** Answers from a table: no DNS query ever leaves the process. */
const stubResolver = (table: Record<string, string[]>): TResolver => async (name) => table[name] ?? [];

describe("classifyAddress", () => {
  it.each([
    ["8.8.8.8", "public"],
    ["172.32.0.1", "public"],
    ["100.128.0.1", "public"],
    ["2001:4860:4860::8888", "public"],
    ["127.0.0.1", "loopback"],
    ["127.255.0.9", "loopback"],
    ["::1", "loopback"],
    ["10.1.2.3", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["192.168.1.1", "private"],
    ["100.64.0.1", "private"],
    ["100.127.255.254", "private"],
    ["fd12:3456::1", "private"],
    ["fc00::1", "private"],
    ["169.254.169.254", "link-local"],
    ["fe80::1", "link-local"],
    ["0.0.0.0", "unspecified"],
    ["::", "unspecified"],
    ["224.0.0.1", "multicast"],
    ["ff02::1", "multicast"],
    ["::ffff:127.0.0.1", "ipv4-mapped"],
    ["::ffff:8.8.8.8", "ipv4-mapped"],
    ["0:0:0:0:0:ffff:a00:1", "ipv4-mapped"],
    ["255.255.255.255", "reserved"],
    ["64:ff9b::a00:1", "reserved"],
    ["2002:a00:1::1", "reserved"],
  ])("%s is %s", (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });

  it("refuses what is not an IP address", () => {
    expect(() => classifyAddress("example.com")).toThrow(/not an IP address/);
  });
});

describe("checkHostAddresses", () => {
  const resolver = stubResolver({
    "images.example.com": ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"],
    "intranet.example.com": ["10.0.0.5"],
    "sneaky.example.com": ["93.184.215.14", "169.254.169.254"],
    "localhost.example.com": ["127.0.0.1"],
    "mapped.example.com": ["::ffff:10.0.0.5"],
  });

  it("allows a name whose addresses are all public and connects to the first", async () => {
    expect(await checkHostAddresses("images.example.com", resolver, false)).toEqual({ ok: true, address: "93.184.215.14" });
  });

  it("refuses a name that resolves to a private address", async () => {
    expect(await checkHostAddresses("intranet.example.com", resolver, false)).toEqual({ ok: false, refusal: { address: "10.0.0.5", kind: "private" } });
  });

  it("refuses a name with one internal address among public ones", async () => {
    expect(await checkHostAddresses("sneaky.example.com", resolver, false)).toEqual({ ok: false, refusal: { address: "169.254.169.254", kind: "link-local" } });
  });

  it("allows loopback and private addresses only when the setting allows them", async () => {
    expect(await checkHostAddresses("localhost.example.com", resolver, false)).toMatchObject({ ok: false, refusal: { kind: "loopback" } });
    expect(await checkHostAddresses("localhost.example.com", resolver, true)).toEqual({ ok: true, address: "127.0.0.1" });
    expect(await checkHostAddresses("intranet.example.com", resolver, true)).toEqual({ ok: true, address: "10.0.0.5" });
  });

  it("never allows link-local or IPv4-mapped addresses, even with private addresses allowed", async () => {
    expect(await checkHostAddresses("sneaky.example.com", resolver, true)).toMatchObject({ ok: false, refusal: { kind: "link-local" } });
    expect(await checkHostAddresses("mapped.example.com", resolver, true)).toMatchObject({ ok: false, refusal: { kind: "ipv4-mapped" } });
    expect(await checkHostAddresses("[fe80::1]", resolver, true)).toMatchObject({ ok: false, refusal: { kind: "link-local" } });
  });

  it("checks IP literals without resolving them", async () => {
    const never: TResolver = async () => {
      throw new Error("resolver called");
    };
    expect(await checkHostAddresses("169.254.169.254", never, true)).toMatchObject({ ok: false, refusal: { kind: "link-local" } });
    expect(await checkHostAddresses("[::1]", never, true)).toEqual({ ok: true, address: "::1" });
  });

  it("refuses a name with no address", async () => {
    expect(await checkHostAddresses("nowhere.example.com", resolver, true)).toEqual({ ok: false, refusal: null });
  });
});
