import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { type DatabaseLocation, describeDatabase } from "../src/config.ts";
import { openDatabase } from "../src/db/client.ts";
import { adminQuery, databaseUrl } from "../src/db/server-admin.ts";

// Scripts that write refuse to guess: usage on --help, no write without an
// explicit count, the database named before writing, usage errors without a
// stack trace.

const exec = promisify(execFile);
type Outcome = { code: number; stdout: string; stderr: string };

async function npmRun(script: string, args: string[], env: Record<string, string> = {}): Promise<Outcome> {
  try {
    const { stdout, stderr } = await exec("npm", ["run", "-s", script, "--", ...args], { env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as Outcome;
    return { code, stdout, stderr };
  }
}

const STACK_FRAME = /^\s+at /m;
let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "directory-scripts-"));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe("npm run seed", () => {
  test("--help prints the usage and writes nothing", async () => {
    const dataDir = join(scratch, "help");
    const { code, stdout } = await npmRun("seed", ["--help"], { DATA_DIR: dataDir, DATABASE_URL: "" });
    expect(code).toBe(0);
    expect(stdout).toContain("Usage: npm run seed -- --users N");
    expect(existsSync(dataDir)).toBe(false);
  });

  test.each([
    [[], /Say how many users to add: --users N\./],
    [["--users", "many"], /--users must be a whole number ≥ 0, not "many"\./],
    [["--users", "5", "--force"], /Unknown option '--force'/],
  ])("refuses %j before opening any database", async (args, message) => {
    const dataDir = join(scratch, "refused");
    const { code, stdout, stderr } = await npmRun("seed", args, { DATA_DIR: dataDir, DATABASE_URL: "" });
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(message);
    expect(stderr).toContain("Usage: npm run seed -- --users N");
    expect(stderr).not.toMatch(STACK_FRAME);
    expect(existsSync(dataDir)).toBe(false);
  });

  test("names the database it writes to, then adds exactly the users asked for", { timeout: 180_000 }, async () => {
    const template = inject("testDatabase");
    let location: DatabaseLocation;
    let env: Record<string, string>;
    if (template.kind === "postgres") {
      const name = `directory_seed_${process.pid}`;
      await adminQuery(template.url, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await adminQuery(template.url, `CREATE DATABASE "${name}"`);
      location = { kind: "postgres", url: databaseUrl(template.url, name) };
      env = { DATABASE_URL: location.url };
    } else {
      location = { kind: "pglite", dataDir: join(scratch, "seeded") };
      env = { DATABASE_URL: "", DATA_DIR: location.dataDir };
    }
    try {
      const { code, stdout } = await npmRun("seed", ["--users", "25", "--orgs", "3", "--project", "seeded"], env);
      expect(code).toBe(0);
      expect(stdout.split("\n")[0]).toBe(`Seeding 25 users and 3 organizations into project seeded of ${describeDatabase(location)}.`);
      const db = await openDatabase(location);
      try {
        expect(await db.prisma.user.count({ where: { project: { name: "seeded" } } })).toBe(25);
      } finally {
        await db.close();
      }
    } finally {
      if (template.kind === "postgres") {
        await adminQuery(template.url, `DROP DATABASE IF EXISTS "directory_seed_${process.pid}" WITH (FORCE)`);
      }
    }
  });
});

describe("the benchmarks", () => {
  test.each(["bench:upsert", "bench:queries", "bench:push", "bench:activity", "bench:recipients", "bench:events"])(
    "%s --help prints the usage and runs nothing",
    async (script) => {
      const { code, stdout, stderr } = await npmRun(script, ["--help"], { DATA_DIR: join(scratch, "bench"), DATABASE_URL: "" });
      expect(code).toBe(0);
      expect(stdout).toContain(`Usage: npm run ${script}`);
      expect(stderr).toBe("");
      expect(existsSync(join(scratch, "bench"))).toBe(false);
    },
  );

  test.each(["bench:upsert", "bench:queries", "bench:push", "bench:activity", "bench:recipients", "bench:events"])(
    "%s refuses an unknown option without a stack trace",
    async (script) => {
      const { code, stderr } = await npmRun(script, ["--users", "10"], { DATA_DIR: join(scratch, "bench"), DATABASE_URL: "" });
      expect(code).toBe(2);
      expect(stderr).toContain("Unknown option '--users'");
      expect(stderr).toContain(`Usage: npm run ${script}`);
      expect(stderr).not.toMatch(STACK_FRAME);
    },
  );
});

test("a database is named without its password", () => {
  expect(describeDatabase({ kind: "postgres", url: "postgres://app:s3cret@db.internal:5432/directory?sslmode=require" })).toBe(
    "the PostgreSQL database postgres://app@db.internal:5432/directory?sslmode=require",
  );
  expect(describeDatabase({ kind: "pglite", dataDir: "/srv/directory" })).toBe("the PGlite database in /srv/directory");
});
