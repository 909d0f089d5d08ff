"use client";

import { useEffect, useRef, useState } from "react";

type TCopyState = "idle" | "copied" | "selected";

/**
 * A line of text to paste elsewhere (a VM's connect command) with a Copy button. The button writes
 * it to the clipboard and says "Copied"; where the browser gives no clipboard (a page served over
 * plain http from another machine) or refuses, it selects the text instead and says how to copy it.
 */
export function CopyLine({ id, text, label }: { id: string; text: string; label: string }) {
  const code = useRef<HTMLElement>(null);
  const [state, setState] = useState<TCopyState>("idle");

  // "Copied" is a moment's confirmation, not a lasting state.
  useEffect(() => {
    if (state !== "copied") return;
    const timer = setTimeout(() => setState("idle"), 2000);
    return () => clearTimeout(timer);
  }, [state]);

  const select = () => {
    const selection = window.getSelection();
    if (code.current && selection) selection.selectAllChildren(code.current);
    setState("selected");
  };
  const copy = () => {
    if (!navigator.clipboard) return select();
    navigator.clipboard.writeText(text).then(() => setState("copied"), select);
  };

  return (
    <div className="copy-line">
      <code id={id} ref={code}>{text}</code>
      <button type="button" onClick={copy} aria-label={label} aria-describedby={`${id}-status`}>{state === "copied" ? "Copied" : "Copy"}</button>
      <span id={`${id}-status`} role="status" className="muted small">
        {state === "copied" ? "Copied to the clipboard." : state === "selected" ? "Selected: press Ctrl+C (⌘C) to copy." : ""}
      </span>
    </div>
  );
}
