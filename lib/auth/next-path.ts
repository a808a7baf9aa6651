/**
 * Where to go after login. Only a same-origin path is accepted — `//evil.example`,
 * `/\evil.example`, `https://…` and anything odd fall back to the panel — so the
 * login page can never be used as an open redirect.
 */
export const DEFAULT_AFTER_LOGIN = "/panel/settings/security";

export function safeNextPath(next: string | null | undefined): string {
  if (!next || next.length > 2048) return DEFAULT_AFTER_LOGIN;
  if (!next.startsWith("/") || next.startsWith("//") || next.includes("\\")) return DEFAULT_AFTER_LOGIN;
  // Control characters could be stripped by a browser and turn the path into `//host`.
  if (/[\u0000-\u001f\u007f]/.test(next)) return DEFAULT_AFTER_LOGIN;
  try {
    const url = new URL(next, "http://panel.invalid");
    if (url.origin !== "http://panel.invalid") return DEFAULT_AFTER_LOGIN;
    return url.pathname + url.search + url.hash;
  } catch {
    return DEFAULT_AFTER_LOGIN;
  }
}
