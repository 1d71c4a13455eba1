import { cpSync } from "node:fs";
import { createApiKey, findOrCreateProject } from "../src/auth/api-keys.ts";
import type { DatabaseLocation } from "../src/config.ts";
import type { PrismaClient } from "../src/db/generated/prisma/client.ts";
import { type ServerProcess, startGateway, startRawBaseline } from "./processes.ts";
import { configuredTarget } from "./targets.ts";

/** The two servers of a write benchmark, the gateway's secret key and the baseline's project. */
export type Contenders = { gateway: ServerProcess; raw: ServerProcess; key: string; rawProjectId: string };

type Setup = {
  /** Names the two projects: `<prefix>-gateway` and `<prefix>-raw`. */
  prefix: string;
  /** Each server's environment naming its database (PGlite: the baseline's copy of the directory). */
  gatewayDb: Record<string, string>;
  rawDb: Record<string, string>;
  gatewayEnv?: Record<string, string>;
  cpuProfileDir?: string;
  /** Rows each project needs before the servers start. */
  seed?: (prisma: PrismaClient, projectId: string) => Promise<void>;
};

/**
 * Prepares a fresh, migrated database with a project for each contender,
 * starts the gateway and the raw baseline in processes of their own, runs
 * `measure` and stops both, whatever happens.
 */
export async function withContenders<T>(location: DatabaseLocation, setup: Setup, measure: (contenders: Contenders) => Promise<T>) {
  const target = await configuredTarget(location);
  const { prisma } = target.db;
  const gatewayProject = await findOrCreateProject(prisma, `${setup.prefix}-gateway`);
  const { key } = await createApiKey(prisma, { projectId: gatewayProject.id, kind: "SECRET", name: "bench" });
  const rawProject = await findOrCreateProject(prisma, `${setup.prefix}-raw`);
  for (const projectId of [gatewayProject.id, rawProject.id]) await setup.seed?.(prisma, projectId);
  await target.close();
  // PGlite: the baseline writes to a copy of the prepared directory (one process owns a PGlite).
  if (location.kind === "pglite") cpSync(location.dataDir, setup.rawDb.BENCH_RAW_DATA_DIR!, { recursive: true });
  const servers: ServerProcess[] = [];
  try {
    const gateway = await startGateway(
      { ...setup.gatewayDb, RATE_LIMIT_PER_MINUTE: String(1e9), ...setup.gatewayEnv },
      setup.cpuProfileDir,
    );
    servers.push(gateway);
    const raw = await startRawBaseline(setup.rawDb);
    servers.push(raw);
    return await measure({ gateway, raw, key, rawProjectId: rawProject.id });
  } finally {
    for (const server of servers.reverse()) await server.stop();
  }
}
