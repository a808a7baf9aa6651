import { apiRoute, endpoint } from "@/lib/api/route";

// Liveness only: no database work, no auth. Also the benchmark's baseline.
export const dynamic = "force-dynamic";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  GET: endpoint("health", () => ({ status: "ok" as const })),
});
