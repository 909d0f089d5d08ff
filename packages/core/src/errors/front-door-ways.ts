/**
 * Messages tell users where to look things up ("see the templates with …"); each front door has
 * its own way, so a message names the thing with {@link way} and each door renders it from this
 * table (CarveError#forDoor), never a CLI command in a Slack reply.
 */
export const FRONT_DOORS = ["cli", "api", "slack", "portal"] as const;
export type TFrontDoor = (typeof FRONT_DOORS)[number];

/** Each lookup, said the way each front door does it. */
const WAYS = {
  templates: { cli: "'carve template list'", api: "GET /api/v1/templates", slack: "`/vm templates`", portal: "the template choices of the New VM page" },
  offerings: { cli: "'carve offering list'", api: "GET /api/v1/offerings", slack: "`/vm offerings`", portal: "the offering choices of the New VM page" },
  diskOfferings: { cli: "'carve disk-offering list'", api: "GET /api/v1/disk-offerings", slack: "the data disk choices of the portal's New VM page", portal: "the data disk choices of the New VM page" },
  vms: { cli: "'carve vm list'", api: "GET /api/v1/vms", slack: "`/vm list`", portal: "the VMs page" },
  sshKeys: { cli: "'carve sshkey list'", api: "GET /api/v1/ssh-keys", slack: "the portal's Account page", portal: "your Account page" },
  volumes: { cli: "'carve volume list'", api: "GET /api/v1/volumes", slack: "the portal's VM pages", portal: "the VM's page" },
} as const satisfies Record<string, Record<TFrontDoor, string>>;
export type TWay = keyof typeof WAYS;

const MARK = /⟦way:([A-Za-z]+)⟧/g;

/** A lookup inside a message or field message: rendered as the front door's own way of doing it. */
export const way = (name: TWay): string => `⟦way:${name}⟧`;

/** `text` with each {@link way} as `door` says it. */
export function renderWays(text: string, door: TFrontDoor): string {
  return text.replace(MARK, (marked, name: string) => (Object.hasOwn(WAYS, name) ? WAYS[name as TWay][door] : marked));
}

/** The request header a client of the REST API names its front door in (`carve-front-door: cli`: the remote CLI). */
export const FRONT_DOOR_HEADER = "carve-front-door";

/** The door a request names (the remote CLI says it is the CLI), else `fallback`. */
export function frontDoorOf(named: string | null | undefined, fallback: TFrontDoor): TFrontDoor {
  return FRONT_DOORS.find((door) => door === named) ?? fallback;
}
