/** `/vm` text split into a subcommand, positional arguments and `key=value` options. */
export interface TCommandLine {
  sub: string;
  args: string[];
  options: Record<string, string>;
}

/** Splits on whitespace; a word with `=` is an option (`template=tiny`), the rest are arguments in order. */
export function parseCommandLine(text: string): TCommandLine {
  const words = text.trim().split(/\s+/).filter((w) => w.length > 0);
  const [sub = "help", ...rest] = words;
  const args: string[] = [];
  const options: Record<string, string> = {};
  for (const word of rest) {
    const eq = word.indexOf("=");
    if (eq > 0) options[word.slice(0, eq).toLowerCase()] = word.slice(eq + 1);
    else args.push(word);
  }
  return { sub: sub.toLowerCase(), args, options };
}

export const USAGE = [
  "*/vm* manages your Carve VMs:",
  "• `/vm list` — your VMs",
  "• `/vm create` — a form; or `/vm create NAME template=T offering=O [ssh-keys=K1,K2]`",
  "• `/vm status NAME` · `/vm start NAME` · `/vm stop NAME` · `/vm reboot NAME`",
  "• `/vm destroy NAME` — asks first",
  "• `/vm recreate NAME` — a Lost VM (its host died with its disks) again from its template, same name and address",
  "• `/vm reset-password NAME` — a new password, shown only to you",
  "• `/vm open NAME 8080 [protocol=udp]` — open a port to the company network",
  "• `/vm console NAME [serial]` — a one-time link to its screen (or serial console), shown only to you",
  "• `/vm templates` · `/vm offerings` · `/vm quota`",
  "• `/vm help` — this list",
].join("\n");
