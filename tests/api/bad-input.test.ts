import { beforeAll, describe, expect, inject, it } from "vitest";
import { bearer, request, type ApiResponse } from "../support/client";
import { BrowserSession } from "../support/client";

const baseUrl = inject("baseUrl");
const admin = inject("admin");
let token: string;
let victimId: number;

beforeAll(async () => {
  const s = new BrowserSession(baseUrl);
  await s.login(admin.username, admin.password);
  const created = await s.send<{ token: string }>("/panel/api/setting/apiTokens/create", { body: { name: "bad-input-suite" } });
  token = created.json!.obj!.token;
  const victim = await s.send<{ id: number }>("/panel/api/setting/apiTokens/create", { body: { name: "bad-input-victim" } });
  victimId = victim.json!.obj!.id;
});

async function snapshot(): Promise<string> {
  const res = await request(baseUrl, "/panel/api/setting/apiTokens", { headers: bearer(token) });
  return res.text;
}

function send(path: string, body: string, headers: Record<string, string> = {}): Promise<ApiResponse> {
  return request(baseUrl, path, { method: "POST", headers: { ...bearer(token), "content-type": "application/json", ...headers }, body });
}

const WRITE_ROUTES = () => [
  "/panel/api/setting/apiTokens/create",
  `/panel/api/setting/apiTokens/setEnabled/${victimId}`,
  `/panel/api/setting/apiTokens/delete/${victimId}`,
];

describe("malformed bodies get a clear envelope error and change nothing", () => {
  it.each([
    ["{", "request body must be valid JSON"],
    ["{'name': 'x'}", "request body must be valid JSON"],
    ["[]", "request body must be a JSON object"],
    ['["name"]', "request body must be a JSON object"],
    ['"just a string"', "request body must be a JSON object"],
    ["null", "request body must be a JSON object"],
    ["123", "request body must be a JSON object"],
  ])("%s → %s", async (body, msg) => {
    const before = await snapshot();
    for (const path of WRITE_ROUTES()) {
      const res = await send(path, body);
      expect(res.status, path).toBe(200);
      expect(res.json, path).toEqual({ success: false, msg, obj: null });
      expect(res.text).not.toMatch(/at \w+ \(|node_modules|Error:/);
    }
    expect(await snapshot()).toBe(before);
  });

  it("a body over 64 KiB is refused with 413 (declared or streamed)", async () => {
    const before = await snapshot();
    const big = JSON.stringify({ name: "x".repeat(70 * 1024) });
    for (const path of WRITE_ROUTES()) {
      const res = await send(path, big);
      expect(res.status).toBe(413);
      expect(res.json).toEqual({ success: false, msg: "request body is larger than 64 KiB", obj: null });
    }
    expect(await snapshot()).toBe(before);
  });

  it("JSON labelled as a form (curl -d without a content type) is still read as JSON", async () => {
    const res = await send("/panel/api/setting/apiTokens/create", JSON.stringify({ name: "labelled-as-form" }), {
      "content-type": "application/x-www-form-urlencoded",
    });
    expect(res.json?.success).toBe(true);
  });

  it("wrong types are refused with the field's message", async () => {
    const before = await snapshot();
    const cases: [string, string, string][] = [
      [`/panel/api/setting/apiTokens/setEnabled/${victimId}`, '{"enabled":"yes"}', "enabled must be true or false"],
      [`/panel/api/setting/apiTokens/setEnabled/${victimId}`, '{"enabled":1}', "enabled must be true or false"],
      ["/panel/api/setting/apiTokens/create", '{"name":["a"]}', "token name must be a string"],
      ["/panel/api/setting/apiTokens/create", '{"name":{"$gt":""}}', "token name must be a string"],
      ["/panel/api/setting/apiTokens/create", '{"name":"ok-type","expiresAt":"soon"}', "expiresAt must be 0 (never) or a future unix-ms timestamp"],
      ["/panel/api/setting/apiTokens/create", '{"name":"ok-type","scope":["admin"]}', "scope must be 'admin', 'monitor', or 'node-sync'"],
      [`/panel/api/setting/apiTokens/delete/${victimId}`, '{"expectedScope":7}', "expectedScope must be a string"],
    ];
    for (const [path, body, msg] of cases) expect((await send(path, body)).json, body).toEqual({ success: false, msg, obj: null });
    expect(await snapshot()).toBe(before);
  });

  it("SQL-looking and unicode names are stored verbatim, not executed", async () => {
    const names = ["x'); DROP TABLE api_tokens;--", "名前-トークン", "emoji 🔑 token"];
    for (const name of names) {
      const res = await send("/panel/api/setting/apiTokens/create", JSON.stringify({ name }));
      expect(res.json?.success).toBe(true);
    }
    const list = JSON.parse(await snapshot()) as { obj: { name: string }[] };
    for (const name of names) expect(list.obj.map((v) => v.name)).toContain(name);
  });
});

describe("hostile headers", () => {
  it("a 10 KB bearer token is a plain 401, not an error", async () => {
    const res = await request(baseUrl, "/panel/api/setting/apiTokens", { headers: bearer("x".repeat(10_000)) });
    expect(res.status).toBe(401);
    expect(res.json?.success).toBe(false);
  });

  it("garbage cookies are ignored (404 like no cookie)", async () => {
    for (const cookie of ["3x-ui=", "3x-ui=%%%", `3x-ui=${"a".repeat(5000)}`, "junk"]) {
      const res = await request(baseUrl, "/panel/api/setting/apiTokens", { headers: { cookie } });
      expect(res.status).toBe(404);
    }
  });
});
