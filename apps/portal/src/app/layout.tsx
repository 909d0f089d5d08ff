import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { optionalActor } from "../server/page-actor.ts";
import { SignOutButton } from "./sign-out-button.tsx";
import "./globals.css";

// Every page depends on who is signed in, and the settings exist only at run time.
export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Carve", description: "Self-service developer VMs" };

export default async function RootLayout({ children }: { children: ReactNode }) {
  const actor = await optionalActor();
  return (
    <html lang="en">
      <body>
        <header className="top">
          <Link href="/vms" className="brand">Carve</Link>
          {actor && (
            <nav aria-label="Main">
              <Link href="/vms">My VMs</Link>
              <Link href="/vms/new">Create VM</Link>
              <Link href="/security-groups">Security groups</Link>
              <Link href="/usage">Usage</Link>
              <Link href="/account">Account</Link>
              {actor.role === "Admin" && <Link href="/admin/hosts">Admin</Link>}
            </nav>
          )}
          {actor && (
            <div className="who">
              <span>{actor.username}</span>
              <SignOutButton />
            </div>
          )}
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}
