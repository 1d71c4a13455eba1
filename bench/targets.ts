import pg from "pg";
import type { DatabaseLocation } from "../src/config.ts";
import { type Database, openPGlite, POSTGRES_SESSION_OPTIONS, wrapPGlite } from "../src/db/client.ts";
import { openMigratedDatabase } from "../src/db/migrate.ts";
import { applyMigrations, readMigrations } from "../src/db/migrations.ts";
import type { RawQuery } from "./raw-baseline.ts";

/** A migrated database of its own, with a raw driver beside the gateway's Prisma client. */
export type Target = { name: string; db: Database; raw: RawQuery; close(): Promise<void> };

async function pgliteTarget(dataDir: string): Promise<Target> {
  const { pglite, close } = await openPGlite(dataDir);
  const db = wrapPGlite(pglite, {}, close);
  await applyMigrations(db.prisma, await readMigrations());
  return { name: `PGlite (${dataDir})`, db, raw: (sql, params) => pglite.query(sql, params), close: db.close };
}

/** The database the service is configured for (DATABASE_URL, else DATA_DIR), kept as it is. */
export async function configuredTarget(location: DatabaseLocation, onClose = async () => {}): Promise<Target> {
  if (location.kind === "pglite") return pgliteTarget(location.dataDir);
  const { db } = await openMigratedDatabase(location);
  // As many connections as the gateway's own pool.
  const pool = new pg.Pool({ connectionString: location.url, max: 10, options: POSTGRES_SESSION_OPTIONS });
  // Connections still closing when the database is dropped (WITH FORCE) report it; nothing to do then.
  pool.on("error", () => {});
  return {
    name: "PostgreSQL",
    db,
    raw: (sql, params) => pool.query(sql, params),
    close: async () => {
      await pool.end();
      await db.close();
      await onClose();
    },
  };
}
