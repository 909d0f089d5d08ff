import { defineConfig } from "prisma/config";

// Prisma 7 does not read .env; the migration and seed scripts pass DATABASE_URL explicitly.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
});
