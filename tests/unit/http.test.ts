import { describe, expect, it } from "vitest";
import { safeNextPath, DEFAULT_AFTER_LOGIN } from "@/lib/auth/next-path";
import { scopeAllows, PERMISSIONS } from "@/lib/auth/permissions";
import { presentedBearer } from "@/lib/auth/request-auth";
import { clientIp, isHttps, SOCKET_ADDRESS_HEADER } from "@/lib/http/client-ip";
import { readJsonObject, BODY_MSG } from "@/lib/http/body";
import { DomainError, HttpError } from "@/lib/errors";

describe("safeNextPath (no open redirect)", () => {
  it.each([
    ["/panel/settings/security", "/panel/settings/security"],
    ["/panel/x?tab=audit#top", "/panel/x?tab=audit#top"],
  ])("keeps same-origin path %s", (input, expected) => expect(safeNextPath(input)).toBe(expected));

  it.each([
    "https://evil.example",
    "//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "http:/evil.example",
    "javascript:alert(1)",
    "/\t/evil.example",
    " /panel",
    "",
    null,
    undefined,
    "panel/settings",
  ])("refuses %j", (input) => expect(safeNextPath(input)).toBe(DEFAULT_AFTER_LOGIN));
});

describe("clientIp", () => {
  const headers = (h: Record<string, string>) => new Headers(h);
  it("is the socket address when no proxy is trusted, whatever X-Forwarded-For says", () => {
    const h = headers({ [SOCKET_ADDRESS_HEADER]: "203.0.113.5", "x-forwarded-for": "1.2.3.4" });
    expect(clientIp(h, 0)).toBe("203.0.113.5");
  });
  it("unwraps IPv4-mapped IPv6 socket addresses", () => {
    expect(clientIp(headers({ [SOCKET_ADDRESS_HEADER]: "::ffff:127.0.0.1" }), 0)).toBe("127.0.0.1");
    expect(clientIp(headers({ [SOCKET_ADDRESS_HEADER]: "::1" }), 0)).toBe("::1");
  });
  it("takes the hops-th address from the right of X-Forwarded-For behind trusted proxies", () => {
    const h = headers({ [SOCKET_ADDRESS_HEADER]: "10.0.0.2", "x-forwarded-for": "6.6.6.6, 198.51.100.7, 10.0.0.1" });
    expect(clientIp(h, 1)).toBe("10.0.0.1");
    expect(clientIp(h, 2)).toBe("198.51.100.7");
    // A client-supplied prefix cannot win unless all hops are trusted.
    expect(clientIp(h, 3)).toBe("6.6.6.6");
    expect(clientIp(h, 4)).toBe("10.0.0.2");
  });
  it("falls back to the socket when the header is garbage", () => {
    const h = headers({ [SOCKET_ADDRESS_HEADER]: "10.0.0.2", "x-forwarded-for": "not-an-ip" });
    expect(clientIp(h, 1)).toBe("10.0.0.2");
    expect(clientIp(headers({}), 0)).toBe("unknown");
  });
  it("answers each request for its own socket when addresses alternate (the last one is remembered)", () => {
    const sequence = ["203.0.113.5", "203.0.113.5", "::FFFF:10.0.0.9", "bogus", "203.0.113.5", "", "2001:DB8::1", "2001:DB8::1"];
    const expected = ["203.0.113.5", "203.0.113.5", "10.0.0.9", "unknown", "203.0.113.5", "unknown", "2001:db8::1", "2001:db8::1"];
    expect(sequence.map((a) => clientIp(headers(a ? { [SOCKET_ADDRESS_HEADER]: a } : {}), 0))).toEqual(expected);
  });
  it("reads the scheme from X-Forwarded-Proto only behind a trusted proxy", () => {
    const h = headers({ "x-forwarded-proto": "https" });
    expect(isHttps(h, "http://x/", 0)).toBe(false);
    expect(isHttps(h, "http://x/", 1)).toBe(true);
  });
});

describe("scopes", () => {
  it("admin may do everything", () => {
    expect(scopeAllows("admin", PERMISSIONS.admin, "POST")).toBe(true);
    expect(scopeAllows("admin", PERMISSIONS.statusRead, "GET")).toBe(true);
  });
  it.each(["monitor", "node-sync"] as const)("%s may only read status", (scope) => {
    expect(scopeAllows(scope, PERMISSIONS.statusRead, "GET")).toBe(true);
    expect(scopeAllows(scope, PERMISSIONS.statusRead, "HEAD")).toBe(true);
    expect(scopeAllows(scope, PERMISSIONS.statusRead, "POST")).toBe(false);
    expect(scopeAllows(scope, PERMISSIONS.admin, "GET")).toBe(false);
  });
});

describe("presentedBearer", () => {
  const h = (v?: string) => new Headers(v === undefined ? {} : { authorization: v });
  it.each([
    [undefined, null],
    ["", null],
    ["Basic abc", null],
    ["Bearer", ""],
    ["Bearer   ", ""],
    ["bearer xui_abc", "xui_abc"],
    ["BEARER  tok  ", "tok"],
  ])("%j → %j", (header, expected) => expect(presentedBearer(h(header))).toBe(expected));
});

describe("readJsonObject", () => {
  const req = (body: string, headers: Record<string, string> = {}) =>
    new Request("http://x/", { method: "POST", body, headers });
  const failure = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e as Error);

  it("reads objects; an empty body is {}", async () => {
    expect(await readJsonObject(req('{"a":1}'))).toEqual({ a: 1 });
    expect(await readJsonObject(req(""))).toEqual({});
    expect(await readJsonObject(req("  \n"))).toEqual({});
  });
  it.each([
    ["{", BODY_MSG.invalidJson],
    ["[1,2]", BODY_MSG.notObject],
    ['"str"', BODY_MSG.notObject],
    ["null", BODY_MSG.notObject],
    ["42", BODY_MSG.notObject],
  ])("%j is refused with a clear message", async (body, msg) => {
    const e = await failure(readJsonObject(req(body)));
    expect(e).toBeInstanceOf(DomainError);
    expect(e?.message).toBe(msg);
  });
  it("refuses more than 64 KiB with 413, declared or not", async () => {
    const big = `{"a":"${"x".repeat(64 * 1024)}"}`;
    const e = await failure(readJsonObject(req(big)));
    expect(e).toBeInstanceOf(HttpError);
    expect((e as HttpError).status).toBe(413);
    expect(await readJsonObject(req(`{"a":"${"x".repeat(60 * 1024)}"}`))).toHaveProperty("a");
  });
});
