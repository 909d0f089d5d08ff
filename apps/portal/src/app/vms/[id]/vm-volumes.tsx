"use client";

import { useRouter } from "next/navigation";
import { useEffect, useRef, useState, useTransition } from "react";
import type { TVmJson } from "../../../api/schemas.ts";
import { attachVolumeAction, detachVolumeAction } from "../actions.ts";

/** A detached data volume of the user that could be attached here. */
export interface TAttachable {
  id: string;
  name: string;
  sizeGiB: number;
  pool: string;
}

/**
 * The VM's volumes (root and data) with Detach for attached data volumes, and Attach for the user's
 * detached ones; core refuses what cannot be done (e.g. a volume on another host) and says why.
 */
export function VmVolumes({ vm, attachable, onDone }: { vm: TVmJson; attachable: TAttachable[]; onDone: () => void }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<{ code: string | null; message: string } | null>(null);
  const [chosen, setChosen] = useState("");
  const busy = pending || vm.activeJobId !== null;
  // When the VM's volumes change (a detach or attach finished), the list of attachable ones is re-read.
  const volumesKey = vm.volumes.map((v) => `${v.id}:${v.state}`).join(",");
  const shownKey = useRef(volumesKey);
  useEffect(() => {
    if (shownKey.current === volumesKey) return;
    shownKey.current = volumesKey;
    router.refresh();
  }, [volumesKey, router]);

  const run = (action: () => Promise<{ code: string | null; message: string | null }>) =>
    startTransition(async () => {
      const result = await action();
      setError(result.message ? { code: result.code, message: result.message } : null);
      setChosen("");
      onDone();
      router.refresh();
    });

  return (
    <section aria-labelledby="volumes-heading">
      <h2 id="volumes-heading">Volumes</h2>
      <table aria-label="Volumes">
        <thead><tr><th scope="col">Name</th><th scope="col">Kind</th><th scope="col">Size</th><th scope="col">Pool</th><th scope="col">State</th><th scope="col"><span className="muted">Actions</span></th></tr></thead>
        <tbody>
          {vm.volumes.map((v) => (
            <tr key={v.id} data-volume={v.name}>
              <td>{v.name}</td><td>{v.kind}</td><td>{v.sizeGiB} GiB</td><td>{v.pool.name}</td><td>{v.state}</td>
              <td>
                {v.kind === "Data" && v.state === "Attached" && (
                  <button type="button" disabled={busy} aria-label={`Detach ${v.name}`} onClick={() => run(() => detachVolumeAction(v.id))}>Detach</button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {attachable.length > 0 && (
        <div className="actions attach">
          <label htmlFor="attach-volume">Attach a volume</label>
          <select id="attach-volume" value={chosen} onChange={(e) => setChosen(e.target.value)}>
            <option value="">Choose one of your volumes</option>
            {attachable.map((v) => <option key={v.id} value={v.id}>{v.name} ({v.sizeGiB} GiB, {v.pool})</option>)}
          </select>
          <button type="button" disabled={busy || chosen === ""} onClick={() => run(() => attachVolumeAction(vm.id, chosen))}>Attach</button>
        </div>
      )}
      {error && <p className="alert" role="alert" data-code={error.code}>{error.message}</p>}
    </section>
  );
}
