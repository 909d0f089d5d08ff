/** The hosts that see a pool, from its PoolHost rows. */
export function poolHostsIn<H>(pool: { hosts: { host: H }[] }): H[] {
  return pool.hosts.map((row) => row.host);
}
