import type { NextConfig } from "next";

// Pages render on the server only; scripts come from this origin, and React's inline hydration
// data needs 'unsafe-inline' for scripts until the portal uses nonces.
const CSP = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "object-src 'none'",
].join("; ");

const SECURITY_HEADERS = [
  { key: "Content-Security-Policy", value: CSP },
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
