import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, test } from "vitest";
import { generateKey } from "../src/auth/keys.ts";
import { openDatabase } from "../src/db/client.ts";
import { DataDirectoryInUseError } from "../src/db/data-dir-lock.ts";
import {
  killLeftoverServers,
  killServerProcess,
  postGraphQL,
  ServerExitedError,
  startServerProcess,
  stopServerProcess,
} from "./support/server-process.ts";

// One process owns an embedded database: servers, `npm run directory` and
// `npm run seed` on the same DATA_DIR shut each other out, and a dead
// holder's lock does not keep the next one out.

const run = promisify(execFile);
const key = generateKey("SECRET");
let dataDir: string;
const env = () => ({ DATA_DIR: dataDir, DATABASE_URL: "", DIRECTORY_SECRET_KEY: key });
const UPSERT = 'mutation { upsertUser(id: "kept", input: { name: "Kept" }) { __typename } }';
const READ = '{ user(id: "kept") { name } }';
const STACK_FRAME = /^\s+at /m;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "directory-lock-"));
});
afterEach(killLeftoverServers);
afterAll(() => rm(dataDir, { recursive: true, force: true }));

// Each test starts server processes, seconds each (more on a busy machine).
describe("a data directory used by a server", { timeout: 240_000 }, () => {
  beforeEach((context) => {
    if (inject("testDatabase").kind !== "pglite") context.skip("the lock guards the embedded PGlite only");
  });

  test("a second server on the same DATA_DIR is refused with the first one's pid and what to do", async () => {
    const first = await startServerProcess(env());
    try {
      const second = await startServerProcess(env()).catch((error: unknown) => error);
      expect(second).toBeInstanceOf(ServerExitedError);
      const { code, output } = second as ServerExitedError;
      expect(code).toBe(1);
      expect(output).toContain(`The data directory ${dataDir} is in use by process ${first.child.pid}`);
      expect(output).toContain(`Stop it (kill ${first.child.pid}) and try again`);
      expect(output).not.toMatch(STACK_FRAME);
      expect((await postGraphQL(first.url, key, UPSERT)).body.data.upsertUser.__typename).toBe("UpsertUserSuccess");
    } finally {
      expect(await stopServerProcess(first)).toBe(0);
    }
  });

  test("npm run directory and npm run seed refuse while it runs and write nothing", async () => {
    const server = await startServerProcess(env());
    let stopped = false;
    try {
      const directory = await run(
        "npm",
        ["run", "-s", "directory", "--", "keys", "create", "--project", "locked-out", "--kind", "secret"],
        {
          env: { ...process.env, ...env() },
        },
      ).catch((error: { code: number; stdout: string; stderr: string }) => error);
      expect(directory).toMatchObject({ code: 1, stdout: "" });
      expect((directory as { stderr: string }).stderr).toContain(`is in use by process ${server.child.pid}`);
      expect((directory as { stderr: string }).stderr).toContain("Keys are managed with the server stopped");
      expect((directory as { stderr: string }).stderr).not.toMatch(STACK_FRAME);

      const seed = await run("npm", ["run", "-s", "seed", "--", "--users", "5", "--project", "locked-out"], {
        env: { ...process.env, ...env() },
      }).catch((error: { code: number; stdout: string; stderr: string }) => error);
      expect(seed).toMatchObject({ code: 1 });
      expect((seed as { stdout: string }).stdout).toContain(`of the PGlite database in ${dataDir}`);
      expect((seed as { stderr: string }).stderr).toContain(`is in use by process ${server.child.pid}`);

      expect(await stopServerProcess(server)).toBe(0);
      stopped = true;
      // Released on a clean stop: this process can open it now.
      const db = await openDatabase({ kind: "pglite", dataDir });
      try {
        expect(await db.prisma.project.count({ where: { name: "locked-out" } })).toBe(0);
        expect(await db.prisma.user.count({ where: { project: { name: "locked-out" } } })).toBe(0);
      } finally {
        await db.close();
      }
    } finally {
      if (!stopped) await stopServerProcess(server);
    }
  });

  test("the lock goes away on a clean stop, and a kill -9 leaves none that keeps the next start out", async () => {
    const first = await startServerProcess(env());
    expect((await postGraphQL(first.url, key, UPSERT)).body.data.upsertUser.__typename).toBe("UpsertUserSuccess");
    expect(existsSync(join(dataDir, "gateway.lock"))).toBe(true);
    expect(await stopServerProcess(first)).toBe(0);
    expect(existsSync(join(dataDir, "gateway.lock"))).toBe(false);
    expect(existsSync(join(dataDir, "gateway.pid"))).toBe(false);

    const second = await startServerProcess(env());
    await killServerProcess(second);
    expect(existsSync(join(dataDir, "gateway.lock"))).toBe(true);

    // Taken over at once (a live holder's lock would refuse this start), not after it went stale (30 s).
    const third = await startServerProcess(env());
    try {
      expect(third.output()).not.toContain("in use");
      expect((await postGraphQL(third.url, key, READ)).body).toEqual({ data: { user: { name: "Kept" } } });
    } finally {
      expect(await stopServerProcess(third)).toBe(0);
    }
  });
});

describe("in one process", () => {
  test("a data directory open here is not opened a second time", async () => {
    const own = await mkdtemp(join(tmpdir(), "directory-lock-own-"));
    try {
      const db = await openDatabase({ kind: "pglite", dataDir: own });
      await expect(openDatabase({ kind: "pglite", dataDir: own })).rejects.toThrow(
        expect.objectContaining({ constructor: DataDirectoryInUseError, holderPid: process.pid }),
      );
      await db.close();
      const again = await openDatabase({ kind: "pglite", dataDir: own });
      await again.close();
    } finally {
      await rm(own, { recursive: true, force: true });
    }
  });

  test("a fresh lock whose holder is not yet known is respected", async () => {
    const own = await mkdtemp(join(tmpdir(), "directory-lock-unknown-"));
    try {
      await mkdir(join(own, "gateway.lock"));
      await expect(openDatabase({ kind: "pglite", dataDir: own })).rejects.toThrow(
        expect.objectContaining({
          constructor: DataDirectoryInUseError,
          holderPid: undefined,
          message: expect.stringContaining("in use by another process"),
        }),
      );
    } finally {
      await rm(own, { recursive: true, force: true });
    }
  });
});
