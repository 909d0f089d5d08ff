// The portal's HTTP server: Next's request handler behind a plain Node server, because only here
// is the TCP peer's address known (Next 16's route handlers cannot see it). Every request gets its
// client address and request id from client-address.ts before Next handles it.
// Usage: node --import tsx src/serve.ts [-H host] [-p port]   (run from apps/portal or anywhere)
import { createServer } from "node:http";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import next from "next";
import { env } from "./env.ts";
import { stampRequest } from "./server/client-address.ts";

const started = performance.now();
const { values } = parseArgs({ options: { hostname: { type: "string", short: "H", default: "0.0.0.0" }, port: { type: "string", short: "p", default: "3000" } } });
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`carve-portal: -p must be a TCP port, not '${values.port}'`);
const settings = env();
const app = next({ dev: false, dir: dirname(import.meta.dirname), hostname: values.hostname, port });
const handle = app.getRequestHandler();
await app.prepare();
const server = createServer((request, response) => {
  stampRequest(request, response, settings.CARVE_TRUSTED_PROXIES);
  handle(request, response).catch((error: unknown) => {
    // Next answers its own errors; this is only for one escaping it, so the process keeps serving.
    console.error("carve-portal: request failed", error instanceof Error ? error.message : "unknown error");
    if (!response.headersSent) response.writeHead(500, { "content-type": "text/plain" }).end("Internal error\n");
    else response.destroy();
  });
});
server.listen(port, values.hostname, () => {
  console.info(`carve-portal: Ready in ${Math.round(performance.now() - started)}ms on http://${values.hostname}:${port}`);
});
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    server.close();
    void app.close().finally(() => process.exit(0));
  });
}
