import { NextResponse, type NextRequest } from "next/server";

/**
 * Runs for pages only (see `config.matcher`): API routes set their own strict
 * headers and skip this hop. Every page gets a fresh CSP nonce: Next.js stamps
 * it on its own inline scripts, and nothing without it runs.
 *
 * (`POST /login` is routed to app/auth/login by scripts/server.mts, not here:
 * a rewrite in this file would reach the handler as a new request from 127.0.0.1.)
 */
export function proxy(request: NextRequest): NextResponse {
  const { pathname } = request.nextUrl;

  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
  const dev = process.env.NODE_ENV === "development";
  const csp = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    // React renders style attributes; inline styles cannot run code.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");

  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("content-security-policy", csp);
  requestHeaders.set("x-nonce", nonce);
  // Lets the panel layout send a signed-out visitor back here after login.
  requestHeaders.set("x-pathname", pathname + request.nextUrl.search);

  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("Content-Security-Policy", csp);
  return response;
}

export const config = {
  matcher: [
    {
      source: "/((?!_next/static|_next/image|favicon\\.ico|panel/api|api/|healthz|csrf-token|getTwoFactorEnable|logout|login/passkey|auth/).*)",
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
  ],
};
