/**
 * Where to go after login: a same-origin path, judged after the URL parser has
 * normalised it (dot segments, `%2e`, back slashes), since that normalised form
 * is what a browser follows. Anything else falls back to the panel, so the
 * login page can never be used as an open redirect.
 */
export const DEFAULT_AFTER_LOGIN = "/panel/settings/security";

const BASE = "http://panel.invalid";

/** A path that cannot be read as another host: one leading slash, no back slash, no control character. */
function isPlainPath(path: string): boolean {
  return path.startsWith("/") && !path.startsWith("//") && !/[\\\u0000-\u001f\u007f]/.test(path);
}

export function safeNextPath(next: string | null | undefined): string {
  if (!next || next.length > 2048 || !isPlainPath(next)) return DEFAULT_AFTER_LOGIN;
  let url: URL;
  try {
    url = new URL(next, BASE);
  } catch {
    return DEFAULT_AFTER_LOGIN;
  }
  // `/%2e//evil.example` and `/x/..//evil.example` are `//evil.example` once normalised.
  if (url.origin !== BASE || !isPlainPath(url.pathname)) return DEFAULT_AFTER_LOGIN;
  return url.pathname + url.search + url.hash;
}
