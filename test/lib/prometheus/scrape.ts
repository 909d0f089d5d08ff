import { waitForLogLine } from "../stack/log-lines.ts";
import { parseExposition, type TFamily } from "./parse-exposition.ts";

/** The port a process chose for /metrics (started with port 0), from its "metrics listening" line. */
export async function metricsPortOf(logFile: string): Promise<number> {
  const line = await waitForLogLine(logFile, (l) => l.msg === "metrics listening", "the metrics port");
  if (typeof line["port"] !== "number") throw new Error(`"metrics listening" without a port in ${logFile}`);
  return line["port"];
}

/** GETs /metrics with the bearer `token` and parses it strictly (the response must also say it is the text format). */
export async function scrape(port: number, token: string): Promise<Map<string, TFamily>> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  if (response.status !== 200) throw new Error(`/metrics on port ${port} answered ${response.status}: ${await response.text()}`);
  const contentType = response.headers.get("content-type") ?? "";
  if (!/^text\/plain; version=0\.0\.4/.test(contentType)) throw new Error(`/metrics on port ${port} has content-type ${contentType}`);
  return parseExposition(await response.text());
}
