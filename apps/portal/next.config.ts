import type { NextConfig } from "next";

// The Content-Security-Policy is set per request, with a script nonce, by src/proxy.ts.
const SECURITY_HEADERS = [
  { key: "X-Frame-Options", value: "DENY" },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "same-origin" },
];

const config: NextConfig = {
  // The workspace packages are TypeScript sources ("JIT TS"): Next compiles them with the app.
  transpilePackages: ["@carve/core", "@carve/db", "@carve/protocol"],
  // Native or connection-holding libraries stay plain Node modules on the server.
  serverExternalPackages: ["@node-rs/argon2", "bullmq", "ioredis", "ldapts", "pg", "@prisma/adapter-pg", "pino"],
  poweredByHeader: false,
  experimental: { authInterrupts: true },
  async headers() {
    return [{ source: "/:path*", headers: SECURITY_HEADERS }];
  },
};

export default config;
