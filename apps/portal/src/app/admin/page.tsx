import { redirect } from "next/navigation";
import { adminActor } from "../../server/admin-actor.ts";

export default async function AdminHome(): Promise<never> {
  await adminActor();
  redirect("/admin/hosts");
}
