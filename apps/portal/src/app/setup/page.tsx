import { awaitsFirstAdmin } from "@carve/core";
import { notFound } from "next/navigation";
import { portalCore } from "../../server/core.ts";
import { SetupForm } from "./setup-form.tsx";

/** First run only: while no administrator can sign in; afterwards this page does not exist (404). */
export default async function SetupPage() {
  if (!(await awaitsFirstAdmin(portalCore()))) notFound();
  return (
    <div className="signin panel">
      <h1>Set up Carve</h1>
      <p className="muted">Carve has no administrator yet. Create the first one, a local account, with the one-time setup token Carve printed when it first started.</p>
      <SetupForm />
    </div>
  );
}
