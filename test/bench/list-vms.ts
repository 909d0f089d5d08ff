import { listVms, type CoreDeps, type TActor } from "@carve/core";
import { FakeJobQueues } from "@carve/core/testing";
import { pino } from "pino";
import type { TScaleDb } from "./scale-db.ts";
import { summarize, timeEach, type TSummary } from "./stats.ts";

export interface TListCase {
  label: string;
  /** A few words for the summary. */
  short: string;
  latency: TSummary;
  items: number;
}

/**
 * core's listVms as the portal, CLI and REST API call it (default page size), for an admin (every
 * VM) and for the user `heavy`, on the first page and on a deep page reached by cursor.
 */
export async function measureListVms(scale: TScaleDb, options: { calls: number; heavyUserVms: number }): Promise<TListCase[]> {
  const deps: CoreDeps = { db: scale.db, queues: new FakeJobQueues(), log: pino({ level: "silent" }), now: () => new Date() };
  const admin = await scale.actor("admin");
  const heavy = await scale.actor("heavy");
  const total = await scale.db.vm.count({ where: { state: { not: "Destroyed" } } });

  // The cursor a client would hold after paging that far: the id of the row just before the page.
  const cursorAt = async (ownerId: string | null, offset: number): Promise<string> => {
    const rows = await scale.db.vm.findMany({
      where: { state: { not: "Destroyed" }, ...(ownerId ? { ownerId } : {}) },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      skip: offset - 1,
      take: 1,
      select: { id: true },
    });
    const id = rows[0]?.id;
    if (!id) throw new Error(`no VM at offset ${offset}`);
    return id;
  };
  const deepAdmin = Math.floor(total / 2);
  const deepUser = Math.floor(options.heavyUserVms * 0.75);
  const cases: { label: string; short: string; actor: TActor; input: Record<string, unknown> }[] = [
    { label: `admin, first page (of ${total.toLocaleString("en")} VMs)`, short: "admin, first page", actor: admin, input: {} },
    { label: `admin, deep page (cursor at VM ${deepAdmin.toLocaleString("en")})`, short: "admin, deep page", actor: admin, input: { cursor: await cursorAt(null, deepAdmin) } },
    { label: `user with ${options.heavyUserVms.toLocaleString("en")} VMs, first page`, short: "user, first page", actor: heavy, input: {} },
    { label: `same user, deep page (cursor at VM ${deepUser.toLocaleString("en")})`, short: "user, deep page", actor: heavy, input: { cursor: await cursorAt(heavy.userId, deepUser) } },
  ];
  const results: TListCase[] = [];
  for (const c of cases) {
    let items = 0;
    const call = async () => {
      items = (await listVms(deps, c.actor, c.input)).items.length;
    };
    await timeEach(10, 1, call); // warm-up
    results.push({ label: c.label, short: c.short, latency: summarize(await timeEach(options.calls, 1, call)), items });
  }
  return results;
}
