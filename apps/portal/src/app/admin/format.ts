/** Shared display helpers for the admin pages. */
export const when = (date: Date | null | undefined): string => (date ? `${date.toISOString().replace("T", " ").slice(0, 16)} UTC` : "never");

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"];

/** Bytes as people read them (1 decimal past KiB). */
export function bytes(value: bigint | number): string {
  let n = Number(value);
  let unit = 0;
  while (n >= 1024 && unit < UNITS.length - 1) {
    n /= 1024;
    unit++;
  }
  return `${unit === 0 ? n : n.toFixed(1)} ${UNITS[unit]}`;
}

/** Bytes in GiB with one decimal, for capacity bars. */
export const gib = (value: bigint | number): number => Math.round((Number(value) / 1024 ** 3) * 10) / 10;
