import { z } from "zod";
import { Batcher, batcherOf, sharedLoad, type TBatchOutcome } from "../batching/batcher.ts";
import { databaseBusy, isTransactionStartTimeout } from "../errors/database-busy.ts";
import { isCarveError } from "../errors/index.ts";
import { requireUser, type TActor, type TUserActor } from "../identity/actor.ts";
import type { TIdentityDeps } from "../identity/identity-options.ts";
import { dispatchJob } from "../jobs/dispatch-job.ts";
import { AddressBook } from "../networks/ipam/address-book.ts";
import { vmNetworkFor } from "../networks/ipam/vm-network.ts";
import { resolveOffering } from "../offerings/resolve-offering.ts";
import { RankingMemo } from "../placement/ranking-memo.ts";
import { cachedPlacementSettings } from "../settings/placement-settings.ts";
import { resolveTemplate } from "../templates/resolve-template.ts";
import { ZDescription, ZResourceName } from "../validation/fields.ts";
import { isUniqueViolation } from "../validation/is-unique-violation.ts";
import { parseInput } from "../validation/parse-input.ts";
import { MAX_DATA_DISKS, ZDataDisk } from "./plan-data-disks.ts";
import type { TRequestKeyRecord } from "./request-keys.ts";
import { nameTaken, planCreate, recordCreate, recordTogether, writesBeforeRefusal, type TCreated, type TCreatePlan } from "./record-create.ts";
import { DefaultGroupFilters } from "../security-groups/default-group-filters.ts";
import { way } from "../errors/front-door-ways.ts";

export const ZCreateVmInput = z.strictObject({
  name: ZResourceName,
  description: ZDescription.optional(),
  /** Template name or id. */
  template: z.string({ error: `is required: choose a template (${way("templates")})` }).min(1, `is required: choose a template (${way("templates")})`).max(100),
  /** Service offering name or id. */
  offering: z.string({ error: `is required: choose an offering (${way("offerings")})` }).min(1, `is required: choose an offering (${way("offerings")})`).max(100),
  /** Names or ids of the owner's SSH keys to put into the VM (cloud-init templates only). */
  sshKeys: z.array(z.string().min(1).max(100)).max(20, "at most 20 keys").default([]),
  /** Generate a first root password, shown once through revealVmPassword (cloud-init templates only). */
  firstPassword: z.boolean().default(false),
  /** Empty data disks created and attached with the VM, each placed on a pool its disk offering allows. */
  dataDisks: z.array(ZDataDisk).max(MAX_DATA_DISKS, `at most ${MAX_DATA_DISKS} data disks`).default([]),
});
export type TCreateVmInput = z.input<typeof ZCreateVmInput>;
export type TCreateVmParsed = z.output<typeof ZCreateVmInput>;

/**
 * A burst of creates queues for the pool's connections: wait for one longer than Prisma's default
 * 2 s before answering BUSY, so a burst is served rather than refused.
 */
const CREATE_TRANSACTION = { maxWait: 15_000, timeout: 15_000 };

/**
 * Creates the batcher hands over at once: a whole burst of this size is recorded before its jobs
 * reach the agents, instead of in waves that compete with the agents' work for the CPU.
 */
const MAX_BATCH = 200;

/**
 * Creates with a savepoint of their own (see recordInOneTransaction) in one transaction at most:
 * with the savepoint of the creates written together before each, a transaction keeps below
 * PostgreSQL's 64 cached subtransactions; a batch with more is recorded in consecutive transactions.
 */
const MAX_GUARDED = 30;

/**
 * Creates a VM from a template and a service offering for the acting user: validates, places it on
 * a host (reserving capacity atomically), records VM, root volume and Job in one transaction, then
 * sends the job to the host's agent. Returns at once with the Creating VM and the job to watch.
 * Cloud-init templates get a NoCloud seed with the hostname, the chosen SSH keys and, when asked,
 * a generated first root password (`passwordReveal`: view it once with revealVmPassword).
 *
 * Creates that arrive while others are being recorded are recorded together (see recordCreates),
 * and concurrent creates read a template or offering once: under a burst this is what keeps a
 * create's cost low; alone, a create goes through at once.
 */
export async function createVm(deps: TIdentityDeps, actor: TActor, input: unknown): Promise<TCreated> {
  return createVmRecording(deps, actor, input, undefined);
}

/** createVm that records `requestKey` in the create's own transaction (createVmOnce). */
export async function createVmRecording(deps: TIdentityDeps, actor: TActor, input: unknown, requestKey: TRequestKeyRecord | undefined): Promise<TCreated> {
  // Planned here (reads only), while an earlier batch may still be recording: only the writes queue.
  const plan: TCreatePlan = { ...(await planCreateInput(deps, requireUser(actor), input)), ...(requestKey ? { requestKey } : {}) };
  const batcher = batcherOf(deps.db, "create-vm", () => new Batcher(recordCreates, { maxBatch: MAX_BATCH }));
  const created = await batcher.submit({ deps, plan });
  // A create waiting for its template's copy (issue 19) has no host yet: its copy is what goes now.
  await dispatchJob(deps, created.copyJob ?? created.job);
  return created;
}

/**
 * A create request validated and planned (reads only): template and offering are read once for
 * concurrent creates that name them (sharedLoad). Exported for tests that record planned creates in
 * a batch of a set order (recordCreates).
 */
export async function planCreateInput(deps: TIdentityDeps, owner: TUserActor, input: unknown): Promise<TCreatePlan> {
  const data = parseInput(ZCreateVmInput, input);
  const [template, offering, settings] = await Promise.all([
    sharedLoad(deps.db, `template:${data.template}`, () => resolveTemplate(deps.db, data.template)),
    sharedLoad(deps.db, `offering:${data.offering}`, () => resolveOffering(deps.db, data.offering)),
    cachedPlacementSettings(deps),
  ]);
  const network = await sharedLoad(deps.db, `vm-network:${offering.networkId ?? "default"}`, () => vmNetworkFor(deps.db, offering));
  return planCreate(deps, owner, data, { template, offering, settings, network });
}

/** A planned create, with its caller's deps (its clock, its log): batches share only the database. */
export type TQueuedCreate = { deps: TIdentityDeps; plan: TCreatePlan };

/**
 * Records a batch of planned creates, in order, in one transaction (or one per part: see
 * transactionsOf). Exported for tests that need a batch in a set order (createVm's batches form as
 * requests arrive).
 */
export async function recordCreates(queued: TQueuedCreate[]): Promise<TBatchOutcome<TCreated>[]> {
  const outcomes: TBatchOutcome<TCreated>[] = [];
  for (const part of transactionsOf(queued)) outcomes.push(...(await recordPart(part)));
  return outcomes;
}

/** The batch in consecutive parts of at most MAX_GUARDED creates that need a savepoint each, in order. Exported for its test. */
export function transactionsOf(queued: TQueuedCreate[]): TQueuedCreate[][] {
  const parts: TQueuedCreate[][] = [[]];
  let guarded = 0;
  for (const item of queued) {
    if (writesBeforeRefusal(item.plan) && ++guarded > MAX_GUARDED) {
      parts.push([]);
      guarded = 1;
    }
    parts[parts.length - 1]?.push(item);
  }
  return parts.filter((part) => part.length > 0);
}

/**
 * Records creates in ONE transaction, so that one's refusal (quota, capacity, a name taken) touches
 * only its own part and answers only its caller. When the database could not take them in time,
 * every one is answered BUSY (nothing was written). Any other failure of the transaction (a name
 * another process took meanwhile, a deadlock with another process's batch) retries each create
 * alone, in the order they came, so no request fails for another's sake.
 */
async function recordPart(queued: TQueuedCreate[]): Promise<TBatchOutcome<TCreated>[]> {
  try {
    return await recordInOneTransaction(queued);
  } catch (error) {
    const first = queued[0];
    if (queued.length === 1 || isTransactionStartTimeout(error) || !first) return queued.map(({ plan }) => ({ ok: false, error: createFailure(error, plan) }));
    first.deps.log.warn({ creates: queued.length, err: error }, "a batch of creates failed as a whole; recording them one by one");
    // One after another, in the order they came: the earlier request gets the last quota or capacity.
    const outcomes: TBatchOutcome<TCreated>[] = [];
    for (const item of queued) {
      outcomes.push(
        await recordInOneTransaction([item]).then(
          (o) => o[0] ?? { ok: false, error: new Error("not recorded") },
          (e: unknown) => ({ ok: false, error: createFailure(e, item.plan) }),
        ),
      );
    }
    return outcomes;
  }
}

/**
 * The creates recorded in one transaction, sharing what they can (TBatchContext); each one's refusal
 * answers only its caller. Plain creates of owners known to have no quota wait to be written together
 * (recordTogether); any other create first has those written, so requests keep their order.
 */
async function recordInOneTransaction(queued: TQueuedCreate[]): Promise<TBatchOutcome<TCreated>[]> {
  const db = queued[0]?.deps.db;
  if (!db) return [];
  return db.$transaction(async (tx) => {
    const only = queued.length === 1 ? queued[0] : undefined;
    if (only) return [{ ok: true, value: await recordCreate(tx, only.deps, only.plan) }];
    const batch = { unlimitedOwners: new Set<string>(), rankings: new RankingMemo(), addresses: new AddressBook(tx), securityGroups: new DefaultGroupFilters(tx) };
    // Every network the batch allocates on, locked now in one order: batches never wait on each other in a circle.
    await batch.addresses.lock(queued.flatMap(({ plan }) => (plan.network ? [plan.network.id] : [])));
    const alone = async ({ deps, plan }: TQueuedCreate): Promise<TBatchOutcome<TCreated>> => {
      // A plain create is refused only before it writes (see recordCreate): no savepoint needed,
      // and a database error breaks the whole transaction, after which recordPart retries each
      // create alone. Not released after success: ROLLBACK TO goes back to the latest savepoint
      // of the name, and the commit releases them all (with recordTogether's, at most one per
      // create: MAX_GUARDED keeps a transaction below PostgreSQL's 64 cached subtransactions).
      const guarded = writesBeforeRefusal(plan);
      if (guarded) await tx.$executeRaw`SAVEPOINT create_vm`;
      try {
        return { ok: true, value: await recordCreate(tx, deps, plan, batch) };
      } catch (error) {
        if (guarded) {
          await tx.$executeRaw`ROLLBACK TO SAVEPOINT create_vm`;
          batch.rankings.clear(); // what it reserved was undone: the rankings no longer count it
          batch.addresses.clear(); // and so was its NIC
          batch.securityGroups.clear(); // and a default group it created
        } else if (!isCarveError(error)) throw error;
        return { ok: false, error: createFailure(error, plan) };
      }
    };
    const outcomes: TBatchOutcome<TCreated>[] = [];
    let waiting: { index: number; item: TQueuedCreate }[] = [];
    const names = new Set<string>(); // two creates of one name would fail the shared statement
    const writeWaiting = async () => {
      const results = await recordTogether(tx, waiting.map((w) => w.item), batch);
      for (const [k, { index, item }] of waiting.entries()) {
        const result = results[k];
        outcomes[index] = !result ? await alone(item) : isCarveError(result) ? { ok: false, error: result } : { ok: true, value: result };
      }
      waiting = [];
      names.clear();
    };
    for (const [index, item] of queued.entries()) {
      const { plan } = item;
      const name = JSON.stringify([plan.owner.userId, plan.data.name]);
      if (!writesBeforeRefusal(plan) && batch.unlimitedOwners.has(plan.owner.userId) && !names.has(name)) {
        names.add(name);
        waiting.push({ index, item });
        continue;
      }
      if (waiting.length > 0) await writeWaiting();
      outcomes[index] = await alone(item);
    }
    if (waiting.length > 0) await writeWaiting();
    return outcomes;
  }, CREATE_TRANSACTION);
}

/** What the caller of a create that failed reads: the user's refusal, or what went wrong. */
function createFailure(error: unknown, plan: TCreatePlan): unknown {
  // Two creates of one name: the unique index on (owner, live name) lets one through.
  if (isUniqueViolation(error)) return nameTaken(plan.data.name);
  if (isTransactionStartTimeout(error)) return databaseBusy(`create ${plan.data.name}`);
  return error;
}
