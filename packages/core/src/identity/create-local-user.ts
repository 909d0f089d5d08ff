import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { CarveError } from "../errors/index.ts";
import { parseInput } from "../validation/parse-input.ts";
import { requireAdmin, requireWriteScope, type TActor } from "./actor.ts";
import { OPERATOR_USERNAME } from "./operator-actor.ts";
import { hashPassword, ZLocalUsername, ZNewPassword } from "./passwords.ts";
import { isUniqueViolation } from "../validation/is-unique-violation.ts";

/** Strict: an unknown field (from the REST API) is refused, never ignored. */
export const ZCreateLocalUserInput = z.strictObject({
  username: ZLocalUsername.refine((u) => u !== OPERATOR_USERNAME, `'${OPERATOR_USERNAME}' is Carve's built-in CLI account: choose another name`),
  password: ZNewPassword,
  role: z.enum(["Admin", "User"], { error: "must be Admin or User" }).default("User"),
  displayName: z.string().max(200).optional(),
  email: z.email("must be an email address").max(320).optional(),
});

/**
 * Creates a local account (service or break-glass; everyone else signs in with the directory).
 * Admins only. A name a directory user already has is refused: a username has one source.
 */
export async function createLocalUser(deps: CoreDeps, actor: TActor, input: unknown) {
  requireAdmin(actor, "create accounts");
  requireWriteScope(actor, "create accounts");
  const data = parseInput(ZCreateLocalUserInput, input);
  const passwordHash = await hashPassword(data.password);
  try {
    return await deps.db.user.create({
      data: { username: data.username, source: "Local", role: data.role, passwordHash, displayName: data.displayName ?? null, email: data.email?.toLowerCase() ?? null },
      select: { id: true, username: true, source: true, role: true, displayName: true, email: true, createdAt: true },
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new CarveError("ALREADY_EXISTS", `The username ${data.username} or the email is already used by another account. Choose another.`, {
        fields: [{ field: "username", message: "is taken" }],
      });
    }
    throw error;
  }
}
