import { z } from "zod";
import { TOKEN_SCOPES } from "@/db/schema/constants";

/** `GET …/apiTokens/{id}/usage`: its query and answer (lib/api/least-privilege.ts builds it). */

/** Days of counts kept (lib/tokens/usage.ts prunes older ones); the report reads at most this many. */
export const USAGE_RETENTION_DAYS = 90;

export const USAGE_DAYS_DEFAULT = 30;
const DAYS_MSG = `days must be an integer from 1 to ${USAGE_RETENTION_DAYS}`;

export const tokenUsageQuery = z.object({
  days: z
    .preprocess(
      (v) => (v === "" ? undefined : v),
      z.string().regex(/^[0-9]{1,3}$/, DAYS_MSG).transform(Number).refine((d) => d >= 1 && d <= USAGE_RETENTION_DAYS, DAYS_MSG).optional(),
    )
    .transform((d) => d ?? USAGE_DAYS_DEFAULT)
    .describe(`How many UTC days back, today included (1–${USAGE_RETENTION_DAYS}; default ${USAGE_DAYS_DEFAULT}).`),
});

export const tokenUsageReport = z.object({
  id: z.number().int(),
  name: z.string(),
  scope: z.enum(TOKEN_SCOPES),
  days: z.number().int(),
  since: z.string().describe("The first UTC day counted, YYYY-MM-DD."),
  routes: z
    .array(
      z.object({
        method: z.string(),
        path: z.string().describe("The route pattern, as in the OpenAPI document."),
        calls: z.number().int(),
        lastUsed: z.string().describe("UTC day of the last call, YYYY-MM-DD."),
        allowed: z.boolean().describe("Whether the token's scope allows it now."),
      }),
    )
    .describe("Routes called with an accepted scope, most called first. Counts reach the database once a minute per instance."),
  usedRoutes: z.number().int().describe("Distinct routes called."),
  allowedRoutes: z.number().int().describe("Routes the token's scope allows."),
  narrowestScope: z
    .enum(TOKEN_SCOPES)
    .nullable()
    .describe(
      "The scope allowing the fewest routes that still allows every route called (the token's own when none is narrower); null when the token made no call.",
    ),
});
export type TokenUsageReport = z.output<typeof tokenUsageReport>;
