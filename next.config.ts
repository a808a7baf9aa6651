import type { NextConfig } from "next";

/**
 * No `headers()` here: scripts/server.mts, which serves every request (`npm
 * start` and `npm run dev` alike), stamps the security headers on each
 * response before Next.js sees it. The same list here made Next.js match
 * `/:path*` and decode every path segment on every request, a cost that grows
 * with the depth of the path and so fell hardest on `/panel/api/...` calls
 * (bench/README.md).
 */
const nextConfig: NextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  // The libSQL driver loads a native addon; bundling it would break that.
  serverExternalPackages: ["@libsql/client", "libsql"],
};

export default nextConfig;
