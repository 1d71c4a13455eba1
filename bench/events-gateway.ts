// The gateway bench:events measures upserts on: src/main.ts's server without
// its background work, and with BENCH_OUTBOX=off a Prisma client that drops
// the change feed's one statement per write (the same upserts without the
// outbox). For benchmarks only: the service itself has no such switch.
import { createServer as createHttpServer } from "node:http";
import { ensureDefaultProject } from "../src/auth/default-project.ts";
import { createRateLimiter } from "../src/auth/rate-limit.ts";
import { loadConfigOrExit } from "../src/config.ts";
import type { PrismaClient } from "../src/db/generated/prisma/client.ts";
import { openMigratedDatabase } from "../src/db/migrate.ts";
import { createLogger } from "../src/logger.ts";
import { createServer } from "../src/server.ts";

const config = loadConfigOrExit();
const logger = createLogger("silent");
const { db } = await openMigratedDatabase(config.database);
await ensureDefaultProject(db.prisma, { secretKey: config.secretKey, createDevelopmentKey: false });
const prisma =
  process.env.BENCH_OUTBOX === "off"
    ? (db.prisma.$extends({
        query: {
          $executeRaw: ({ args, query }) =>
            JSON.stringify(args).includes("INSERT INTO directory_events") ? Promise.resolve(0) : query(args),
        },
      }) as unknown as PrismaClient)
    : db.prisma;
const rateLimiter = await createRateLimiter(config.rateLimit, logger);
const http = createHttpServer(createServer({ prisma, logger, rateLimiter, config, databasePool: db.pool }));
http.listen(config.port, () => {
  const address = http.address();
  console.log(JSON.stringify({ url: `http://localhost:${typeof address === "object" && address ? address.port : config.port}/graphql` }));
});
