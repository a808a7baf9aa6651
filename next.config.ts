import type { NextConfig } from "next";

/**
 * Headers for every response, pages and API alike. The Content-Security-Policy
 * is not here: pages get a per-request nonce policy from proxy.ts and JSON
 * routes a `default-src 'none'` one from lib/http/envelope.ts.
 */
const securityHeaders = [
  { key: "X-Frame-Options", value: "DENY" },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "no-referrer" },
];

const nextConfig: NextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  // The libSQL driver loads a native addon; bundling it would break that.
  serverExternalPackages: ["@libsql/client", "libsql"],
  async headers() {
    return [{ source: "/:path*", headers: securityHeaders }];
  },
};

export default nextConfig;
