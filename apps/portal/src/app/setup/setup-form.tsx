"use client";

import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { ActionForm } from "../../components/action-form.tsx";
import { setupFromForm } from "./actions.ts";

/** First-run form: creates the local administrator, then signs them in and opens the admin pages. */
export function SetupForm() {
  const router = useRouter();
  const signInAsNewAdmin = async (form: FormData): Promise<"keep"> => {
    const signedIn = await signIn("credentials", { redirect: false, username: String(form.get("username") ?? ""), password: String(form.get("password") ?? "") });
    router.replace(signedIn?.ok && !signedIn.error ? "/admin/hosts" : "/signin");
    router.refresh();
    return "keep";
  };
  return (
    <ActionForm
      id="setup"
      title="Create the administrator"
      submit="Create administrator"
      action={setupFromForm}
      onSuccess={signInAsNewAdmin}
      fields={[
        { name: "token", label: "Setup token", type: "password", hint: "Printed once by Carve on first start ('carve admin setup-token' on the management server prints a new one)." },
        { name: "username", label: "Administrator username", autoComplete: "username" },
        { name: "displayName", label: "Display name (optional)", autoComplete: "name" },
        { name: "password", label: "Password", type: "password", autoComplete: "new-password" },
        { name: "confirm", label: "Password again", type: "password", autoComplete: "new-password" },
      ]}
    />
  );
}
