import { readFileSync } from "node:fs";
import type { TDirectoryView } from "@carve/core";
import type { Command } from "commander";
import { table, type TOutput } from "../output.ts";
import { withClient } from "../session.ts";
import { readSecret } from "./read-secret.ts";

interface TSetOptions {
  preset?: string;
  settingsFile?: string;
  url?: string;
  startTls?: boolean;
  caFile?: string;
  allowInsecure?: boolean;
  bindDn?: string;
  bindPasswordStdin?: boolean;
  userBase?: string;
  userFilter?: string;
  loginAttr?: string[];
  userDnTemplate?: string;
  emailAttr?: string;
  nameAttr?: string;
  disabledFilter?: string;
  groupMode?: string;
  groupBase?: string;
  groupFilter?: string;
  memberAttr?: string;
  nested?: string;
  enabled?: boolean;
}

const list = (value: string, previous: string[] = []) => [...previous, value];
const PRESETS: Record<string, "openldap" | "activeDirectory"> = { openldap: "openldap", ad: "activeDirectory", activedirectory: "activeDirectory" };

/** The settings the options name; the rest stays as saved (or as the preset has it). */
function settingsFrom(o: TSetOptions): Record<string, unknown> {
  const file = o.settingsFile ? (JSON.parse(readFileSync(o.settingsFile, "utf8")) as Record<string, unknown>) : {};
  const groups = Object.fromEntries(
    Object.entries({ mode: o.groupMode, base: o.groupBase, filter: o.groupFilter, memberAttribute: o.memberAttr, nested: o.nested }).filter(([, v]) => v !== undefined),
  );
  const flat = {
    url: o.url, startTls: o.startTls, allowInsecure: o.allowInsecure, bindDn: o.bindDn, userBase: o.userBase, userFilter: o.userFilter,
    loginAttributes: o.loginAttr, userDnTemplate: o.userDnTemplate, emailAttribute: o.emailAttr, displayNameAttribute: o.nameAttr,
    disabledFilter: o.disabledFilter, enabled: o.enabled, caPem: o.caFile ? readFileSync(o.caFile, "utf8") : undefined,
  };
  return { ...file, ...Object.fromEntries(Object.entries(flat).filter(([, v]) => v !== undefined)), ...(Object.keys(groups).length ? { groups: { ...(file["groups"] as object), ...groups } } : {}) };
}

function showView(view: TDirectoryView): string[] {
  if (!view.config) return ["no directory configured: 'carve directory set --preset openldap --url ldaps://… --bind-dn … --bind-password-stdin --user-base …'"];
  const { caPem, groupMappings, ...rest } = view.config;
  return [
    ...Object.entries({ ...rest, caPem: caPem ? "(set)" : "(system CAs)", bindPassword: view.bindPasswordSet ? "(set, encrypted)" : "(none)" }).map(([k, v]) => `${k}: ${typeof v === "object" ? JSON.stringify(v) : String(v)}`),
    `groupMappings: ${groupMappings.length ? groupMappings.map((m) => `${m.group}→${[m.role, m.team ? "team" : ""].filter(Boolean).join("+")}`).join("; ") : "(none)"}`,
  ];
}

/** `carve directory …` and `carve group …`: LDAP settings, test, sync, and group → role/team mapping. */
export function registerDirectoryCommands(program: Command, out: () => TOutput): void {
  const directory = program.command("directory").description("the company directory (LDAP / Active Directory)");

  directory.command("show").description("the directory settings (never the password)").action(async () =>
    withClient(async (client) => {
      const view = await client.getDirectory();
      out().result(view, () => showView(view));
    }),
  );

  directory.command("set").description("change the directory settings; options not given keep their saved value")
    .option("--preset <preset>", "start from the openldap or ad defaults")
    .option("--settings-file <file>", "JSON with any settings, e.g. groupMappings")
    .option("--url <url>", "ldaps://host[:port] (or ldap:// with --start-tls)")
    .option("--start-tls", "upgrade ldap:// with StartTLS")
    .option("--ca-file <file>", "PEM of the CA that signed the server's certificate")
    .option("--allow-insecure", "allow plain ldap:// without TLS (passwords in the clear: trusted networks only)")
    .option("--bind-dn <dn>", "the service account's DN")
    .option("--bind-password-stdin", "read the service account's password from standard input")
    .option("--user-base <dn>", "where users are")
    .option("--user-filter <filter>", "which entries are Carve users")
    .option("--login-attr <attr>", "attribute users sign in with (repeat; the first is the Carve username)", list)
    .option("--user-dn-template <template>", "bind directly as e.g. uid={username},ou=People,dc=example,dc=org")
    .option("--email-attr <attr>", "email attribute")
    .option("--name-attr <attr>", "display name attribute")
    .option("--disabled-filter <filter>", "entries matching this are disabled")
    .option("--group-mode <mode>", "memberOf or search")
    .option("--group-base <dn>", "where groups are")
    .option("--group-filter <filter>", "which entries are groups")
    .option("--member-attr <attr>", "the groups' member attribute")
    .option("--nested <how>", "none, recursive or inChain")
    .option("--disable", "switch directory sign-in off (settings kept)")
    .option("--enable", "switch directory sign-in on")
    .action(async (o: TSetOptions & { disable?: boolean; enable?: boolean }) =>
      withClient(async (client) => {
        const bindPassword = o.bindPasswordStdin ? await readSecret("Service account password") : undefined;
        const enabled = o.disable ? false : o.enable ? true : undefined;
        const preset = o.preset ? (PRESETS[o.preset.toLowerCase()] ?? o.preset) : undefined;
        const view = await client.configureDirectory({ preset, bindPassword, settings: settingsFrom({ ...o, enabled }) });
        out().result(view, () => ["directory settings saved", ...showView(view)]);
      }),
    );

  directory.command("test").description("connect, bind as the service account and count the users a sync would see").action(async () =>
    withClient(async (client) => {
      const result = await client.checkDirectory();
      out().result(result, () => [`${result.url}: connected and bound in ${result.ms} ms; ${result.users} users`]);
    }),
  );

  directory.command("sync").description("sync users and groups now; disables users gone from the directory").action(async () =>
    withClient(async (client) => {
      const r = await client.syncDirectory();
      out().result(r, () => [
        `${r.directoryUsers} directory users: ${r.created.length} created, ${r.updated} updated, ${r.reenabled.length} re-enabled, ${r.disabled.length} disabled (${r.durationMs} ms)`,
        ...(r.warning ? [`warning: ${r.warning}`] : []),
        ...(r.conflicts.length ? [`left alone (names of local accounts): ${r.conflicts.join(", ")}`] : []),
        ...r.disabled.map((d) => `disabled ${d.username}${d.vms.length ? `; their VMs: ${d.vms.map((v) => `${v.name} (${v.state})`).join(", ")}` : ""}`),
      ]);
    }),
  );

  const group = program.command("group").description("groups and teams, and the roles they give");
  group.command("list").description("groups with their role, team flag and members").action(async () =>
    withClient(async (client) => {
      const groups = await client.listGroups();
      out().result(groups, () => table(["NAME", "ROLE", "TEAM", "MEMBERS", "DN"], groups.map((g) => [g.name, g.role, g.isTeam ? "yes" : "no", g.members, g.ldapDn])));
    }),
  );
  group.command("map <group>").description("map a group (name or DN) to a role and/or make it a team")
    .option("--role <role>", "admin, user or none")
    .option("--team", "the group is a team")
    .option("--no-team", "the group is not a team")
    .action(async (ref: string, o: { role?: string; team?: boolean }) =>
      withClient(async (client) => {
        const role = o.role === undefined ? undefined : o.role.toLowerCase() === "none" ? null : o.role.toLowerCase() === "admin" ? "Admin" : o.role.toLowerCase() === "user" ? "User" : o.role;
        const g = await client.mapGroup({ group: ref, role, team: o.team });
        out().result(g, () => [`group ${g.name}: role ${g.role ?? "none"}, ${g.isTeam ? "a team" : "not a team"}`]);
      }),
    );
}
