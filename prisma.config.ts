import { defineConfig } from "prisma/config";

// Used by the Prisma CLI only. The service reads DATABASE_URL in src/config.ts.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost:5432/directory" },
});
