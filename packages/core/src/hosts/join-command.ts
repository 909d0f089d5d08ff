/**
 * The command a host's administrator runs on the host to join it. `joinRedisUrl`
 * (CARVE_AGENT_REDIS_URL) is the address hosts use with the join user's credentials
 * (redis://carve-join:PASSWORD@mgmt:6379): that user can only hand in a join request and pick up
 * its sealed reply, so it is printed. Without it, `redisUrl` is printed without any credentials:
 * the control plane's own Redis password is never shown. The token goes in CARVE_JOIN_TOKEN, not
 * on the command line: another user of the host could read it in the process list and join first.
 */
export function joinCommand(token: string, uri: string, options: { redisUrl: string; joinRedisUrl?: string | undefined; queuePrefix: string }): string {
  const url = new URL(options.joinRedisUrl ?? options.redisUrl);
  if (!options.joinRedisUrl) {
    url.username = "";
    url.password = "";
  }
  const prefix = options.queuePrefix === "bull" ? "" : ` --prefix ${shellWord(options.queuePrefix)}`;
  return `CARVE_JOIN_TOKEN=${shellWord(token)} carve-agent join --redis ${shellWord(url.toString().replace(/\/$/, ""))} --uri ${shellWord(uri)}${prefix}`;
}

/**
 * A word pasted into a shell as it is: plain words stay readable, others go in single quotes (a
 * URI's `?` is a glob, its `&` would end the command).
 */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
