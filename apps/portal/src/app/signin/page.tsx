import { redirect } from "next/navigation";
import { optionalActor } from "../../server/page-actor.ts";
import { SignInForm } from "./sign-in-form.tsx";

export default async function SignInPage() {
  if (await optionalActor()) redirect("/vms");
  return (
    <div className="signin panel">
      <h1>Sign in to Carve</h1>
      <p className="muted">Use your company directory account, or a local Carve account.</p>
      <SignInForm />
    </div>
  );
}
