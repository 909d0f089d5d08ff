import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { configureDirectory, operatorActor, withIdentity, type TIdentityDeps, type TIdentityOverrides } from "@carve/core";
import { createTestCore, type TTestCore } from "@carve/core/testing";
import { createTestPki, type TTestPki } from "./certs.ts";
import { AD_GROUPS_OU, AD_USERS_OU, directoryLdif, GROUPS_OU, PEOPLE_OU, SERVICE_DN, SERVICE_PASSWORD } from "./layouts.ts";
import { TestSlapd } from "./slapd.ts";

export interface TDirectoryFixture {
  slapd: TestSlapd;
  pki: TTestPki;
  /** Milliseconds: make the PKI, start slapd, seed it. */
  timings: { pkiMs: number; slapdMs: number; seedMs: number };
  stop(): Promise<void>;
}

/** A seeded throwaway slapd with LDAPS and StartTLS from a fresh test PKI. */
export async function startDirectory(): Promise<TDirectoryFixture> {
  let t = performance.now();
  const pkiDir = mkdtempSync(join(tmpdir(), "carve-pki-"));
  const pki = await createTestPki(pkiDir);
  const pkiMs = performance.now() - t;
  const slapd = await TestSlapd.start({ pki });
  t = performance.now();
  await slapd.add(directoryLdif());
  const seedMs = performance.now() - t;
  return {
    slapd,
    pki,
    timings: { pkiMs, slapdMs: slapd.startMs, seedMs },
    stop: async () => {
      await slapd.stop();
      rmSync(pkiDir, { recursive: true, force: true });
    },
  };
}

/** OpenLDAP layout over LDAPS: uid logins, memberOf groups; carve-admins → Admin, developers and team-blue are teams. */
export function openLdapSettings(fixture: TDirectoryFixture, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    url: fixture.slapd.ldapsUrl,
    caPem: fixture.pki.caPem,
    bindDn: SERVICE_DN,
    userBase: PEOPLE_OU,
    groupMappings: [
      { group: `cn=carve-admins,${GROUPS_OU}`, role: "Admin" },
      { group: "developers", team: true },
      { group: "team-blue", team: true },
    ],
    ...overrides,
  };
}

/** AD-like layout: sAMAccountName or userPrincipalName logins, memberOf followed through nested groups, userAccountControl. */
export function adSettings(fixture: TDirectoryFixture, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    url: fixture.slapd.ldapsUrl,
    caPem: fixture.pki.caPem,
    bindDn: SERVICE_DN,
    userBase: AD_USERS_OU,
    // The real AD preset's filter and in-chain rule are Microsoft's; slapd has neither.
    userFilter: "(objectClass=carveAdUser)",
    displayNameAttribute: "cn",
    groups: { nested: "recursive", base: AD_GROUPS_OU },
    groupMappings: [
      { group: `cn=Carve Admins,${AD_GROUPS_OU}`, role: "Admin" },
      { group: `cn=Engineering,${AD_GROUPS_OU}`, team: true },
    ],
    ...overrides,
  };
}

export interface TIdentityCore {
  core: TTestCore;
  deps: TIdentityDeps;
  drop(): Promise<void>;
}

/** Core on a throwaway database with identity options for tests (short floor, generous throttle unless told). */
export async function identityCore(options: TIdentityOverrides = {}): Promise<TIdentityCore> {
  const core = await createTestCore();
  const deps = withIdentity(core, {
    secretKey: randomBytes(32),
    failureFloorMs: 50,
    ldapTimeoutMs: 2_000,
    throttle: { maxFailuresPerPair: 1000, maxFailuresPerUser: 1000, maxFailuresPerAddress: 1000, windowMs: 60_000 },
    ...options,
  });
  return { core, deps, drop: () => core.drop() };
}

/** Saves directory settings as the operator, with the service account's password. */
export async function useDirectory(deps: TIdentityDeps, settings: Record<string, unknown>, preset?: "openldap" | "activeDirectory"): Promise<void> {
  await configureDirectory(deps, await operatorActor(deps), { ...(preset ? { preset } : {}), settings, bindPassword: SERVICE_PASSWORD });
}

/** What a directory test file works with: its slapd, and the identity core of the running test. */
export interface TDirectorySuite {
  readonly dir: TDirectoryFixture;
  readonly id: TIdentityCore;
}

/**
 * The hooks every directory test file needs: one slapd for the file, and for each test a fresh
 * identity core (with `options`), prepared by `prepare` when given, dropped after the test.
 */
export function useDirectorySuite(
  options: TIdentityOverrides = {},
  prepare?: (id: TIdentityCore, dir: TDirectoryFixture) => Promise<void>,
): TDirectorySuite {
  const suite = {} as { dir: TDirectoryFixture; id: TIdentityCore };
  beforeAll(async () => {
    suite.dir = await startDirectory();
  });
  afterAll(async () => {
    await suite.dir?.stop();
  });
  beforeEach(async () => {
    suite.id = await identityCore(options);
    await prepare?.(suite.id, suite.dir);
  });
  afterEach(async () => {
    await suite.id?.drop();
  });
  return suite;
}

