import { withIdentity, type TActor, type TCore, type TIdentityDeps } from "@carve/core";
import { loadEnv } from "../env.ts";
import { withSession } from "../session.ts";

export interface TIdentitySession {
  core: TCore;
  /** Core plus identity's options (the secret key for encrypted settings). */
  deps: TIdentityDeps;
  actor: TActor;
}

/** Like withSession, with the identity options this process was given (CARVE_SECRET_KEY). */
export async function withIdentitySession<T>(work: (session: TIdentitySession) => Promise<T>): Promise<T> {
  const { CARVE_SECRET_KEY } = loadEnv();
  return withSession(({ core, actor }) => work({ core, actor, deps: withIdentity(core, { secretKey: CARVE_SECRET_KEY }) }));
}
