// The gateway bench:events measures upserts on: src/main.ts's server without
// its background work (retention, webhooks), so that only the upserts and the
// subscriber's reads are measured.
import { createServer as createHttpServer } from "node:http";
import { ensureDefaultProject } from "../src/auth/default-project.ts";
import { createRateLimiter } from "../src/auth/rate-limit.ts";
import { loadConfigOrExit } from "../src/config.ts";
import { openMigratedDatabase } from "../src/db/migrate.ts";
import { createLogger } from "../src/logger.ts";
import { createServer } from "../src/server.ts";

const config = loadConfigOrExit();
const logger = createLogger("silent");
const { db } = await openMigratedDatabase(config.database);
await ensureDefaultProject(db.prisma, { secretKey: config.secretKey, createDevelopmentKey: false });
const rateLimiter = await createRateLimiter(config.rateLimit, logger);
const http = createHttpServer(createServer({ prisma: db.prisma, logger, rateLimiter, config, databasePool: db.pool }));
http.listen(config.port, () => {
  const address = http.address();
  console.log(JSON.stringify({ url: `http://localhost:${typeof address === "object" && address ? address.port : config.port}/graphql` }));
});
