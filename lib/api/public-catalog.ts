import { z } from "zod";
import { loginBody } from "@/lib/auth/login";
import { requestOptions, passkeyLoginBody } from "@/lib/passkeys/schemas";
import { revokeBody } from "@/lib/tokens/leak-revocation";
import type { RouteSpec } from "./catalog";

/** `GET /healthz` answer. */
export const healthStatus = z.object({ status: z.literal("ok") });

/**
 * The routes outside `/panel/api`: no credential needed to reach them. The
 * request pipeline enforces their CSRF rule and body schema as it does for
 * every endpoint, and the OpenAPI document describes them from here.
 */
export const publicEndpoints = {
  "auth.csrfToken": {
    method: "GET",
    path: "/csrf-token",
    summary:
      "The CSRF token for this browser; sets the session cookie first if there is none. It stays valid across login, as in 3x-ui.",
    permission: "public",
    csrf: "never",
    response: z.string().describe("Send it as X-CSRF-Token (or the `_csrf` form field) on /login, /logout and every unsafe session request."),
    setsCookie: true,
  },
  "auth.login": {
    method: "POST",
    path: "/login",
    summary:
      "Sign in with username and password (JSON, URL-encoded or multipart form): a fresh session id in the cookie. Failures are throttled per IP and IP + username.",
    permission: "public",
    csrf: "always",
    body: loginBody,
    setsCookie: true,
    throttled: true,
  },
  "auth.passkeyOptions": {
    method: "POST",
    path: "/login/passkey/options",
    summary:
      "Options for navigator.credentials.get() to sign in with a passkey (any discoverable one: no allowCredentials; user verification required). The challenge is bound to this browser's cookie, valid 5 minutes, once. At most 30 per address and minute (429 beyond).",
    permission: "public",
    csrf: "always",
    response: requestOptions,
    badRequestStatus: true,
    throttled: true,
  },
  "auth.passkeyLogin": {
    method: "POST",
    path: "/login/passkey",
    summary:
      "Sign in with a passkey: `response` alone (passwordless: a user-verified passkey of any admin), or with `username` and `password` (the passkey as the second factor: it must be that admin's). Opens a session as /login does; failures count against the login throttle.",
    permission: "public",
    csrf: "always",
    body: passkeyLoginBody,
    setsCookie: true,
    throttled: true,
    badRequestStatus: true,
  },
  "auth.logout": {
    method: "POST",
    path: "/logout",
    summary: "End the session server-side and clear the cookie.",
    permission: "public",
    csrf: "always",
    setsCookie: true,
  },
  "auth.twoFactorEnabled": {
    method: "POST",
    path: "/getTwoFactorEnable",
    summary: "Whether sign-in asks for a two-factor code (3x-ui's login page asks this first).",
    permission: "public",
    csrf: "always",
    response: z.boolean(),
  },
  "credentials.revoke": {
    method: "POST",
    path: "/api/credentials/revoke",
    summary:
      "Report leaked tokens (up to 100). Every listed token that exists is disabled and audited. No authentication; always 202 with the same body whether or not anything matched; rate limited per IP.",
    permission: "public",
    csrf: "never",
    body: revokeBody,
    successStatus: 202,
    badRequestStatus: true,
    throttled: true,
  },
  health: {
    method: "GET",
    path: "/healthz",
    summary: "Liveness: no authentication, no database work.",
    permission: "public",
    csrf: "never",
    rawResponse: healthStatus,
    logLevel: "debug",
  },
} as const satisfies Record<string, RouteSpec>;

export type PublicEndpointKey = keyof typeof publicEndpoints;
