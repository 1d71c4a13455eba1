import type { DatabaseLocation } from "../config.ts";
import { type Database, type DatabaseOptions, openDatabase } from "./client.ts";
import { DataDirectoryInUseError } from "./data-dir-lock.ts";
import { applyMigrations, readMigrations } from "./migrations.ts";

/** Opens the configured database and brings it up to the latest migration. */
export async function openMigratedDatabase(
  location: DatabaseLocation,
  options: DatabaseOptions = {},
): Promise<{ db: Database; applied: string[] }> {
  const db = await openDatabase(location, options);
  try {
    const applied = await applyMigrations(db.prisma, await readMigrations());
    return { db, applied };
  } catch (error) {
    await db.close();
    throw error;
  }
}

/**
 * The migrated database, or why its data directory is busy printed (with
 * `advice` for this entry point, if any) and the process ended: for entry points.
 */
export async function openMigratedDatabaseOrExit(
  location: DatabaseLocation,
  { advice, ...options }: DatabaseOptions & { advice?: string } = {},
): Promise<{ db: Database; applied: string[] }> {
  try {
    return await openMigratedDatabase(location, options);
  } catch (error) {
    if (!(error instanceof DataDirectoryInUseError)) throw error;
    console.error(advice ? `${error.message}\n${advice}` : error.message);
    process.exit(1);
  }
}
