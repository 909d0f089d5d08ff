import { deleteSecurityGroup, getSecurityGroup } from "@carve/core";
import { toSecurityGroupJson } from "../../../../../api/security-group-schemas.ts";
import { apiRoute, otherMethods } from "../../../../../server/api-route.ts";

/** One of your security groups (admins: any) by name or id, with its rules and VMs. */
export const GET = apiRoute<{ group: string }>("Read", async ({ actor, core, params }) => toSecurityGroupJson(await getSecurityGroup(core, actor, { group: params.group })));

/** Deletes a security group no VM is in and no other group's rule names; answers with it. */
export const DELETE = apiRoute<{ group: string }>("Write", async ({ actor, core, params }) => deleteSecurityGroup(core, actor, { group: params.group }));

export const { POST, PUT, PATCH } = otherMethods("GET", "DELETE");
