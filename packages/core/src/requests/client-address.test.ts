import { describe, expect, it } from "vitest";
import { clientAddress, parseTrustedProxies, requestId } from "./client-address.ts";

const NONE = parseTrustedProxies("");
const PROXIES = parseTrustedProxies("127.0.0.1, 10.0.0.0/8, fd00::/8");

describe("the client address of a request to a front door", () => {
  it("is the socket's peer when no proxy is trusted, whatever X-Forwarded-For says", () => {
    expect(clientAddress("198.51.100.7", "203.0.113.1", NONE)).toBe("198.51.100.7");
    expect(clientAddress("::ffff:198.51.100.7", undefined, NONE)).toBe("198.51.100.7");
    expect(clientAddress("198.51.100.7", "203.0.113.1", PROXIES)).toBe("198.51.100.7");
  });

  it("through trusted proxies is the right-most hop that is not one of them", () => {
    expect(clientAddress("127.0.0.1", "6.6.6.6, 198.51.100.7", PROXIES)).toBe("198.51.100.7");
    expect(clientAddress("127.0.0.1", "6.6.6.6, 198.51.100.7, 10.1.2.3", PROXIES)).toBe("198.51.100.7");
    expect(clientAddress("::ffff:127.0.0.1", "2001:db8::5, fd00::1", PROXIES)).toBe("2001:db8::5");
    // Only proxies all the way: the left-most; a hop that is no address: the proxy that wrote it.
    expect(clientAddress("127.0.0.1", "10.0.0.9", PROXIES)).toBe("10.0.0.9");
    expect(clientAddress("127.0.0.1", "198.51.100.7, <script>, 10.1.2.3", PROXIES)).toBe("10.1.2.3");
  });

  it("keeps a trusted proxy's plain X-Request-Id and makes a new one otherwise", () => {
    expect(requestId("127.0.0.1", "req-42", PROXIES)).toBe("req-42");
    expect(requestId("198.51.100.7", "req-42", PROXIES)).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestId("127.0.0.1", "bad id\n", PROXIES)).toMatch(/^[0-9a-f-]{36}$/);
  });
});
