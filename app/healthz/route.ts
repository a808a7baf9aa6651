import type { z } from "zod";
import type { healthStatus } from "@/lib/api/public-catalog";
import { jsonResponse } from "@/lib/http/envelope";

// Liveness only: no database, no auth. Also the benchmark's bare baseline.
export const dynamic = "force-dynamic";

export function GET(): Response {
  return jsonResponse({ status: "ok" } satisfies z.output<typeof healthStatus>);
}
