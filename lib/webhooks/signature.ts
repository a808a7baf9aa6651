import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * `X-Xui-Signature: t=<Unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
 * The time is signed with the body, so a receiver that refuses old times
 * (`verifySignature`'s tolerance) cannot be fed a recorded delivery again.
 */
export const SIGNATURE_HEADER = "X-Xui-Signature";
export const SIGNATURE_TOLERANCE_S = 300;

const mac = (secret: string, t: number, body: string) => createHmac("sha256", secret).update(`${t}.${body}`).digest("hex");

export function signatureHeader(secret: string, body: string, nowMs: number): string {
  const t = Math.floor(nowMs / 1000);
  return `t=${t},v1=${mac(secret, t, body)}`;
}

/** What a receiver does: the header's MAC matches the body, and its time is within the tolerance. */
export function verifySignature(secret: string, body: string, header: string, nowMs: number, toleranceS = SIGNATURE_TOLERANCE_S): boolean {
  const parts = new Map(header.split(",").map((p) => p.trim().split("=", 2) as [string, string]));
  const t = Number(parts.get("t"));
  const given = parts.get("v1") ?? "";
  if (!Number.isInteger(t) || Math.abs(nowMs / 1000 - t) > toleranceS || !/^[0-9a-f]{64}$/.test(given)) return false;
  return timingSafeEqual(Buffer.from(given, "hex"), Buffer.from(mac(secret, t, body), "hex"));
}
