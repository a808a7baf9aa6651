import { describe, expect, it } from "vitest";
import { safeNextPath, DEFAULT_AFTER_LOGIN } from "@/lib/auth/next-path";
import { scopeAllows, PERMISSIONS } from "@/lib/auth/permissions";
import { presentedBearer } from "@/lib/auth/request-auth";
import { clientIp, compileTrustedProxies, isHttps, SOCKET_ADDRESS_HEADER } from "@/lib/http/client-ip";
import { z } from "zod";
import { bodyFields, BODY_MSG, readBody, textField } from "@/lib/http/body";
import { DomainError, HttpError } from "@/lib/errors";

describe("safeNextPath (no open redirect)", () => {
  it.each([
    ["/panel/settings/security", "/panel/settings/security"],
    ["/panel/x?tab=audit#top", "/panel/x?tab=audit#top"],
    ["/panel/./settings/../settings/security", "/panel/settings/security"],
    ["/panel/%2e%2e/panel/settings", "/panel/settings"],
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
    // Fine as typed, `//evil.example` once the URL parser removes dot segments.
    "/.//evil.example",
    "/%2e//evil.example",
    "/%2E//evil.example",
    "/x/..//evil.example",
    "/x/%2e%2e//evil.example",
    "/x/.%2E//evil.example",
    "/./%2e//evil.example",
    "/x/..\\evil.example",
    "/%2e/\\evil.example",
  ])("refuses %j", (input) => expect(safeNextPath(input)).toBe(DEFAULT_AFTER_LOGIN));
});

describe("clientIp", () => {
  const headers = (h: Record<string, string>) => new Headers(h);
  const proxies = compileTrustedProxies(["10.0.0.0/8"]);
  it("is the socket address when no proxy is trusted, whatever X-Forwarded-For says", () => {
    const h = headers({ [SOCKET_ADDRESS_HEADER]: "203.0.113.5", "x-forwarded-for": "1.2.3.4" });
    expect(clientIp(h, null)).toBe("203.0.113.5");
    expect(clientIp(h, proxies)).toBe("203.0.113.5");
  });
  it("unwraps IPv4-mapped IPv6 socket addresses", () => {
    expect(clientIp(headers({ [SOCKET_ADDRESS_HEADER]: "::ffff:127.0.0.1" }), null)).toBe("127.0.0.1");
    expect(clientIp(headers({ [SOCKET_ADDRESS_HEADER]: "::1" }), null)).toBe("::1");
  });
  it("walks X-Forwarded-For from the right past the trusted proxies", () => {
    const h = headers({ [SOCKET_ADDRESS_HEADER]: "10.0.0.2", "x-forwarded-for": "6.6.6.6, 198.51.100.7, 10.0.0.1" });
    expect(clientIp(h, proxies)).toBe("198.51.100.7");
    // Only the peer trusted: the address it appended is the client, even if that is another proxy.
    expect(clientIp(h, compileTrustedProxies(["10.0.0.2"]))).toBe("10.0.0.1");
  });
  it("falls back to the socket when the header is garbage", () => {
    const h = headers({ [SOCKET_ADDRESS_HEADER]: "10.0.0.2", "x-forwarded-for": "not-an-ip" });
    expect(clientIp(h, proxies)).toBe("10.0.0.2");
    expect(clientIp(headers({}), null)).toBe("unknown");
    expect(clientIp(headers({}), proxies)).toBe("unknown");
  });
  it("answers each request for its own socket when addresses alternate", () => {
    const sequence = ["203.0.113.5", "203.0.113.5", "::FFFF:10.0.0.9", "bogus", "203.0.113.5", "", "2001:DB8::1", "2001:DB8::1"];
    const expected = ["203.0.113.5", "203.0.113.5", "10.0.0.9", "unknown", "203.0.113.5", "unknown", "2001:db8::1", "2001:db8::1"];
    expect(sequence.map((a) => clientIp(headers(a ? { [SOCKET_ADDRESS_HEADER]: a } : {}), null))).toEqual(expected);
  });
  it("reads the scheme from X-Forwarded-Proto only when the peer is a trusted proxy", () => {
    const fromProxy = headers({ [SOCKET_ADDRESS_HEADER]: "10.0.0.2", "x-forwarded-proto": "https" });
    const direct = headers({ [SOCKET_ADDRESS_HEADER]: "203.0.113.5", "x-forwarded-proto": "https" });
    expect(isHttps(fromProxy, "http://x/", null)).toBe(false);
    expect(isHttps(fromProxy, "http://x/", proxies)).toBe(true);
    expect(isHttps(direct, "http://x/", proxies)).toBe(false);
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

describe("readBody", () => {
  // Bytes, not a string: a string body would be labelled text/plain by the Request itself.
  const req = (body: string | FormData, headers: Record<string, string> = {}) =>
    new Request("http://x/", { method: "POST", body: typeof body === "string" ? new TextEncoder().encode(body) : body, headers });
  const failure = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e as Error);
  const schema = z.object({ name: z.string(), enabled: z.boolean(), expiresAt: z.number().int(), allowedIps: z.array(z.string()) });
  const fields = async (r: Request) => bodyFields(await readBody(r), schema);

  it("reads JSON objects; an empty body is no fields, whatever its label", async () => {
    expect(await fields(req('{"a":1}', { "content-type": "application/json" }))).toEqual({ a: 1 });
    expect(await fields(req(""))).toEqual({});
    expect(await fields(req("  \n", { "content-type": "text/plain" }))).toEqual({});
  });

  it("reads JSON sent with a form label (curl -d '{…}')", async () => {
    expect(await fields(req('{"name":"x"}', { "content-type": "application/x-www-form-urlencoded" }))).toEqual({ name: "x" });
  });

  it("types a URL-encoded form by the schema: booleans, integers, lists repeated or comma-separated", async () => {
    const form = "name=bot&enabled=false&expiresAt=1700000000000&allowedIps=10.0.0.1,10.0.0.2&allowedIps[]=::1&_csrf=t";
    expect(await fields(req(form, { "content-type": "application/x-www-form-urlencoded; charset=UTF-8" }))).toEqual({
      name: "bot",
      enabled: false,
      expiresAt: 1_700_000_000_000,
      allowedIps: ["10.0.0.1", "10.0.0.2", "::1"],
      _csrf: "t",
    });
  });

  it("types a multipart form the same way", async () => {
    const form = new FormData();
    form.append("name", "bot");
    form.append("enabled", "true");
    form.append("expiresAt", "+5");
    form.append("allowedIps", "10.0.0.1");
    form.append("allowedIps", "10.0.0.2");
    expect(await fields(req(form))).toEqual({ name: "bot", enabled: true, expiresAt: 5, allowedIps: ["10.0.0.1", "10.0.0.2"] });
  });

  it("leaves what does not convert as text, for the schema to refuse with its own message", async () => {
    const form = "enabled=yes&expiresAt=1e3&name=true";
    expect(await fields(req(form, { "content-type": "application/x-www-form-urlencoded" }))).toEqual({ enabled: "yes", expiresAt: "1e3", name: "true" });
  });

  it("finds _csrf in JSON and forms alike", async () => {
    expect(textField(await readBody(req('{"_csrf":"a"}')), "_csrf")).toBe("a");
    expect(textField(await readBody(req("_csrf=b", { "content-type": "application/x-www-form-urlencoded" })), "_csrf")).toBe("b");
    expect(textField(await readBody(req('{"_csrf":1}')), "_csrf")).toBeUndefined();
  });

  it.each([
    ["{", "application/json", BODY_MSG.invalidJson],
    ["[1,2]", "application/json", BODY_MSG.notObject],
    ['"str"', "", BODY_MSG.notObject],
    ["null", "application/json", BODY_MSG.notObject],
    ["42", "", BODY_MSG.notObject],
    ["--x\r\nbroken", "multipart/form-data; boundary=x", BODY_MSG.invalidForm],
  ])("%j (%s) is refused with a clear message", async (body, type, msg) => {
    const e = await failure(readBody(req(body, type ? { "content-type": type } : {})));
    expect(e).toBeInstanceOf(DomainError);
    expect(e?.message).toBe(msg);
  });

  it("refuses other content types with 415", async () => {
    for (const type of ["text/plain", "application/xml", "image/png"]) {
      const e = await failure(readBody(req("name=x", { "content-type": type })));
      expect(e).toBeInstanceOf(HttpError);
      expect((e as HttpError).status).toBe(415);
      expect(e?.message).toBe(BODY_MSG.unsupportedType);
    }
  });

  it("refuses file uploads in a multipart form", async () => {
    const form = new FormData();
    form.append("name", new Blob(["x"]), "x.txt");
    const e = await failure(readBody(req(form)));
    expect(e?.message).toBe(BODY_MSG.fileField);
  });

  it("refuses more than 64 KiB with 413, declared or not", async () => {
    const big = `{"a":"${"x".repeat(64 * 1024)}"}`;
    const e = await failure(readBody(req(big)));
    expect(e).toBeInstanceOf(HttpError);
    expect((e as HttpError).status).toBe(413);
    expect(await fields(req(`{"a":"${"x".repeat(60 * 1024)}"}`))).toHaveProperty("a");
  });
});
