import {
  authenticate,
  CarveError,
  endSession,
  isCarveError,
  SESSION_TTL_MS,
  sessionCookieClaims,
  sessionCookieName,
  startSession,
  validateSession,
  ZSessionCookieClaims,
  type TSessionCookieClaims,
  type TUserActor,
} from "@carve/core";
import type { AuthOptions } from "next-auth";
import { decode } from "next-auth/jwt";
import { cookies } from "next/headers";
import CredentialsProvider from "next-auth/providers/credentials";
import { env } from "../env.ts";
import { requestOrigin } from "./client-address.ts";
import { portalCore } from "./core.ts";

/** next-auth's options: a Credentials provider backed by core's identity (directory or local account, throttled). */
export function authOptions(): AuthOptions {
  const settings = env();
  return {
    secret: settings.NEXTAUTH_SECRET,
    session: { strategy: "jwt", maxAge: SESSION_TTL_MS / 1000 },
    // Secure, httpOnly, SameSite=Lax cookies (the __Secure- prefix) whenever the portal is served over https.
    useSecureCookies: settings.NEXTAUTH_URL.startsWith("https://"),
    pages: { signIn: "/signin" },
    providers: [
      CredentialsProvider({
        name: "Carve",
        credentials: { username: { label: "Username", type: "text" }, password: { label: "Password", type: "password" } },
        async authorize(credentials, request) {
          const { clientAddr, requestId } = requestOrigin(request.headers);
          try {
            const { user } = await authenticate(portalCore(), { username: credentials?.username ?? "", password: credentials?.password ?? "", clientAddr, requestId, via: "portal" });
            const { sessionToken } = await startSession(portalCore(), { userId: user.id });
            const claims: TSessionCookieClaims = { sessionToken, userId: user.id, username: user.username, role: user.role };
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
        const claims = ZSessionCookieClaims.safeParse(user);
        return claims.success ? { ...token, carve: claims.data } : token;
      },
      session({ session, token }) {
        // The browser's session JSON (/api/auth/session) never shows the session token.
        const shown = ZSessionCookieClaims.omit({ sessionToken: true }).safeParse(token["carve"]);
        return { ...session, carve: shown.success ? shown.data : undefined };
      },
    },
    events: {
      // Signing out ends the server-side session, so a copy of the cookie stops working too.
      async signOut({ token }) {
        const claims = ZSessionCookieClaims.safeParse(token["carve"]);
        if (claims.success) await endSession(portalCore(), { sessionToken: claims.data.sessionToken });
      },
    },
  };
}

/**
 * The signed-in user's claims from the session cookie, or null (not checked against the database
 * yet). Read from the cookie itself: the session callback keeps the token out of what browsers see.
 */
async function sessionClaims(): Promise<TSessionCookieClaims | null> {
  const settings = env();
  const cookie = (await cookies()).get(sessionCookieName(settings.NEXTAUTH_URL))?.value;
  return sessionCookieClaims(cookie ? await decode({ token: cookie, secret: settings.NEXTAUTH_SECRET }).catch(() => null) : null);
}

/**
 * The acting user behind the session cookie, re-validated by core on every request (a disabled
 * account or ended sessions stop working at once). UNAUTHENTICATED without a session.
 */
export async function sessionActor(): Promise<TUserActor> {
  const claims = await sessionClaims();
  if (!claims) throw new CarveError("UNAUTHENTICATED", "Sign in first, or send an API key as 'Authorization: Bearer <key>'.");
  return validateSession(portalCore(), { sessionToken: claims.sessionToken, via: "portal" });
}
