import * as OTPAuth from "otpauth";
import type { ApiResponse, BrowserSession } from "./client";

/** The 6-digit code an authenticator app shows for `secret` at `timestamp` (Unix ms). */
export function totpAt(secret: string, timestamp: number): string {
  return OTPAuth.TOTP.generate({ secret: OTPAuth.Secret.fromBase32(secret), algorithm: "SHA1", digits: 6, period: 30, timestamp });
}

/**
 * Waits, when a 30-second step ends within `marginMs`, until the next one has
 * begun: codes computed here for "now ± n steps" then mean the same steps to the server.
 */
export async function awayFromStepEdge(marginMs = 6_000): Promise<void> {
  const into = Date.now() % 30_000;
  if (into > 30_000 - marginMs) await new Promise((r) => setTimeout(r, 30_000 - into + 500));
  else if (into < 500) await new Promise((r) => setTimeout(r, 500 - into));
}

/** Waits until the 30-second step after the current one has begun. */
export async function nextStep(): Promise<void> {
  await new Promise((r) => setTimeout(r, 30_000 - (Date.now() % 30_000) + 500));
}

/** Logs in with a second factor, as the login page sends it. */
export async function loginWithCode(session: BrowserSession, username: string, password: string, twoFactorCode?: string): Promise<ApiResponse> {
  await session.refreshCsrf();
  const res = await session.send("/login", { body: { username, password, ...(twoFactorCode === undefined ? {} : { twoFactorCode }) } });
  if (res.json?.success) await session.refreshCsrf();
  return res;
}
