import Link from "next/link";
import type { ReactNode } from "react";
import { adminActor } from "../../server/admin-actor.ts";

const SECTIONS = [
  ["/admin/hosts", "Hosts"],
  ["/admin/pools", "Storage pools"],
  ["/admin/networks", "Networks"],
  ["/admin/templates", "Templates"],
  ["/admin/offerings", "Offerings"],
  ["/admin/users", "Users & teams"],
  ["/admin/jobs", "Jobs"],
  ["/admin/drift", "Drift"],
] as const;

/** Every admin page: checked on the server before anything renders (403 for non-admins), with the admin sections. */
export default async function AdminLayout({ children }: { children: ReactNode }) {
  await adminActor();
  return (
    <div className="admin">
      <nav aria-label="Admin" className="subnav">
        {SECTIONS.map(([href, label]) => <Link key={href} href={href}>{label}</Link>)}
      </nav>
      {children}
    </div>
  );
}
