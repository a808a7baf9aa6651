import { apiRoute, endpoint } from "@/lib/api/route";

export const dynamic = "force-dynamic";

/** 3x-ui's login page asks this before showing the form. No second factor exists here yet. */
export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  POST: endpoint("auth.twoFactorEnabled", () => false),
});
