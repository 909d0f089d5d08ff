import { authenticate, CarveError, isCarveError, validateSession, type TUserActor } from "@carve/core";
import type { AuthOptions } from "next-auth";
import { getServerSession } from "next-auth/next";
import CredentialsProvider from "next-auth/providers/credentials";
import { z } from "zod";
import { env } from "../env.ts";
import { portalCore } from "./core.ts";

/** What the session cookie carries: enough for core's validateSession to re-check it every request. */
const ZSessionClaims = z.object({ userId: z.string(), sessionEpoch: z.number().int(), username: z.string(), role: z.enum(["Admin", "User"]) });
type TSessionClaims = z.infer<typeof ZSessionClaims>;

/** next-auth's options: a Credentials provider backed by core's identity (directory or local account, throttled). */
export function authOptions(): AuthOptions {
  const settings = env();
  return {
    secret: settings.NEXTAUTH_SECRET,
    session: { strategy: "jwt", maxAge: 12 * 3600 },
    // Secure, httpOnly, SameSite=Lax cookies (the __Secure- prefix) whenever the portal is served over https.
    useSecureCookies: settings.NEXTAUTH_URL.startsWith("https://"),
    pages: { signIn: "/signin" },
    providers: [
      CredentialsProvider({
        name: "Carve",
        credentials: { username: { label: "Username", type: "text" }, password: { label: "Password", type: "password" } },
        async authorize(credentials, request) {
          const forwarded = request.headers?.["x-forwarded-for"];
          const clientAddr = typeof forwarded === "string" ? forwarded.split(",")[0]?.trim() : undefined;
          try {
            const { user } = await authenticate(portalCore(), { username: credentials?.username ?? "", password: credentials?.password ?? "", clientAddr, via: "portal" });
            const claims: TSessionClaims = { userId: user.id, sessionEpoch: user.sessionEpoch, username: user.username, role: user.role };
            return { id: user.id, name: user.displayName ?? user.username, email: user.email, ...claims };
          } catch (error) {
            // next-auth hands the message to the sign-in form; every CarveError message is meant for users.
            throw new Error(isCarveError(error) ? error.message : "Sign-in failed unexpectedly; try again.");
          }
        },
      }),
    ],
    callbacks: {
      jwt({ token, user }) {
        const claims = ZSessionClaims.safeParse(user);
        return claims.success ? { ...token, carve: claims.data } : token;
      },
      session({ session, token }) {
        return { ...session, carve: token["carve"] };
      },
    },
  };
}

/** The signed-in user's claims from the session cookie, or null (not checked against the database yet). */
async function sessionClaims(): Promise<TSessionClaims | null> {
  const session: unknown = await getServerSession(authOptions());
  const claims = z.object({ carve: ZSessionClaims }).safeParse(session);
  return claims.success ? claims.data.carve : null;
}

/**
 * The acting user behind the session cookie, re-validated by core on every request (a disabled
 * account or ended sessions stop working at once). UNAUTHENTICATED without a session.
 */
export async function sessionActor(): Promise<TUserActor> {
  const claims = await sessionClaims();
  if (!claims) throw new CarveError("UNAUTHENTICATED", "Sign in first, or send an API key as 'Authorization: Bearer <key>'.");
  return validateSession(portalCore(), { userId: claims.userId, sessionEpoch: claims.sessionEpoch, via: "portal" });
}
