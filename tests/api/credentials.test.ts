import { describe, expect, inject, it } from "vitest";
import { bearer, BrowserSession, request } from "../support/client";

const baseUrl = inject("baseUrl");
const admin = inject("admin");

/**
 * Changes the shared admin's credentials and always puts them back, so the
 * other API files keep working whatever happens here.
 */
describe("POST /panel/api/setting/updateUser", () => {
  it("validates input with clear messages and changes nothing on failure", async () => {
    const s = new BrowserSession(baseUrl);
    await s.login(admin.username, admin.password);
    const cases: [Record<string, unknown>, string][] = [
      [{}, "oldUsername, oldPassword, newUsername and newPassword are required"],
      [{ oldUsername: admin.username, oldPassword: admin.password, newUsername: "", newPassword: "long-enough-1" }, "new username is required"],
      [{ oldUsername: admin.username, oldPassword: admin.password, newUsername: "two words", newPassword: "long-enough-1" }, "new username must not contain spaces or control characters"],
      [{ oldUsername: admin.username, oldPassword: admin.password, newUsername: "x", newPassword: "short" }, "new password must be at least 8 characters"],
      [{ oldUsername: admin.username, oldPassword: "wrong-password", newUsername: "x", newPassword: "long-enough-1" }, "current username or password is incorrect"],
      [{ oldUsername: "nobody", oldPassword: admin.password, newUsername: "x", newPassword: "long-enough-1" }, "current username or password is incorrect"],
    ];
    for (const [body, msg] of cases) {
      const res = await s.send("/panel/api/setting/updateUser", { body });
      expect(res.json, JSON.stringify(body)).toEqual({ success: false, msg, obj: null });
    }
    // Still the same credentials and the same session.
    expect((await s.send("/panel/api/setting/apiTokens")).status).toBe(200);
    expect((await new BrowserSession(baseUrl).login(admin.username, admin.password)).json?.success).toBe(true);
  });

  it("requires CSRF for a session", async () => {
    const s = new BrowserSession(baseUrl);
    await s.login(admin.username, admin.password);
    const res = await s.send("/panel/api/setting/updateUser", {
      body: { oldUsername: admin.username, oldPassword: admin.password, newUsername: "evil", newPassword: "evil-password" },
      csrf: false,
    });
    expect(res.status).toBe(403);
  });

  it("changes the credentials, ends every session of that admin, and the new ones work", async () => {
    const a = new BrowserSession(baseUrl);
    const b = new BrowserSession(baseUrl, "127.0.0.4");
    await a.login(admin.username, admin.password);
    await b.login(admin.username, admin.password);
    const tokenRes = await a.send<{ token: string }>("/panel/api/setting/apiTokens/create", { body: { name: "survives-credential-change" } });
    const token = tokenRes.json!.obj!.token;

    const changed = await a.send("/panel/api/setting/updateUser", {
      body: { oldUsername: admin.username, oldPassword: admin.password, newUsername: "root-admin", newPassword: "brand-new-password" },
    });
    expect(changed.json).toEqual({ success: true, msg: "", obj: null });
    try {
      for (const s of [a, b]) {
        const res = await s.send("/panel/api/setting/apiTokens", { headers: { "x-requested-with": "XMLHttpRequest" } });
        expect(res.status).toBe(401);
      }
      expect((await new BrowserSession(baseUrl).login(admin.username, admin.password)).json?.msg).toBe("Invalid username or password or two-factor code.");
      expect((await new BrowserSession(baseUrl).login("root-admin", "brand-new-password")).json?.success).toBe(true);
      // API tokens are separate credentials and keep working.
      expect((await request(baseUrl, "/panel/api/setting/apiTokens", { headers: bearer(token) })).status).toBe(200);
    } finally {
      const back = new BrowserSession(baseUrl);
      await back.login("root-admin", "brand-new-password");
      const restored = await back.send("/panel/api/setting/updateUser", {
        body: { oldUsername: "root-admin", oldPassword: "brand-new-password", newUsername: admin.username, newPassword: admin.password },
      });
      expect(restored.json).toEqual({ success: true, msg: "", obj: null });
    }
  });
});
