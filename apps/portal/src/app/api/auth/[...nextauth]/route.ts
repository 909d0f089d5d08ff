import NextAuth from "next-auth/next";
import type { NextRequest } from "next/server";
import { authOptions } from "../../../../server/auth.ts";

type TContext = { params: Promise<{ nextauth: string[] }> };

// Options are built per request: the settings are read at run time, not while `next build` imports this.
function handler(request: NextRequest, context: TContext): Promise<Response> {
  return NextAuth(request, context, authOptions()) as Promise<Response>;
}

export { handler as GET, handler as POST };
