import { beforeAll, describe, expect, inject, it } from "vitest";
import { mintToken } from "@/lib/tokens/format";
import { bearer, BrowserSession, request, type ApiResponse } from "../support/client";
import { recordFigures } from "../support/figures";
import { apiRouteFiles } from "../support/routes";

/**
 * A caller holding a dead token must not learn why it is dead: unknown,
 * disabled, expired and deleted tokens (and one with a broken checksum) get
 * byte-identical answers on every route: status, every header but Date, body.
 */
const baseUrl = inject("baseUrl");
const admin = inject("admin");

type Kind = "unknown" | "disabled" | "expired" | "deleted" | "bad-checksum";
const dead = {} as Record<Kind, string>;

beforeAll(async () => {
  const s = new BrowserSession(baseUrl);
  expect((await s.login(admin.username, admin.password)).json?.success).toBe(true);
  const create = async (name: string, expiresAt = 0) => {
    const res = await s.send<{ id: number; token: string }>("/panel/api/setting/apiTokens/create", {
      body: { name: `${name}-${Math.random().toString(36).slice(2, 8)}`, expiresAt },
    });
    const token = res.json!.obj!;
    // Each one was a working credential before it died.
    expect((await request(baseUrl, "/panel/api/setting/apiTokens", { headers: bearer(token.token) })).status).toBe(200);
    return token;
  };
  const expiresAt = Date.now() + 1_500;
  const expired = await create("indist-expired", expiresAt);
  const disabled = await create("indist-disabled");
  const deleted = await create("indist-deleted");
  expect((await s.send(`/panel/api/setting/apiTokens/setEnabled/${disabled.id}`, { body: { enabled: false } })).json?.success).toBe(true);
  expect((await s.send(`/panel/api/setting/apiTokens/delete/${deleted.id}`, { body: {} })).json?.success).toBe(true);
  const unknown = mintToken().plaintext; // well formed, checksum valid, never stored
  dead.unknown = unknown;
  dead.disabled = disabled.token;
  dead.expired = expired.token;
  dead.deleted = deleted.token;
  dead["bad-checksum"] = unknown.slice(0, -1) + (unknown.endsWith("0") ? "1" : "0");
  await new Promise((r) => setTimeout(r, Math.max(0, expiresAt - Date.now() + 100)));
});

/** Everything a client can observe, minus the clock. */
function observable(res: ApiResponse): string {
  // Date and the request id differ on every answer and say nothing about the token.
  const headers = [...res.headers.entries()].filter(([name]) => name !== "date" && name !== "x-request-id");
  return JSON.stringify({ status: res.status, headers, body: res.text });
}

const routes = apiRouteFiles();
const variants = routes.flatMap((r) =>
  (["GET", "POST", "HEAD", "DELETE"] as const).flatMap((method) =>
    [false, true].map((xhr) => ({ path: r.sample, method, xhr, body: method === "POST" ? { name: "x", enabled: false } : undefined })),
  ),
);

describe("dead tokens are indistinguishable", () => {
  it(`unknown, disabled, expired, deleted and bad-checksum tokens: byte-identical answers on ${variants.length} route/method/header variants`, async () => {
    let compared = 0;
    for (const v of variants) {
      const answers = new Map<Kind, string>();
      for (const [kind, token] of Object.entries(dead) as [Kind, string][]) {
        const headers: Record<string, string> = bearer(token);
        if (v.xhr) headers["x-requested-with"] = "XMLHttpRequest";
        const res = await request(baseUrl, v.path, { method: v.method, headers, body: v.body });
        expect(res.status, `${kind} on ${v.method} ${v.path}`).toBe(401);
        answers.set(kind, observable(res));
        compared++;
      }
      const reference = answers.get("unknown")!;
      for (const [kind, answer] of answers) expect(answer, `${kind} vs unknown on ${v.method} ${v.path} xhr=${v.xhr}`).toBe(reference);
    }
    recordFigures("indistinguishable", { variants: variants.length, kinds: Object.keys(dead).length, requests: compared });
  });
});
