// npm run db:migrate: applies pending migrations to the configured database.
import { loadConfig } from "../src/config.ts";
import { openMigratedDatabase } from "../src/db/migrate.ts";

const { db, applied } = await openMigratedDatabase(loadConfig().database);
await db.close();
console.log(applied.length > 0 ? `Applied: ${applied.join(", ")}` : "The database is up to date.");
