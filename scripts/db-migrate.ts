// npm run db:migrate: applies pending migrations to the configured database.
import { loadConfigOrExit } from "../src/config.ts";
import { openMigratedDatabaseOrExit } from "../src/db/migrate.ts";

const { db, applied } = await openMigratedDatabaseOrExit(loadConfigOrExit().database);
await db.close();
console.log(applied.length > 0 ? `Applied: ${applied.join(", ")}` : "The database is up to date.");
