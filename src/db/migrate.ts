import { mkdir } from "node:fs/promises";
import type { DatabaseLocation } from "../config.ts";
import { type Database, type DatabaseOptions, openDatabase } from "./client.ts";
import { applyMigrations, readMigrations } from "./migrations.ts";

/** Opens the configured database and brings it up to the latest migration. */
export async function openMigratedDatabase(
  location: DatabaseLocation,
  options: DatabaseOptions = {},
): Promise<{ db: Database; applied: string[] }> {
  if (location.kind === "pglite" && location.dataDir !== "memory://") {
    await mkdir(location.dataDir, { recursive: true });
  }
  const db = await openDatabase(location, options);
  try {
    const applied = await applyMigrations(db.prisma, await readMigrations());
    return { db, applied };
  } catch (error) {
    await db.close();
    throw error;
  }
}
