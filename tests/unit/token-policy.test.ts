import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { auditEvents } from "@/db/schema/audit-events";
import { systemContext } from "@/lib/audit/context";
import { allowedExpiryChoices, EXPIRY_CHOICES, initialExpiry, latestExpiryDay } from "@/components/security/expiry-choices";
import { endOfDay } from "@/lib/client/format";
import { readTokenPolicy, saveTokenPolicy } from "@/lib/tokens/policy";
import { DAY_MS, NO_POLICY, violationsOf, type TokenPolicy } from "@/lib/tokens/policy-rules";
import { createTokenBody } from "@/lib/tokens/schemas";
import { createToken, listTokens } from "@/lib/tokens/service";
import { openTestDb, type TestDb } from "../support/db";

const NOW = 1_800_000_000_000;
const CTX = systemContext("unit");
const policy = (p: Partial<TokenPolicy>): TokenPolicy => ({ ...NO_POLICY, ...p });

describe("violationsOf", () => {
  const token = { scope: "admin", expiresAt: 0, allowedIps: [] as string[], canary: false };
  it("names each broken rule, and none without rules", () => {
    expect(violationsOf(NO_POLICY, token, NOW)).toEqual([]);
    expect(violationsOf(policy({ maxLifetimeDays: 30, adminRequiresAllowlist: true }), token, NOW)).toEqual(["neverExpires", "adminWithoutAllowlist"]);
    expect(violationsOf(policy({ maxLifetimeDays: 30 }), { ...token, expiresAt: NOW + 31 * DAY_MS }, NOW)).toEqual(["expiresTooLate"]);
    expect(violationsOf(policy({ maxLifetimeDays: 30 }), { ...token, expiresAt: NOW + 30 * DAY_MS }, NOW)).toEqual([]);
    expect(violationsOf(policy({ adminRequiresAllowlist: true }), { ...token, allowedIps: ["10.0.0.0/8"] }, NOW)).toEqual([]);
    expect(violationsOf(policy({ adminRequiresAllowlist: true }), { ...token, scope: "monitor" }, NOW)).toEqual([]);
  });
  it("never flags an expired token or a canary", () => {
    const strict = policy({ maxLifetimeDays: 1, adminRequiresAllowlist: true });
    expect(violationsOf(strict, { ...token, canary: true }, NOW)).toEqual([]);
    expect(violationsOf(strict, { ...token, expiresAt: NOW - 1 }, NOW)).toEqual([]);
  });
});

describe("the create form's expiry under a policy", () => {
  it("offers no preset beyond the cap and no 'never' under one", () => {
    expect(allowedExpiryChoices(NO_POLICY)).toBe(EXPIRY_CHOICES);
    expect(allowedExpiryChoices(policy({ maxLifetimeDays: 30 })).map((c) => c.value)).toEqual(["7", "30", "custom"]);
    expect(allowedExpiryChoices(policy({ maxLifetimeDays: 3 })).map((c) => c.value)).toEqual(["custom"]);
  });
  it("starts at the default expiry, else 30 days, else the longest preset within the cap", () => {
    expect(initialExpiry(NO_POLICY, NOW)).toEqual({ choice: "30", date: "" });
    expect(initialExpiry(policy({ defaultExpiryDays: 90 }), NOW)).toEqual({ choice: "90", date: "" });
    expect(initialExpiry(policy({ defaultExpiryDays: 14 }), NOW).choice).toBe("custom");
    expect(initialExpiry(policy({ maxLifetimeDays: 20 }), NOW)).toEqual({ choice: "7", date: "" });
    expect(initialExpiry(policy({ maxLifetimeDays: 3 }), NOW).choice).toBe("custom");
  });
  it("lets a custom date run to the end of its day only within the cap", () => {
    const cap = policy({ maxLifetimeDays: 30 });
    const day = latestExpiryDay(cap, NOW)!;
    expect(endOfDay(day)).toBeLessThanOrEqual(NOW + 30 * DAY_MS);
    expect(endOfDay(day) + DAY_MS).toBeGreaterThan(NOW + 30 * DAY_MS);
    expect(latestExpiryDay(NO_POLICY, NOW)).toBeNull();
  });
});

describe("saving and applying it (a real libSQL database)", () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await openTestDb();
  });
  afterEach(() => t.cleanup());

  it("reads as no rules until saved, and a save changes only the given fields", async () => {
    expect(await readTokenPolicy(t.db)).toEqual(NO_POLICY);
    await saveTokenPolicy(t.db, { maxLifetimeDays: 30 }, CTX, NOW);
    const { policy: saved, changed } = await saveTokenPolicy(t.db, { adminRequiresAllowlist: true }, CTX, NOW + 1);
    expect(changed).toBe(true);
    expect(saved).toEqual({ maxLifetimeDays: 30, defaultExpiryDays: 0, adminRequiresAllowlist: true, disableOnReuse: false, updatedAt: NOW + 1 });
    expect(await readTokenPolicy(t.db)).toEqual(saved);
    // A save at the same millisecond still moves updatedAt (it is the save's lock).
    expect((await saveTokenPolicy(t.db, { disableOnReuse: true }, CTX, NOW + 1)).policy.updatedAt).toBe(NOW + 2);
  });

  it("flags the tokens that predate it in every list", async () => {
    await createToken(t.db, createTokenBody.parse({ name: "old" }), CTX, NOW);
    await saveTokenPolicy(t.db, { maxLifetimeDays: 30 }, CTX, NOW);
    expect((await listTokens(t.db, NOW)).map((v) => v.policyViolations)).toEqual([["neverExpires"]]);
  });
});

describe("concurrent saves (in one process, so their reads interleave)", () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await openTestDb();
  });
  afterEach(() => t.cleanup());

  it("lose no field and audit each change exactly once", async () => {
    const saves = [{ maxLifetimeDays: 400 }, { defaultExpiryDays: 20 }, { adminRequiresAllowlist: true }, { disableOnReuse: true }];
    const results = await Promise.all(saves.map((input, i) => saveTokenPolicy(t.db, input, CTX, NOW + i)));
    expect(results.every((r) => r.changed)).toBe(true);
    expect(await readTokenPolicy(t.db)).toMatchObject({ maxLifetimeDays: 400, defaultExpiryDays: 20, adminRequiresAllowlist: true, disableOnReuse: true });
    const rows = await t.db.select({ detail: auditEvents.detail }).from(auditEvents).where(eq(auditEvents.action, "policy.update"));
    expect(rows.map((r) => Object.keys(JSON.parse(String(r.detail)).changes)).flat().sort()).toEqual(
      ["adminRequiresAllowlist", "defaultExpiryDays", "disableOnReuse", "maxLifetimeDays"],
    );
  });
});
