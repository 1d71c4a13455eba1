import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, expect, inject, test } from "vitest";
import { generateKey } from "../src/auth/keys.ts";
import { adminQuery, databaseUrl } from "../src/db/server-admin.ts";
import {
  killLeftoverServers,
  killServerProcess,
  postGraphQL,
  type ServerProcess,
  startServerProcess,
  stopServerProcess,
} from "./support/server-process.ts";

// kill -9 the server while bulk upserts are in flight, again and again: after
// each restart the database opens and every batch is all or nothing, and every
// batch the server acknowledged is there in full.

const ROUNDS = 5;
const BATCH = 200;
const WRITERS = 2;
const key = generateKey("SECRET");

const UPSERT_USERS = "mutation ($users: [BulkUpsertUserInput!]!) { upsertUsers(users: $users) { failedCount } }";
/** Each batch's users carry its marker as their only tag, so a filter counts them. */
const batchOf = (marker: string) =>
  Array.from({ length: BATCH }, (_, i) => ({ id: `${marker}-${i}`, input: { name: `User ${i}`, properties: { i }, addTags: [marker] } }));

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(killLeftoverServers);
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

async function crashEnvironment(): Promise<Record<string, string>> {
  const template = inject("testDatabase");
  if (template.kind === "pglite") {
    const dataDir = await mkdtemp(join(tmpdir(), "directory-crash-"));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    return { DATABASE_URL: "", DATA_DIR: dataDir, DIRECTORY_SECRET_KEY: key };
  }
  const name = `directory_crash_${process.pid}`;
  await adminQuery(template.url, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await adminQuery(template.url, `CREATE DATABASE "${name}"`);
  cleanups.push(() => adminQuery(template.url, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  return { DATABASE_URL: databaseUrl(template.url, name), DIRECTORY_SECRET_KEY: key };
}

/** Users per marker, through the API (aliases in chunks below the alias limit). */
async function countsOf(server: ServerProcess, markers: string[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (let start = 0; start < markers.length; start += 20) {
    const chunk = markers.slice(start, start + 20);
    const query = `{ ${chunk.map((marker, i) => `m${i}: users(first: 1, filter: { tags: ["${marker}"] }) { totalCount }`).join(" ")} }`;
    const { body } = await postGraphQL(server.url, key, query);
    expect(body.errors).toBeUndefined();
    for (const [i, marker] of chunk.entries()) counts.set(marker, body.data[`m${i}`].totalCount);
  }
  return counts;
}

test(`kill -9 during bulk upserts of ${BATCH} users, ${ROUNDS} times: every batch is all or nothing`, { timeout: 600_000 }, async () => {
  const env = await crashEnvironment();
  const sent: string[] = [];
  const acknowledged: string[] = [];
  let server = await startServerProcess(env);
  for (let round = 0; round < ROUNDS; round++) {
    let killed = false;
    let firstAcknowledged: () => void;
    const writing = new Promise<void>((resolve) => (firstAcknowledged = resolve));
    const writer = async (w: number) => {
      for (let n = 0; !killed; n++) {
        const marker = `crash-r${round}-w${w}-b${n}`;
        sent.push(marker);
        try {
          const { body } = await postGraphQL(server.url, key, UPSERT_USERS, { users: batchOf(marker) });
          expect(body).toEqual({ data: { upsertUsers: { failedCount: 0 } } });
          acknowledged.push(marker);
          firstAcknowledged();
        } catch (error) {
          if (!killed) throw error;
          // The connection died with the server: this batch was in flight.
        }
      }
    };
    const writers = Array.from({ length: WRITERS }, (_, w) => writer(w));
    await writing;
    // Somewhere inside the next batches: a transaction may be half-way through.
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 400));
    killed = true;
    await killServerProcess(server);
    await Promise.all(writers);

    server = await startServerProcess(env);
    const counts = await countsOf(server, sent);
    for (const marker of sent) expect({ marker, users: counts.get(marker) }).toEqual({ marker, users: expect.toBeOneOf([0, BATCH]) });
    for (const marker of acknowledged) expect({ marker, users: counts.get(marker) }).toEqual({ marker, users: BATCH });
  }
  expect(await stopServerProcess(server)).toBe(0);
  expect(acknowledged.length).toBeGreaterThanOrEqual(ROUNDS);
  expect(sent.length).toBeGreaterThan(acknowledged.length);
});
