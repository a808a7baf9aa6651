import { apiRoute, endpoint } from "@/lib/api/route";
import { anyTwoFactorEnabled } from "@/lib/auth/two-factor";

export const dynamic = "force-dynamic";

/**
 * 3x-ui's login page asks this before showing the form. 3x-ui has one admin, so the question
 * has no username: true when any admin has two-factor sign-in on.
 */
export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  POST: endpoint("auth.twoFactorEnabled", ({ db }) => anyTwoFactorEnabled(db)),
});
