import { apiRoute } from "@/lib/api/route";

export const dynamic = "force-dynamic";

/**
 * Any other `/panel/api/...` path. With no bindings every method answers as an
 * unknown route does — but only after authentication, so an anonymous caller
 * sees the same 404/401 here as on a real route and cannot map the API.
 */
export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({});
