"use client";

/** A disk offering the form offers: a fixed size, or custom (null: the user gives the size). */
export interface TDiskOfferingChoice {
  name: string;
  sizeGiB: number | null;
  /** Bounds of a custom size. */
  minSizeGiB: number | null;
  maxSizeGiB: number | null;
  /** Local (the VM's host) or Shared storage. */
  scope: string;
  description: string | null;
}

export interface TDataDisk {
  diskOffering: string;
  sizeGiB?: number;
}

/** Optional data disks for a new VM: each a disk offering, with a size when the offering is custom. */
export function DataDisks({ offerings, disks, onChange, error }: { offerings: TDiskOfferingChoice[]; disks: TDataDisk[]; onChange: (disks: TDataDisk[]) => void; error: string | null }) {
  const first = offerings[0];
  const update = (index: number, disk: TDataDisk) => onChange(disks.map((d, i) => (i === index ? disk : d)));
  const choose = (index: number, name: string) => {
    const offering = offerings.find((o) => o.name === name);
    update(index, offering?.sizeGiB === null ? { diskOffering: name, sizeGiB: offering.minSizeGiB ?? 10 } : { diskOffering: name });
  };
  return (
    <fieldset className="field choices" aria-describedby={error ? "dataDisks-error" : undefined}>
      <legend>Data disks (optional)</legend>
      {disks.map((disk, index) => {
        const offering = offerings.find((o) => o.name === disk.diskOffering);
        return (
          <div key={index} className="disk-row" data-disk={index}>
            <label htmlFor={`disk-${index}-offering`}>Disk {index + 1} offering</label>
            <select id={`disk-${index}-offering`} value={disk.diskOffering} onChange={(e) => choose(index, e.target.value)}>
              {offerings.map((o) => <option key={o.name} value={o.name}>{o.name} ({o.sizeGiB === null ? "custom size" : `${o.sizeGiB} GiB`}, {o.scope.toLowerCase()}){o.description ? ` — ${o.description}` : ""}</option>)}
            </select>
            {offering?.sizeGiB === null && (
              <>
                <label htmlFor={`disk-${index}-size`}>Disk {index + 1} size (GiB)</label>
                <input id={`disk-${index}-size`} type="number" min={offering.minSizeGiB ?? 1} max={offering.maxSizeGiB ?? undefined} value={disk.sizeGiB ?? ""} onChange={(e) => update(index, { diskOffering: disk.diskOffering, sizeGiB: Number(e.target.value) })} />
              </>
            )}
            <button type="button" aria-label={`Remove disk ${index + 1}`} onClick={() => onChange(disks.filter((_, i) => i !== index))}>Remove</button>
          </div>
        );
      })}
      {first && <div><button type="button" onClick={() => onChange([...disks, first.sizeGiB === null ? { diskOffering: first.name, sizeGiB: first.minSizeGiB ?? 10 } : { diskOffering: first.name }])}>Add a data disk</button></div>}
      {error && <span className="error" id="dataDisks-error" role="alert">Data disks {error}</span>}
    </fieldset>
  );
}
