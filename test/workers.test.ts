import { availableParallelism } from "node:os";
import { afterAll, expect, inject, test } from "vitest";
import { ConfigError, loadConfig } from "../src/config.ts";
import { freshDatabase, graphql, startFromSources as start } from "./support/process.ts";

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

const POSTGRES = { DATABASE_URL: "postgres://postgres@127.0.0.1:5432/directory" };

test("WORKERS is 1 by default, a number or auto (one per core), and refused on the embedded PGlite", () => {
  expect(loadConfig(POSTGRES).workers).toBe(1);
  expect(loadConfig({ ...POSTGRES, WORKERS: "3" }).workers).toBe(3);
  expect(loadConfig({ ...POSTGRES, WORKERS: "auto" }).workers).toBe(availableParallelism());
  for (const wrong of ["0", "-1", "1.5", "many", "257"]) {
    expect(() => loadConfig({ ...POSTGRES, WORKERS: wrong })).toThrow(/WORKERS/);
  }
  expect(loadConfig({ WORKERS: "1" }).workers).toBe(1);
  for (const embedded of [{ WORKERS: "2" }, { WORKERS: "2", DATABASE_URL: "memory://" }]) {
    expect(() => loadConfig(embedded)).toThrow(ConfigError);
    expect(() => loadConfig(embedded)).toThrow(/WORKERS: more than one process needs PostgreSQL/);
  }
});

test("DATABASE_POOL_SIZE: connections per process, 10 by default", () => {
  expect(loadConfig(POSTGRES).poolSize).toBe(10);
  expect(loadConfig({ ...POSTGRES, DATABASE_POOL_SIZE: "4" }).poolSize).toBe(4);
  for (const wrong of ["0", "x", "2.5"]) expect(() => loadConfig({ ...POSTGRES, DATABASE_POOL_SIZE: wrong })).toThrow(/DATABASE_POOL_SIZE/);
});

test("with WORKERS=2 on PostgreSQL two gateways serve one port, and SIGTERM stops them all", async (context) => {
  if (inject("testDatabase").kind !== "postgres") return context.skip("needs TEST_DATABASE_URL");
  const { env, key, drop } = await freshDatabase();
  cleanups.push(drop);
  const started = await start({ ...env, WORKERS: "2", DATABASE_POOL_SIZE: "2" });
  const listening = () => started.stdout().match(/user directory listening/g)?.length ?? 0;
  while (listening() < 2) await new Promise((resolve) => setTimeout(resolve, 100));
  const upsert = await graphql(started.url, key, 'mutation { upsertUser(id: "w", input: { name: "W" }) { __typename } }');
  expect(upsert.body.data.upsertUser.__typename).toBe("UpsertUserSuccess");
  // Connections go to the workers in turn: each answers, from the one database.
  const reads = await Promise.all(Array.from({ length: 8 }, () => graphql(started.url, key, '{ user(id: "w") { name } }')));
  for (const read of reads) expect(read.body).toEqual({ data: { user: { name: "W" } } });
  started.process.kill("SIGTERM");
  expect(await started.exited).toBe(0);
  expect(started.stdout().match(/"msg":"stopped"/g)).toHaveLength(2);
}, 120_000);

test("WORKERS above 1 on the embedded database stops the start with a clear message", async () => {
  await expect(start({ WORKERS: "2", DATABASE_URL: "memory://" })).rejects.toThrow(/WORKERS: more than one process needs PostgreSQL/);
});
