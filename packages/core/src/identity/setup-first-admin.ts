import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { CarveError } from "../errors/index.ts";
import { parseInput } from "../validation/parse-input.ts";
import { sha256 } from "./api-key-format.ts";
import { OPERATOR_USERNAME } from "./operator-actor.ts";
import { hashPassword, ZLocalUsername, ZNewPassword } from "./passwords.ts";

export const ZSetupInput = z.object({
  token: z.string({ error: "is required: the setup token Carve printed on first start" }).min(1, "is required: the setup token Carve printed on first start").max(200),
  username: ZLocalUsername.refine((u) => u !== OPERATOR_USERNAME, `'${OPERATOR_USERNAME}' is Carve's built-in CLI account: choose another name`),
  password: ZNewPassword,
  displayName: z.string().max(200).optional(),
});

/**
 * Creates the first administrator, a local account, with the one-time setup token Carve printed
 * on first start. The token is spent in the same transaction that creates the account: it works
 * once, and not after it expires (SETUP_TOKEN_INVALID). A name already taken spends nothing.
 */
export async function setupFirstAdmin(deps: CoreDeps, input: unknown) {
  const data = parseInput(ZSetupInput, input);
  const passwordHash = await hashPassword(data.password);
  const now = deps.now();
  const user = await deps.db.$transaction(async (tx) => {
    const spent = await tx.oneTimeToken.updateMany({ where: { kind: "Setup", hash: sha256(data.token.trim()), usedAt: null, expiresAt: { gt: now } }, data: { usedAt: now } });
    if (spent.count !== 1) {
      throw new CarveError(
        "SETUP_TOKEN_INVALID",
        "This setup token is unknown, already used or expired. While no administrator exists, 'carve admin setup-token' on the management server prints a new one.",
      );
    }
    if (await tx.user.findUnique({ where: { username: data.username }, select: { id: true } })) {
      throw new CarveError("ALREADY_EXISTS", `The username ${data.username} is taken. Choose another.`, { fields: [{ field: "username", message: "is taken" }] });
    }
    return tx.user.create({
      data: { username: data.username, source: "Local", role: "Admin", passwordHash, displayName: data.displayName ?? null },
      select: { id: true, username: true, role: true, source: true, createdAt: true },
    });
  });
  await deps.db.auditEntry.create({ data: { actorId: user.id, actorName: user.username, via: "cli", action: "auth.setup", outcome: "ok", targetType: "user", targetId: user.id } });
  deps.log.info({ username: user.username }, "first administrator created with the setup token");
  return user;
}
