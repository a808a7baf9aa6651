import "server-only";
import type { Db } from "@/db/client";

// Placeholder until TOTP lands (issue 16): no admin has a second factor.
export async function isTwoFactorEnabled(db: Db, userId: number): Promise<boolean> {
  void db;
  void userId;
  return false;
}

export async function verifyTwoFactorCode(
  db: Db,
  user: { id: number; username: string },
  code: string,
  ctx: { ip: string; now: number },
): Promise<"totp" | "recovery" | null> {
  void db;
  void user;
  void code;
  void ctx;
  return null;
}
