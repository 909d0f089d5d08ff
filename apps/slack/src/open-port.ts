import { CarveError, describeOpenedPort, openVmPort, type TUserActor } from "@carve/core";
import type { TCommandLine } from "./command-line.ts";
import type { TSlackCtx } from "./context.ts";

/**
 * `/vm open NAME PORT [protocol=udp]`: lets the port in from the company network through the
 * VM's own security group, and says what is open now and from where. A port that is not a
 * number is refused here with the form to use; core judges the number (1–65535).
 */
export async function openPortInSlack(ctx: TSlackCtx, actor: TUserActor, line: TCommandLine): Promise<string> {
  const [vm, port = ""] = line.args;
  if (!/^\d{1,5}$/.test(port)) {
    throw new CarveError("INVALID_INPUT", `\`${port.slice(0, 20)}\` is not a port: give its number, e.g. \`/vm open ${vm?.slice(0, 100) ?? "NAME"} 8080\`.`, { fields: [{ field: "port", message: "is not a port number" }] });
  }
  const opened = await openVmPort(ctx.core, actor, { vm, port: Number(port), ...(line.options["protocol"] === undefined ? {} : { protocol: line.options["protocol"] }) });
  return `:unlock: ${describeOpenedPort(opened)}${opened.added ? "" : "; nothing changed"}.`;
}
