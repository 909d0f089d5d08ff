import { awaitsFirstAdmin } from "@carve/core";
import Link from "next/link";
import { redirect } from "next/navigation";
import { portalCore } from "../../server/core.ts";
import { optionalActor } from "../../server/page-actor.ts";
import { SignInForm } from "./sign-in-form.tsx";

export default async function SignInPage() {
  if (await optionalActor()) redirect("/vms");
  // First run: nobody can sign in as an administrator yet, so point at the setup page.
  const firstRun = await awaitsFirstAdmin(portalCore());
  return (
    <div className="signin panel">
      <h1>Sign in to Carve</h1>
      <p className="muted">Use your company directory account, or a local Carve account.</p>
      <SignInForm />
      {firstRun && <p className="notice">First run? <Link href="/setup">Create the administrator account</Link> with the setup token Carve printed.</p>}
    </div>
  );
}
