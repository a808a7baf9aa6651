import { z } from "zod";
import { updateCredentialsBody } from "@/lib/auth/admins";
import { sessionIdParams, sessionView } from "@/lib/auth/active-sessions";
import { PERMISSIONS, type Permission } from "@/lib/auth/permissions";
import { reauthBody } from "@/lib/reauth/confirm";
import { serverStatus } from "@/lib/server-status/snapshot";
import { auditExportDocuments } from "@/lib/audit/export";
import { auditLogPage, auditLogQuery } from "@/lib/audit/query";
import { tokenListQuery } from "@/lib/tokens/list";
import { tokenPolicyView, updateTokenPolicyBody } from "@/lib/tokens/policy-rules";
import { tokenUsageQuery, tokenUsageReport } from "@/lib/tokens/usage-schemas";
import { createdWebhook, createWebhookBody, deliveryLog, deliveryView, updateWebhookBody, webhookIdParams, webhookView } from "@/lib/webhooks/schemas";
import { recoveryCodesView, twoFactorCodeBody, twoFactorSetupView, twoFactorStatusView } from "@/lib/auth/two-factor-schemas";
import {
  creationOptions,
  passkeyIdParams,
  passkeyView,
  reauthOptionsBody,
  requestOptions,
  registerBody,
  registerOptionsBody,
  renamePasskeyBody,
} from "@/lib/passkeys/schemas";
import {
  createTokenBody,
  createdToken,
  deleteTokenBody,
  rotateTokenBody,
  setEnabledBody,
  tokenIdParams,
  tokenPage,
  tokenView,
  updateTokenBody,
} from "@/lib/tokens/schemas";

/** `GET …/apiTokens/{id}/permissions`: what the token's scope lets it call. */
export const tokenPermissions = z.object({
  id: z.number().int(),
  name: z.string(),
  scope: z.string(),
  endpoints: z.array(z.object({ method: z.string(), path: z.string(), summary: z.string() })),
});

/** `GET …/tokenPolicy`: the policy, and how many existing tokens break it. */
export const tokenPolicyStatus = tokenPolicyView.extend({
  violatingTokens: z
    .number()
    .int()
    .describe("Unexpired tokens that break a rule (made before it): they keep working, flagged in `policyViolations`; list them with `?status=violating`."),
});

/** `GET …/apiTokens/self`: the calling token's own view and what it may call. */
export const tokenSelf = tokenView.extend({ endpoints: tokenPermissions.shape.endpoints });

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/**
 * One route, as the request pipeline (lib/api/route.ts) runs it and the
 * OpenAPI document describes it. `/panel/api` endpoints are listed below,
 * the routes outside it in public-catalog.ts.
 */
export interface RouteSpec {
  method: HttpMethod;
  /** OpenAPI-style path: `{id}` for a dynamic segment. */
  path: string;
  summary: string;
  /** What the caller needs: a permission (a session, or a token whose scope grants it), or nothing. */
  permission: Permission | "public";
  /**
   * When the CSRF token (`X-CSRF-Token` or the `_csrf` field) must match the
   * browser cookie: on unsafe requests of a session (the default), always
   * (login, logout: a form on another site must not sign anyone in or out), or never.
   */
  csrf?: "session" | "always" | "never";
  params?: z.ZodType<unknown, Record<string, string>>;
  /** Query-string parameters (GET endpoints). */
  query?: z.ZodType;
  /** The body's fields, read from JSON, a URL-encoded form or a multipart form alike. */
  body?: z.ZodType;
  /** Allow-list for `obj`; responses are parsed through it. Absent: `obj` is null. */
  response?: z.ZodType;
  /**
   * The handler answers with this document itself, outside the envelope (for
   * tools that expect a plain file, like an OpenAPI description).
   */
  rawResponse?: z.ZodType;
  /** Checks a password or counts requests under a throttle, so it may answer 429. */
  throttled?: boolean;
  /** Answers with `Set-Cookie` (the session cookie). */
  setsCookie?: boolean;
  /** Success status when not 200 (e.g. 202 Accepted). */
  successStatus?: number;
  /** Validation failures answer 400 (not the peer's 200 + success:false). */
  badRequestStatus?: boolean;
  /** Body fields whose bad values answer 400 (fields this panel added; the others keep the peer's 200). */
  badRequestFields?: readonly string[];
  /** The handler may answer with a Streamed body (lib/streamed.ts) instead of an object. */
  streamed?: true;
  /**
   * Documents the handler may answer with outside the envelope (an export),
   * by media type; the query says when.
   */
  downloads?: Record<string, z.ZodType>;
  /** The request line's level when not `info` (liveness probes are debug). */
  logLevel?: "debug";
}

/** A `/panel/api` endpoint: it always needs a credential. */
export interface EndpointSpec extends RouteSpec {
  permission: Permission;
}

/**
 * Every `/panel/api` endpoint, in one place: route files bind handlers to these
 * entries, the auth wrapper reads the permission and schemas from them, and
 * the OpenAPI document and "what can this token do" are derived from them.
 */
export const endpoints = {
  "server.status": {
    method: "GET",
    path: "/panel/api/server/status",
    summary:
      "Machine snapshot as 3x-ui's Status struct (CPU, memory, swap, disk, disk and network I/O, load averages, sockets, uptime, this process), refreshed at most every 2 s.",
    permission: PERMISSIONS.statusRead,
    response: serverStatus,
  },
  "tokens.list": {
    method: "GET",
    path: "/panel/api/setting/apiTokens",
    summary:
      "Without parameters: every API token, enabled or not, ordered by id (the peer's array, streamed). With any of limit, cursor, q, scope, status, sort: one page (`items`, `total`, `nextCursor`, `prevCursor`), paged by keyset. Never includes the plaintext or its hash.",
    permission: PERMISSIONS.admin,
    query: tokenListQuery,
    response: z.union([z.array(tokenView), tokenPage]),
    badRequestStatus: true,
    streamed: true,
  },
  "tokens.create": {
    method: "POST",
    path: "/panel/api/setting/apiTokens/create",
    summary: "Mint a token. The plaintext is in this response only; the panel stores its SHA-256.",
    permission: PERMISSIONS.admin,
    body: createTokenBody,
    response: createdToken,
    badRequestFields: ["description"],
  },
  "tokens.delete": {
    method: "POST",
    path: "/panel/api/setting/apiTokens/delete/{id}",
    summary: "Delete a token for good; callers using it fail on their next request.",
    permission: PERMISSIONS.admin,
    params: tokenIdParams,
    body: deleteTokenBody,
  },
  "tokens.setEnabled": {
    method: "POST",
    path: "/panel/api/setting/apiTokens/setEnabled/{id}",
    summary: "Enable or disable a token without deleting it.",
    permission: PERMISSIONS.admin,
    params: tokenIdParams,
    body: setEnabledBody,
  },
  "tokens.update": {
    method: "POST",
    path: "/panel/api/setting/apiTokens/update/{id}",
    summary:
      "Edit a token's name, description, expiry, IP allowlist, rate limit and/or scope (same rules as create; an unchanged expiry is not checked; a scope widened to admin needs a session's re-authentication within 10 minutes). Returns the updated view; an edit that changes nothing answers the view with `msg` `nothing changed` and writes no audit row.",
    permission: PERMISSIONS.admin,
    params: tokenIdParams,
    body: updateTokenBody,
    response: tokenView,
    badRequestFields: ["description"],
  },
  "tokens.rotate": {
    method: "POST",
    path: "/panel/api/setting/apiTokens/rotate/{id}",
    summary:
      "Give a token a new plaintext (returned once). With graceSeconds (0–86400) the old plaintext keeps working until the grace period ends. An expired token needs a new expiresAt (else 400 `token has expired: give it a new expiresAt to rotate it`) and gets no grace.",
    permission: PERMISSIONS.admin,
    params: tokenIdParams,
    body: rotateTokenBody,
    response: createdToken,
    badRequestFields: ["expiresAt"],
  },
  "tokens.permissions": {
    method: "GET",
    path: "/panel/api/setting/apiTokens/{id}/permissions",
    summary: "The routes and methods this token's scope allows.",
    permission: PERMISSIONS.admin,
    params: tokenIdParams,
    response: tokenPermissions,
  },
  "tokens.usage": {
    method: "GET",
    path: "/panel/api/setting/apiTokens/{id}/usage",
    summary:
      "Least privilege from observed use: the routes this token called in the last `days` UTC days (default 30) with call counts, how many its scope allows, and the narrowest scope that would still allow them all (apply it with `update` and `scope`). Counted in memory and written once a minute per instance.",
    permission: PERMISSIONS.admin,
    params: tokenIdParams,
    query: tokenUsageQuery,
    response: tokenUsageReport,
    badRequestStatus: true,
  },
  "tokens.self": {
    method: "GET",
    path: "/panel/api/setting/apiTokens/self",
    summary:
      "Introspection: the calling API token's own view (expiry, scope, allowlist …) and the routes and methods it may call. Any valid token of any scope may call it; a browser session gets 400 (it is not a token).",
    permission: PERMISSIONS.self,
    response: tokenSelf,
  },
  "policy.get": {
    method: "GET",
    path: "/panel/api/setting/tokenPolicy",
    summary:
      "The token policy: maximum lifetime and default expiry of new tokens, whether admin-scope tokens need an IP allowlist, whether a reused rotated-out secret disables its token; and how many tokens break it.",
    permission: PERMISSIONS.admin,
    response: tokenPolicyStatus,
  },
  "policy.update": {
    method: "POST",
    path: "/panel/api/setting/tokenPolicy/update",
    summary:
      "Change the token policy (any of its fields; a browser session must have re-authenticated within 10 minutes). It governs tokens created, edited and rotated from now on; existing tokens that break it keep working and are flagged. Audited `policy.update` with what changed; a save that changes nothing answers `nothing changed` and writes nothing.",
    permission: PERMISSIONS.admin,
    body: updateTokenPolicyBody,
    response: tokenPolicyStatus,
    badRequestStatus: true,
  },
  "audit.list": {
    method: "GET",
    path: "/panel/api/setting/auditLog",
    summary:
      "Audit events, newest first. Page with ?before=<nextBefore>; filter with ?action=, ?tokenId=, ?from=/?to= (Unix ms) and ?target= (part of the target's name). ?format=csv|json downloads every matching event instead (streamed, `Content-Disposition: attachment`).",
    permission: PERMISSIONS.admin,
    query: auditLogQuery,
    response: auditLogPage,
    badRequestStatus: true,
    streamed: true,
    downloads: auditExportDocuments,
  },
  "admin.updateUser": {
    method: "POST",
    path: "/panel/api/setting/updateUser",
    summary:
      "Change the admin's username and/or password (the current ones are required). Every session of that admin ends; sign in again.",
    permission: PERMISSIONS.admin,
    body: updateCredentialsBody,
    throttled: true,
  },
  "sessions.list": {
    method: "GET",
    path: "/panel/api/setting/sessions",
    summary:
      "The signed-in admin's live browser sessions (for an admin token: every admin's), most recently active first: sign-in time, last activity (to the minute), IP, user agent with browser and OS, and which one is this browser.",
    permission: PERMISSIONS.admin,
    response: z.array(sessionView),
  },
  "sessions.revoke": {
    method: "POST",
    path: "/panel/api/setting/sessions/revoke/{id}",
    summary: "Sign one session out, on every instance (its next request is refused). Audited.",
    permission: PERMISSIONS.admin,
    params: sessionIdParams,
    badRequestStatus: true,
  },
  "sessions.revokeOthers": {
    method: "POST",
    path: "/panel/api/setting/sessions/revokeOthers",
    summary:
      "Sign out every other session of this admin (for an admin token: every session). `obj.revoked` says how many; none, nothing is written.",
    permission: PERMISSIONS.admin,
    response: z.object({ revoked: z.number().int() }),
  },
  "auth.reauth": {
    method: "POST",
    path: "/panel/api/setting/reauth",
    summary:
      "Confirm it is you (password, or a TOTP or recovery code) to open this session's 10-minute window for sensitive changes: minting or rotating an admin-scope token, adding or removing a passkey, setting up 2FA (turning 2FA off, new recovery codes and a credential change ask for a code or the current password themselves). Those answer 403 with `X-Reauth-Required: 1` when the window is closed; the login itself opens it. Wrong answers count as failed logins. Sessions only: tokens are never asked.",
    permission: PERMISSIONS.admin,
    body: reauthBody,
    badRequestStatus: true,
    throttled: true,
  },
  "passkeys.list": {
    method: "GET",
    path: "/panel/api/setting/passkeys",
    summary:
      "The signed-in admin's passkeys (an admin token: every admin's), oldest first: name, when added and last used. Never the public key or the credential id.",
    permission: PERMISSIONS.admin,
    response: z.array(passkeyView),
    badRequestStatus: true,
  },
  "passkeys.registerOptions": {
    method: "POST",
    path: "/panel/api/setting/passkeys/registerOptions",
    summary:
      "Start adding a passkey (signed-in browser only): options for navigator.credentials.create() (user verification and a discoverable credential required; the admin's passkeys excluded). The challenge is bound to this browser and valid for 5 minutes, once.",
    permission: PERMISSIONS.admin,
    body: registerOptionsBody,
    response: creationOptions,
    badRequestStatus: true,
  },
  "passkeys.register": {
    method: "POST",
    path: "/panel/api/setting/passkeys/register",
    summary:
      "Finish adding a passkey: `response` is the browser's PublicKeyCredential as JSON (from @simplewebauthn/browser's startRegistration). Returns the new passkey's view; audited `passkey.added`.",
    permission: PERMISSIONS.admin,
    body: registerBody,
    response: passkeyView,
    badRequestStatus: true,
  },
  "passkeys.update": {
    method: "POST",
    path: "/panel/api/setting/passkeys/update/{id}",
    summary: "Rename a passkey. Returns its view; audited `passkey.renamed`.",
    permission: PERMISSIONS.admin,
    params: passkeyIdParams,
    body: renamePasskeyBody,
    response: passkeyView,
    badRequestStatus: true,
  },
  "passkeys.delete": {
    method: "POST",
    path: "/panel/api/setting/passkeys/delete/{id}",
    summary:
      "Remove a passkey (a session must have re-authenticated within 10 minutes). The admin's other sessions end in the same transaction; audited `passkey.removed`.",
    permission: PERMISSIONS.admin,
    params: passkeyIdParams,
    badRequestStatus: true,
  },
  "passkeys.reauthOptions": {
    method: "POST",
    path: "/panel/api/setting/passkeys/reauthOptions",
    summary:
      "Options for navigator.credentials.get() to confirm it's you with one of the signed-in admin's passkeys; send the result to `POST /panel/api/setting/reauth`.",
    permission: PERMISSIONS.admin,
    body: reauthOptionsBody,
    response: requestOptions,
    badRequestStatus: true,
  },
  "twoFactor.status": {
    method: "GET",
    path: "/panel/api/setting/twoFactor",
    summary: "Whether two-factor sign-in (TOTP) is on for this admin, since when, and how many recovery codes are left.",
    permission: PERMISSIONS.admin,
    response: twoFactorStatusView,
  },
  "twoFactor.setup": {
    method: "POST",
    path: "/panel/api/setting/twoFactor/setup",
    summary:
      "Start setting up TOTP: a new secret made by the panel (as text, an otpauth URI and a QR code SVG), pending until `enable` confirms it with a code. Calling again replaces the pending secret. Refused while 2FA is on.",
    permission: PERMISSIONS.admin,
    response: twoFactorSetupView,
    badRequestStatus: true,
  },
  "twoFactor.enable": {
    method: "POST",
    path: "/panel/api/setting/twoFactor/enable",
    summary:
      "Confirm the pending secret with a current 6-digit code: 2FA is on, and 10 single-use recovery codes are returned (this once; earlier ones stop working).",
    permission: PERMISSIONS.admin,
    body: twoFactorCodeBody,
    response: recoveryCodesView,
    badRequestStatus: true,
  },
  "twoFactor.disable": {
    method: "POST",
    path: "/panel/api/setting/twoFactor/disable",
    summary:
      "Turn 2FA off with a current code or a recovery code; the recovery codes are voided and every other session of the admin ends.",
    permission: PERMISSIONS.admin,
    body: twoFactorCodeBody,
    badRequestStatus: true,
  },
  "twoFactor.recoveryCodes": {
    method: "POST",
    path: "/panel/api/setting/twoFactor/recoveryCodes",
    summary: "New recovery codes (returned this once) for a current code or a recovery code; the old ones stop working.",
    permission: PERMISSIONS.admin,
    body: twoFactorCodeBody,
    response: recoveryCodesView,
    badRequestStatus: true,
  },
  "webhooks.list": {
    method: "GET",
    path: "/panel/api/setting/webhooks",
    summary:
      "Outgoing webhooks: name, URL, subscribed events, on/off and the newest delivery. Each event is POSTed as JSON with `X-Xui-Event`, `X-Xui-Delivery` and `X-Xui-Signature: t=<Unix s>,v1=<hex HMAC-SHA256(secret, \"<t>.<body>\")>`; a non-2xx answer is retried with backoff.",
    permission: PERMISSIONS.admin,
    response: z.array(webhookView),
  },
  "webhooks.create": {
    method: "POST",
    path: "/panel/api/setting/webhooks/create",
    summary:
      "Add a webhook (a browser session must have re-authenticated within 10 minutes). The URL must reach a public address unless the server sets WEBHOOK_ALLOW_PRIVATE=true. Returns the signing secret this once; the webhook hears events from now on. Audited `webhook.create`.",
    permission: PERMISSIONS.admin,
    body: createWebhookBody,
    response: createdWebhook,
    badRequestStatus: true,
  },
  "webhooks.update": {
    method: "POST",
    path: "/panel/api/setting/webhooks/update/{id}",
    summary:
      "Change a webhook's name, URL, events or on/off (a new URL, turning it off or dropping events needs a session's re-authentication within 10 minutes). A webhook turned back on hears events from then on, not those it missed. Audited `webhook.update` with what changed; a save that changes nothing answers `nothing changed`.",
    permission: PERMISSIONS.admin,
    params: webhookIdParams,
    body: updateWebhookBody,
    response: webhookView,
    badRequestStatus: true,
  },
  "webhooks.delete": {
    method: "POST",
    path: "/panel/api/setting/webhooks/delete/{id}",
    summary:
      "Delete a webhook and its delivery log; deliveries still queued are dropped (a browser session must have re-authenticated within 10 minutes). Audited `webhook.delete`.",
    permission: PERMISSIONS.admin,
    params: webhookIdParams,
    badRequestStatus: true,
  },
  "webhooks.rotateSecret": {
    method: "POST",
    path: "/panel/api/setting/webhooks/rotateSecret/{id}",
    summary:
      "A new signing secret, returned this once (a browser session must have re-authenticated within 10 minutes); deliveries are signed with it from the next attempt on. Audited `webhook.rotate_secret`.",
    permission: PERMISSIONS.admin,
    params: webhookIdParams,
    response: z.object({ secret: z.string() }),
    badRequestStatus: true,
  },
  "webhooks.test": {
    method: "POST",
    path: "/panel/api/setting/webhooks/test/{id}",
    summary: "Queue a `webhook.test` delivery, sent within about a second and retried like any other; follow it in the delivery log.",
    permission: PERMISSIONS.admin,
    params: webhookIdParams,
    response: deliveryView,
    badRequestStatus: true,
  },
  "webhooks.deliveries": {
    method: "GET",
    path: "/panel/api/setting/webhooks/{id}/deliveries",
    summary: "The webhook's newest 100 deliveries, newest first: event, state, attempts, the last answer's HTTP status or error. Kept 30 days.",
    permission: PERMISSIONS.admin,
    params: webhookIdParams,
    response: deliveryLog,
    badRequestStatus: true,
  },
  "meta.openapi": {
    method: "GET",
    path: "/panel/api/openapi.json",
    summary:
      "This API's OpenAPI 3.1 description, generated from the schemas that validate requests and shape responses. Served as is, not in the envelope.",
    permission: PERMISSIONS.admin,
    rawResponse: z.looseObject({
      openapi: z.string(),
      info: z.looseObject({ title: z.string(), version: z.string() }),
      paths: z.record(z.string(), z.unknown()),
    }),
  },
} as const satisfies Record<string, EndpointSpec>;

export type EndpointKey = keyof typeof endpoints;
export type Endpoint<K extends EndpointKey> = (typeof endpoints)[K];

export type TokenPermissions = z.output<typeof tokenPermissions>;
