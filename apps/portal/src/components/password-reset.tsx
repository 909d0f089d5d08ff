"use client";

import { useEffect, useState, useTransition } from "react";
import { resetPasswordAction, revealPasswordAction } from "../app/vms/actions.ts";

type TStage = { kind: "idle" } | { kind: "waiting"; revealId: string } | { kind: "shown"; user: string; password: string };

/**
 * "Reset password" for a running VM: asks core for a new generated password, polls until its job
 * has succeeded and shows the password once. It lives only in this component's state: a reload
 * (or a second view) does not show it again, because core deletes it on its first reveal.
 */
export function PasswordReset({ vm }: { vm: { id: string; name: string } }) {
  const [pending, startTransition] = useTransition();
  const [stage, setStage] = useState<TStage>({ kind: "idle" });
  const [error, setError] = useState<{ code: string | null; message: string } | null>(null);

  useEffect(() => {
    if (stage.kind !== "waiting") return;
    let live = true;
    const timer = setInterval(() => {
      void revealPasswordAction(stage.revealId).then((result) => {
        if (!live || result.code === "PASSWORD_NOT_READY") return;
        if (result.password !== null && result.user !== null) setStage({ kind: "shown", user: result.user, password: result.password });
        else {
          setStage({ kind: "idle" });
          setError({ code: result.code, message: result.message ?? "The password could not be shown." });
        }
      });
    }, 1500);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [stage]);

  const reset = () =>
    startTransition(async () => {
      setError(null);
      const result = await resetPasswordAction(vm.id);
      if (result.revealId) setStage({ kind: "waiting", revealId: result.revealId });
      else setError({ code: result.code, message: result.message ?? "The password was not reset." });
    });

  return (
    <section aria-label="Password">
      <h2>Password</h2>
      {stage.kind === "shown" ? (
        <div className="reveal" role="status">
          <p><strong>New password for {stage.user}</strong> (shown once; copy it now):</p>
          <code id="vm-password">{stage.password}</code>
          <p><button type="button" onClick={() => setStage({ kind: "idle" })}>Done</button></p>
        </div>
      ) : (
        <div className="actions">
          <button type="button" disabled={pending || stage.kind === "waiting"} aria-label={`Reset password of ${vm.name}`} onClick={reset}>
            {stage.kind === "waiting" ? "Setting the new password…" : "Reset password"}
          </button>
        </div>
      )}
      {error && <p className="alert" role="alert" data-code={error.code}>{error.message}</p>}
    </section>
  );
}
