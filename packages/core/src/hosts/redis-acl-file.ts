import { JOIN_REDIS_USER } from "@carve/protocol";
import { sha256 } from "../identity/api-key-format.ts";
import { joinAclRules } from "./host-redis-acl.ts";

/** The Redis user of the control plane (controller, portal, Slack bot, CLI) in an ACL file Carve writes. */
export const CONTROL_REDIS_USER = "carve";

/**
 * The ACL file of a Redis that Carve runs itself (npm start's, the security tests'): `default`
 * off, the control plane's user, and the join user (joinAclRules). Passwords are stored as their
 * sha256 only. Per-host users are not in it: the controller creates them (ACL SETUSER) and puts
 * them back after a restart (syncHostAclUsers).
 */
export function redisAclFile(prefix: string, passwords: { control: string; join: string }): string {
  const hash = (password: string) => `#${sha256(password)}`;
  return [
    "user default off resetkeys resetchannels -@all",
    `user ${CONTROL_REDIS_USER} on ${hash(passwords.control)} ~* &* +@all`,
    `user ${JOIN_REDIS_USER} on ${hash(passwords.join)} ${joinAclRules(prefix).join(" ")}`,
    "",
  ].join("\n");
}

/** redis://USER:PASSWORD@HOST:PORT, the credentials percent-encoded. */
export function redisUrlWith(address: string, user: string, password: string): string {
  const url = new URL(address);
  url.username = encodeURIComponent(user);
  url.password = encodeURIComponent(password);
  return url.toString().replace(/\/$/, "");
}
