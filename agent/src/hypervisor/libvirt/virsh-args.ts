/**
 * The only words the agent ever writes to its interactive virsh session. virsh's own parser treats
 * whitespace, quotes, backslashes, `;`, `#`, `=` and newlines as syntax, so every word must match
 * one of these patterns, none of which admits any of those characters: no payload string can add
 * an argument, a second command or a comment.
 */

/**
 * virsh commands the storage and guest adapters may run. `echo` only ever writes the session's own
 * marks; `create` and `destroy` only mirror a domain into the session's own node on the test driver
 * (see virsh-guest.ts).
 */
export const VIRSH_COMMANDS: ReadonlySet<string> = new Set([
  "attach-device",
  "blockresize",
  "create",
  "detach-device",
  // networks (issue 17): learned addresses
  "domifaddr",
  "destroy",
  "echo",
  "nwfilter-define",
  "nwfilter-list",
  "nwfilter-undefine",
  // networks (issue 17)
  "net-autostart",
  "net-define",
  "net-destroy",
  "net-dumpxml",
  "net-info",
  "net-list",
  "net-start",
  "net-undefine",
  "net-update",
  "pool-autostart",
  "pool-build",
  "pool-define-as",
  "pool-dumpxml",
  "pool-info",
  "pool-list",
  "pool-refresh",
  "pool-start",
  "set-user-password",
  "vol-create-as",
  "vol-delete",
  "vol-info",
  "vol-list",
  "vol-path",
  "vol-resize",
  "vol-upload",
]);

/** `--format`, `--backing-vol-format`: lower-case option names. */
const OPTION = /^--[a-z][a-z0-9-]{0,40}$/;
/** Pool and volume names, ids, sizes (`10G`), formats: the protocol's libvirt name pattern. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,199}$/;
/**
 * Absolute paths made of name-like segments. A segment cannot start with a dot, so `.` and `..`
 * (and hidden files) are out; no empty segment, no trailing slash.
 */
const ABSOLUTE_PATH = /^(?:\/[A-Za-z0-9_+-][A-Za-z0-9._+-]{0,254}){1,32}$/;

/** Thrown before anything reaches virsh when a word falls outside the whitelist. */
export class VirshArgumentError extends Error {
  constructor(
    readonly word: string,
    reason: string,
  ) {
    super(`refusing to pass ${JSON.stringify(word)} to virsh: ${reason}`);
    this.name = "VirshArgumentError";
  }
}

/** True when `word` may be written to the virsh session as an argument. */
export function isSafeVirshArgument(word: string): boolean {
  return OPTION.test(word) || NAME.test(word) || ABSOLUTE_PATH.test(word);
}

/**
 * Checks a whole command line (command name first) and returns it joined with single spaces, the
 * only form in which it may be written to virsh's stdin.
 * @throws VirshArgumentError naming the first word that is not allowed.
 */
export function toVirshCommandLine(argv: readonly string[]): string {
  const [command, ...args] = argv;
  if (command === undefined) throw new VirshArgumentError("", "empty command");
  if (!VIRSH_COMMANDS.has(command)) throw new VirshArgumentError(command, "not an allowed virsh command");
  for (const word of args) {
    if (!isSafeVirshArgument(word)) {
      throw new VirshArgumentError(
        word,
        "only option names, libvirt names (letters, digits, . _ + -) and plain absolute paths are allowed",
      );
    }
  }
  return argv.join(" ");
}
