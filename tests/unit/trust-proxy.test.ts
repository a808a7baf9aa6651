import { describe, expect, it } from "vitest";
import { readServerConfig } from "@/lib/config";
import { clientIp, compileTrustedProxies, isHttps, SOCKET_ADDRESS_HEADER, type TrustedProxies } from "@/lib/http/client-ip";

/** TRUST_PROXY as the server reads it at start. */
const trust = (value: string | undefined): TrustedProxies | null => readServerConfig({ TRUST_PROXY: value }).trustProxy;

const configError = (value: string): string => {
  try {
    readServerConfig({ TRUST_PROXY: value });
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`TRUST_PROXY=${JSON.stringify(value)} was accepted`);
};

/** A request as our server hands it on: the TCP peer in SOCKET_ADDRESS_HEADER, the rest as sent. */
const request = (peer: string, forwardedFor?: string | string[], forwardedProto?: string): Headers => {
  const h = new Headers({ [SOCKET_ADDRESS_HEADER]: peer });
  for (const v of [forwardedFor ?? []].flat()) h.append("x-forwarded-for", v);
  if (forwardedProto !== undefined) h.set("x-forwarded-proto", forwardedProto);
  return h;
};

describe("TRUST_PROXY parsing", () => {
  it.each([undefined, "", "   ", "false", "FALSE", "0", "00"])("%j trusts nobody", (value) => {
    expect(trust(value)).toBeNull();
  });

  it.each([
    ["127.0.0.1, 10.0.0.0/8, ::1", ["127.0.0.1/32", "10.0.0.0/8", "::1/128"]],
    ["127.0.0.1 10.0.0.0/8\t::1", ["127.0.0.1/32", "10.0.0.0/8", "::1/128"]],
    [" 127.0.0.1 ,, 10.0.0.0/8 ,", ["127.0.0.1/32", "10.0.0.0/8"]],
    ["10.1.2.3/8", ["10.0.0.0/8"]],
    ["172.16.0.0/12,192.168.1.10", ["172.16.0.0/12", "192.168.1.10/32"]],
    ["2001:DB8::/32, fd00::1", ["2001:db8::/32", "fd00::1/128"]],
    ["::ffff:10.0.0.1", ["10.0.0.1/32"]],
    ["loopback", ["127.0.0.0/8", "::1/128"]],
    ["LoopBack, 10.0.0.0/8", ["127.0.0.0/8", "::1/128", "10.0.0.0/8"]],
    ["10.0.0.1, 10.0.0.1/32", ["10.0.0.1/32"]],
  ])("%j → %j", (value, ranges) => {
    expect(trust(value)?.ranges).toEqual(ranges);
  });

  it("matches IPv4-mapped IPv6 peers against IPv4 ranges, and the reverse", () => {
    const t = trust("10.0.0.0/8")!;
    expect(t.has("::ffff:10.0.0.1")).toBe(true);
    expect(t.has("::FFFF:a00:1")).toBe(true);
    expect(t.has("::ffff:11.0.0.1")).toBe(false);
    expect(trust("::ffff:10.0.0.1")!.has("10.0.0.1")).toBe(true);
  });

  it("matches exactly the listed addresses and ranges", () => {
    const t = trust("loopback, 10.0.0.0/8, 2001:db8::/32")!;
    for (const ip of ["127.0.0.1", "127.255.0.9", "::1", "10.255.255.255", "2001:db8:ffff::1", " 10.0.0.1 "]) {
      expect(t.has(ip), ip).toBe(true);
    }
    for (const ip of ["11.0.0.1", "9.255.255.255", "::2", "2001:db9::1", "", "unknown", "127.1", "10.0.0.0/8"]) {
      expect(t.has(ip), ip).toBe(false);
    }
  });

  it.each(["10.0.0.300", "10.0.0.0/33", "::1/129", "10.0.0.0/-1", "10.0.0.0/8/8", "127.1", "0x7f.0.0.1", "proxy.example", "[::1]", "*", "true"])(
    "refuses the entry %j, naming it",
    (entry) => {
      const message = configError(`127.0.0.1, ${entry}`);
      expect(message).toContain(`TRUST_PROXY entry ${JSON.stringify(entry)} is not an IPv4/IPv6 address`);
      expect(message).toMatch(/^invalid configuration:\n {2}TRUST_PROXY: /);
    },
  );

  it("names every bad entry, and keeps the original spelling", () => {
    const message = configError("10.0.0.1, Proxy.Example, 10.0.0.0/99");
    expect(message).toContain('"Proxy.Example"');
    expect(message).toContain('"10.0.0.0/99"');
    expect(message).not.toContain('"10.0.0.1"');
  });

  it.each(["1", "2", "10", "11", "true", "TRUE", " 1 "])("refuses the old hop count %j with the migration hint", (value) => {
    const message = configError(value);
    const shown = value.trim();
    expect(message).toContain(
      `TRUST_PROXY must list the proxies' addresses or CIDR ranges (e.g. 127.0.0.1 or 10.0.0.0/8); ` +
        `the hop-count form "${shown}" is no longer accepted: name the proxy's address instead`,
    );
  });

  it("compileTrustedProxies refuses what it cannot read instead of trusting less or more", () => {
    expect(() => compileTrustedProxies(["10.0.0.0/8", "nope"])).toThrow(/"nope"/);
    expect(compileTrustedProxies([])).toBeNull();
  });
});

describe("clientIp with TRUST_PROXY", () => {
  const proxies = trust("10.0.0.0/8, 2001:db8:1::/48");

  it("ignores X-Forwarded-For from a peer that is not a trusted proxy", () => {
    for (const xff of ["127.0.0.1", "10.0.0.1", "203.0.113.77, 10.0.0.1", "::1"]) {
      expect(clientIp(request("198.51.100.66", xff), proxies), xff).toBe("198.51.100.66");
      expect(clientIp(request("198.51.100.66", xff), null), xff).toBe("198.51.100.66");
    }
  });

  it("ignores it when nothing is trusted, even from a private or loopback peer", () => {
    expect(clientIp(request("127.0.0.1", "203.0.113.77"), null)).toBe("127.0.0.1");
    expect(clientIp(request("10.0.0.2", "203.0.113.77"), trust("false"))).toBe("10.0.0.2");
  });

  it("takes the first untrusted address from the right: evil, client, proxy2 → client", () => {
    expect(clientIp(request("10.0.0.2", "6.6.6.6, 198.51.100.7, 10.0.0.1"), proxies)).toBe("198.51.100.7");
    expect(clientIp(request("10.0.0.2", "198.51.100.7"), proxies)).toBe("198.51.100.7");
  });

  it("does not let a client hide behind a trusted address it wrote itself", () => {
    // The client sent "10.0.0.9"; the proxy appended the address it really saw.
    expect(clientIp(request("10.0.0.2", "10.0.0.9, 198.51.100.7"), proxies)).toBe("198.51.100.7");
  });

  it("is the leftmost address when every entry is a trusted proxy", () => {
    expect(clientIp(request("10.0.0.2", "10.0.0.5, 10.0.0.4, 10.0.0.3"), proxies)).toBe("10.0.0.5");
  });

  it("is the peer itself when a trusted peer sends no X-Forwarded-For", () => {
    expect(clientIp(request("10.0.0.2"), proxies)).toBe("10.0.0.2");
    expect(clientIp(request("10.0.0.2", ""), proxies)).toBe("10.0.0.2");
    expect(clientIp(request("10.0.0.2", "  "), proxies)).toBe("10.0.0.2");
  });

  // From the right, past the trusted proxies: a malformed entry stops the walk on the last trusted
  // address, never reading the spoofable left part (lenient spellings such as 127.1 and
  // 0x7f.0.0.1 count as malformed); the port and brackets some proxies add are dropped.
  it.each([
    ["6.6.6.6, garbage, 10.0.0.1", "10.0.0.1"],
    ["6.6.6.6, not-an-ip", "10.0.0.2"],
    ["6.6.6.6,,10.0.0.1", "10.0.0.1"],
    ["6.6.6.6, unknown", "10.0.0.2"],
    ["198.51.100.7,", "10.0.0.2"],
    ["6.6.6.6, 127.1", "10.0.0.2"],
    ["6.6.6.6, 0x7f.0.0.1", "10.0.0.2"],
    ["198.51.100.7:5555", "198.51.100.7"],
    ["[2001:db8::7]:443", "2001:db8::7"],
    ["[2001:DB8::7]", "2001:db8::7"],
    ["6.6.6.6, [2001:db8:1::1]:80, 10.0.0.3:1", "6.6.6.6"],
  ])("behind the trusted proxy 10.0.0.2, X-Forwarded-For %j names the client %s", (xff, expected) => {
    expect(clientIp(request("10.0.0.2", xff), proxies)).toBe(expected);
  });

  it("handles many entries", () => {
    const spoofed = Array.from({ length: 2000 }, (_, i) => `6.6.${i % 256}.${i >> 8}`).join(", ");
    expect(clientIp(request("10.0.0.2", `${spoofed}, 198.51.100.7, 10.0.0.1`), proxies)).toBe("198.51.100.7");
    const proxiesOnly = Array.from({ length: 2000 }, (_, i) => `10.0.${i % 256}.${i >> 8}`).join(",");
    expect(clientIp(request("10.0.0.2", proxiesOnly), proxies)).toBe("10.0.0.0");
  });

  it("tolerates whitespace around entries", () => {
    expect(clientIp(request(" 10.0.0.2 ", "  198.51.100.7 ,\t10.0.0.1  "), proxies)).toBe("198.51.100.7");
  });

  it("reads repeated X-Forwarded-For headers as one list, in order", () => {
    expect(clientIp(request("10.0.0.2", ["6.6.6.6, 198.51.100.7", "10.0.0.1"]), proxies)).toBe("198.51.100.7");
  });

  it("handles IPv6 and IPv4-mapped peers and entries, in canonical form", () => {
    expect(clientIp(request("::ffff:10.0.0.2", "198.51.100.7"), proxies)).toBe("198.51.100.7");
    expect(clientIp(request("2001:db8:1::5", "2001:DB8:0:0::7"), proxies)).toBe("2001:db8::7");
    expect(clientIp(request("10.0.0.2", "::ffff:198.51.100.7, ::ffff:10.0.0.1"), proxies)).toBe("198.51.100.7");
    expect(clientIp(request("10.0.0.2", "2001:db8::7, 2001:db8:1::9"), proxies)).toBe("2001:db8::7");
  });

  it("refuses malformed ports and brackets", () => {
    for (const bad of ["[198.51.100.7]", "[2001:db8::7", "2001:db8::7]", "[2001:db8::7]:", "[2001:db8::7]:123456", "198.51.100.7:", "198.51.100.7:x"]) {
      expect(clientIp(request("10.0.0.2", `6.6.6.6, ${bad}`), proxies), bad).toBe("10.0.0.2");
    }
  });

  it("is \"unknown\" for a socket value that is not an IP, and then trusts nothing", () => {
    expect(clientIp(request("bogus", "198.51.100.7"), proxies)).toBe("unknown");
    expect(clientIp(new Headers({ "x-forwarded-for": "198.51.100.7" }), proxies)).toBe("unknown");
    expect(clientIp(request("10.0.0.0/8", "198.51.100.7"), proxies)).toBe("unknown");
  });

  it("trusts loopback proxies with the word", () => {
    const local = trust("loopback");
    expect(clientIp(request("127.0.0.1", "198.51.100.7"), local)).toBe("198.51.100.7");
    expect(clientIp(request("::1", "198.51.100.7, 127.0.0.1"), local)).toBe("198.51.100.7");
    expect(clientIp(request("::ffff:127.0.0.1", "198.51.100.7"), local)).toBe("198.51.100.7");
    expect(clientIp(request("10.0.0.2", "198.51.100.7"), local)).toBe("10.0.0.2");
  });
});

describe("isHttps with TRUST_PROXY", () => {
  const proxies = trust("10.0.0.0/8");

  it("follows the URL when nothing is trusted", () => {
    expect(isHttps(request("10.0.0.2", undefined, "https"), "http://x/", null)).toBe(false);
    expect(isHttps(request("10.0.0.2", undefined, "http"), "https://x/", null)).toBe(true);
  });

  it("ignores X-Forwarded-Proto from an untrusted peer", () => {
    expect(isHttps(request("198.51.100.66", undefined, "https"), "http://x/", proxies)).toBe(false);
    expect(isHttps(request("198.51.100.66", undefined, "http"), "https://x/", proxies)).toBe(true);
    expect(isHttps(request("bogus", undefined, "https"), "http://x/", proxies)).toBe(false);
  });

  it("believes a trusted peer", () => {
    expect(isHttps(request("10.0.0.2", undefined, "https"), "http://x/", proxies)).toBe(true);
    expect(isHttps(request("::ffff:10.0.0.2", undefined, " HTTPS "), "http://x/", proxies)).toBe(true);
    expect(isHttps(request("10.0.0.2", undefined, "http"), "https://x/", proxies)).toBe(false);
  });

  it("reads the value the trusted peer wrote (the rightmost), not one the client put before it", () => {
    expect(isHttps(request("10.0.0.2", undefined, "https, http"), "http://x/", proxies)).toBe(false);
    expect(isHttps(request("10.0.0.2", undefined, "http, https"), "http://x/", proxies)).toBe(true);
  });

  it("follows the URL when a trusted peer sends no scheme", () => {
    expect(isHttps(request("10.0.0.2"), "https://x/", proxies)).toBe(true);
    expect(isHttps(request("10.0.0.2", undefined, ""), "http://x/", proxies)).toBe(false);
  });
});
