import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { and, eq, gt, isNull, lte, or } from "drizzle-orm";
import type { Db } from "@/db/client";
import { webauthnChallenges, type ChallengePurpose } from "@/db/schema/webauthn-challenges";
import { commit } from "@/lib/db/commit";

/** How long a ceremony may take, from options to response. */
export const CHALLENGE_TTL_MS = 5 * 60_000;

/** Identifies a browser by its cookie's CSRF key without storing the key. */
export function browserHash(csrfKey: string): string {
  return createHash("sha256").update(`xui-panel webauthn v1:${csrfKey}`).digest("hex");
}

/**
 * A new random challenge for this browser and purpose (replacing one it had for
 * the same purpose); expired rows of every browser are purged on the way.
 */
export async function issueChallenge(
  db: Db,
  who: { purpose: ChallengePurpose; userId: number | null; csrfKey: string },
  now: number,
): Promise<string> {
  const challenge = randomBytes(32).toString("base64url");
  const browser = browserHash(who.csrfKey);
  // Committed (and visible on this instance's replica) before the options go out: the response may reach another instance.
  await commit(db, [
    db
      .delete(webauthnChallenges)
      .where(
        or(
          lte(webauthnChallenges.expiresAt, now),
          and(eq(webauthnChallenges.browserHash, browser), eq(webauthnChallenges.purpose, who.purpose)),
        ),
      ),
    db.insert(webauthnChallenges).values({
      challenge,
      purpose: who.purpose,
      userId: who.userId,
      browserHash: browser,
      expiresAt: now + CHALLENGE_TTL_MS,
    }),
  ]);
  return challenge;
}

/**
 * Takes the challenge a response came back with, if this browser was given it
 * for this purpose (and this admin), and it has not expired: deleted in the
 * same statement that reads it, so two requests racing with one response get
 * it at most once. False when there is no such challenge.
 */
export async function consumeChallenge(
  db: Db,
  who: { challenge: string; purpose: ChallengePurpose; userId: number | null; csrfKey: string },
  now: number,
): Promise<boolean> {
  const rows = await db
    .delete(webauthnChallenges)
    .where(
      and(
        eq(webauthnChallenges.challenge, who.challenge),
        eq(webauthnChallenges.purpose, who.purpose),
        eq(webauthnChallenges.browserHash, browserHash(who.csrfKey)),
        who.userId === null ? isNull(webauthnChallenges.userId) : eq(webauthnChallenges.userId, who.userId),
        gt(webauthnChallenges.expiresAt, now),
      ),
    )
    .returning({ challenge: webauthnChallenges.challenge });
  return rows.length === 1;
}
