import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";

/**
 * The bearer token Prometheus sends to `/metrics` (`CARVE_METRICS_TOKEN`): the controller's and
 * the agents' metrics are never served without credentials. At least 32 characters, e.g.
 * `openssl rand -hex 32`.
 */
export const ZMetricsTokenSetting = z
  .string()
  .regex(/^[\x21-\x7e]{32,512}$/, "must be 32 to 512 printable characters without spaces, e.g. the output of 'openssl rand -hex 32'");

/**
 * The rule both processes' settings share: a metrics port needs a token. Use as
 * `.superRefine(requireMetricsToken("CARVE_METRICS_PORT"))` on a settings object that has
 * CARVE_METRICS_TOKEN.
 */
export function requireMetricsToken(portSetting: string) {
  return (env: Record<string, unknown>, ctx: z.RefinementCtx): void => {
    if (env[portSetting] !== undefined && env["CARVE_METRICS_TOKEN"] === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["CARVE_METRICS_TOKEN"],
        message: `is required when ${portSetting} is set: /metrics is served only to a caller with this bearer token. Generate one ('openssl rand -hex 32') and give it to Prometheus (authorization: credentials_file)`,
      });
    }
  };
}

/** The two log calls the endpoint makes (pino's Logger fits). */
interface TMetricsLog {
  info(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface TMetricsEndpoint {
  /** "controller" or "agent", for the error text. */
  processName: string;
  port: number;
  token: string;
  contentType: string;
  render: () => Promise<string>;
  log: TMetricsLog;
}

const digest = (text: string) => createHash("sha256").update(text).digest();

/**
 * A bare HTTP server: `GET /metrics` with `Authorization: Bearer <token>` answers the exposition
 * text; without the token 401, anything else 404. Logs the port it listens on ("metrics listening").
 */
export function serveMetrics(endpoint: TMetricsEndpoint): Promise<Server> {
  const expected = digest(`Bearer ${endpoint.token}`);
  const server = createServer((req, res) => {
    if (req.method !== "GET" || req.url?.split("?")[0] !== "/metrics") {
      res.writeHead(404, { "content-type": "text/plain" }).end("only GET /metrics is served here\n");
      return;
    }
    // Hashes of equal length: the comparison takes the same time whatever was sent.
    if (!timingSafeEqual(digest(req.headers.authorization ?? ""), expected)) {
      res.writeHead(401, { "content-type": "text/plain", "www-authenticate": 'Bearer realm="carve-metrics"' }).end("send 'Authorization: Bearer <CARVE_METRICS_TOKEN>' (the token this process was started with)\n");
      return;
    }
    endpoint.render().then(
      (text) => res.writeHead(200, { "content-type": endpoint.contentType }).end(text),
      (err: unknown) => {
        endpoint.log.error({ err }, "could not collect metrics");
        res.writeHead(500, { "content-type": "text/plain" }).end(`could not collect metrics; see the ${endpoint.processName}'s log\n`);
      },
    );
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(endpoint.port, () => {
      endpoint.log.info({ port: (server.address() as AddressInfo).port, path: "/metrics" }, "metrics listening");
      resolve(server);
    });
  });
}
