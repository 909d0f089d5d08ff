/**
 * The command a host's administrator runs on the host to join it. The Redis URL is printed
 * without any credentials (those are never shown); `redisUrl` is the address hosts' agents use.
 */
export function joinCommand(token: string, uri: string, options: { redisUrl: string; queuePrefix: string }): string {
  const url = new URL(options.redisUrl);
  url.username = "";
  url.password = "";
  const prefix = options.queuePrefix === "bull" ? "" : ` --prefix ${options.queuePrefix}`;
  return `carve-agent join --token ${token} --redis ${url.toString().replace(/\/$/, "")} --uri ${uri}${prefix}`;
}
