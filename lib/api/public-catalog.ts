import { z } from "zod";
import { loginBody } from "@/lib/auth/login";
import { revokeBody } from "@/lib/tokens/leak-revocation";

export interface PublicEndpointSpec {
  method: "GET" | "POST";
  path: string;
  summary: string;
  /** Needs `X-CSRF-Token` matching the session cookie. */
  csrf: boolean;
  body?: z.ZodType;
  /** The body may also come as `application/x-www-form-urlencoded`. */
  formBody?: boolean;
  /** `obj` of a successful envelope. */
  response?: z.ZodType;
  /** Answered as is, outside the envelope. */
  rawResponse?: z.ZodType;
  /** Answers with `Set-Cookie` (the session cookie). */
  setsCookie?: boolean;
  /** Checks a password under the login throttle, so it may answer 429. */
  throttled?: boolean;
  /** Success status when not 200 (e.g. 202 Accepted). */
  successStatus?: number;
  /** Validation failures answer 400 (not the peer's 200 + success:false). */
  badRequestStatus?: boolean;
}

/** `GET /healthz` answer. */
export const healthStatus = z.object({ status: z.literal("ok") });

/**
 * The routes outside `/panel/api`, described for the OpenAPI document and for
 * the request log (publicRoute() takes its route pattern from here).
 */
export const publicEndpoints = {
  "auth.csrfToken": {
    method: "GET",
    path: "/csrf-token",
    summary: "The CSRF token for this browser; sets an anonymous session cookie first if there is none.",
    csrf: false,
    response: z.string().describe("Send it as X-CSRF-Token on /login, /logout and every unsafe session request."),
    setsCookie: true,
  },
  "auth.login": {
    method: "POST",
    path: "/login",
    summary:
      "Sign in with username and password (JSON or a form post): a fresh session cookie. Fetch /csrf-token again afterwards. Failures are throttled per IP and IP + username.",
    csrf: true,
    body: loginBody,
    formBody: true,
    setsCookie: true,
    throttled: true,
  },
  "auth.logout": {
    method: "POST",
    path: "/logout",
    summary: "End the session server-side and clear the cookie (CSRF header required when a session cookie is sent).",
    csrf: true,
    setsCookie: true,
  },
  "credentials.revoke": {
    method: "POST",
    path: "/api/credentials/revoke",
    summary:
      "Report leaked tokens (up to 100). Every listed token that exists is disabled and audited. No authentication; always 202 with the same body whether or not anything matched; rate limited per IP.",
    csrf: false,
    body: revokeBody,
    successStatus: 202,
    badRequestStatus: true,
    throttled: true,
  },
  health: {
    method: "GET",
    path: "/healthz",
    summary: "Liveness: no authentication, no database work.",
    csrf: false,
    rawResponse: healthStatus,
  },
} as const satisfies Record<string, PublicEndpointSpec>;

export type PublicEndpointKey = keyof typeof publicEndpoints;
