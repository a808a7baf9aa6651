import { z } from "zod";
import { updateCredentialsBody } from "@/lib/auth/admins";
import { PERMISSIONS, type Permission } from "@/lib/auth/permissions";
import { serverStatus } from "@/lib/server-status/snapshot";
import {
  createTokenBody,
  createdToken,
  deleteTokenBody,
  setEnabledBody,
  tokenIdParams,
  tokenView,
} from "@/lib/tokens/schemas";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface EndpointSpec {
  method: HttpMethod;
  /** OpenAPI-style path: `{id}` for a dynamic segment. */
  path: string;
  summary: string;
  permission: Permission;
  params?: z.ZodType<unknown, Record<string, string>>;
  body?: z.ZodType;
  /** Allow-list for `obj`; responses are parsed through it. Absent: no `obj`. */
  response?: z.ZodType;
  /**
   * The handler answers with this document itself, outside the envelope (for
   * tools that expect a plain file, like an OpenAPI description).
   */
  rawResponse?: z.ZodType;
  /** Checks a password under the login throttle, so it may answer 429. */
  throttled?: boolean;
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
    summary: "Machine snapshot (CPU, memory, swap, disk, load, uptime), refreshed at most every 2 s.",
    permission: PERMISSIONS.statusRead,
    response: serverStatus,
  },
  "tokens.list": {
    method: "GET",
    path: "/panel/api/setting/apiTokens",
    summary: "List every API token, enabled or not, ordered by id. Never includes the plaintext or its hash.",
    permission: PERMISSIONS.admin,
    response: z.array(tokenView),
  },
  "tokens.create": {
    method: "POST",
    path: "/panel/api/setting/apiTokens/create",
    summary: "Mint a token. The plaintext is in this response only; the panel stores its SHA-256.",
    permission: PERMISSIONS.admin,
    body: createTokenBody,
    response: createdToken,
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
  "admin.updateUser": {
    method: "POST",
    path: "/panel/api/setting/updateUser",
    summary:
      "Change the admin's username and/or password (the current ones are required). Every session of that admin ends; sign in again.",
    permission: PERMISSIONS.admin,
    body: updateCredentialsBody,
    throttled: true,
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
