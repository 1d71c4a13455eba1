import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { runCli } from "../src/auth/cli.ts";
import { hashKey } from "../src/auth/keys.ts";
import { UsageError } from "../src/command-line.ts";
import { openDatabase } from "../src/db/client.ts";
import { startTestServer, type TestServer } from "./support/test-server.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

/** Runs one command and returns what it printed, line by line. */
async function cli(...argv: string[]): Promise<string[]> {
  const lines: string[] = [];
  await runCli(argv, server.prisma, (line) => lines.push(line));
  return lines;
}

const USER = '{ user(id: "x") { id } }';

describe("npm run directory -- keys create", () => {
  test("creates the project if missing and prints the key alone on the last line; the key works", async () => {
    const lines = await cli("keys", "create", "--project", "acme", "--kind", "secret", "--name", "backend");
    const key = lines.at(-1)!;
    expect(key).toMatch(/^sk_[0-9A-Za-z]{40,}$/);
    expect(await server.prisma.project.count({ where: { name: "acme" } })).toBe(1);
    expect((await server.graphql(USER, {}, { key })).status).toBe(200);
    const stored = await server.prisma.apiKey.findUniqueOrThrow({ where: { hash: hashKey(key) } });
    expect(stored).toMatchObject({ kind: "SECRET", name: "backend", scopes: expect.arrayContaining(["users:read", "tokens:write"]) });
  });

  test("--scopes limits a secret key to the scopes named", async () => {
    const key = (await cli("keys", "create", "--project", "acme", "--kind", "secret", "--scopes", "users:read, tokens:write")).at(-1)!;
    expect((await server.prisma.apiKey.findUniqueOrThrow({ where: { hash: hashKey(key) } })).scopes).toEqual([
      "users:read",
      "tokens:write",
    ]);
    const write = await server.graphql('mutation { upsertUser(id: "x", input: {}) { __typename } }', {}, { key });
    expect(write.errors![0]!.extensions.details).toEqual({ requiredScope: "users:write" });
  });

  test("a publishable key has no scopes and reads nothing alone", async () => {
    const key = (await cli("keys", "create", "--project", "acme", "--kind", "publishable")).at(-1)!;
    expect(key).toMatch(/^pk_[0-9A-Za-z]{40,}$/);
    expect((await server.prisma.apiKey.findUniqueOrThrow({ where: { hash: hashKey(key) } })).scopes).toEqual([]);
    expect((await server.graphql(USER, {}, { key: null, headers: { "x-api-key": key } })).status).toBe(401);
  });

  test.each([
    [["--kind", "secret"], /--project is required/],
    [["--project", "acme"], /--kind is required/],
    [["--project", "acme", "--kind", "admin"], /--kind must be secret or publishable/],
    [["--project", "acme", "--kind", "secret", "--scopes", "users:read,users:reed"], /Unknown scopes: users:reed\. Known: users:read, /],
    [["--project", "acme", "--kind", "publishable", "--scopes", "users:read"], /Publishable keys have no scopes/],
    [["--project", "acme", "--kind", "secret", "--force"], /Unknown option '--force'/],
  ])("refuses %j", async (args, message) => {
    await expect(cli("keys", "create", ...args)).rejects.toThrow(
      expect.objectContaining({ constructor: UsageError, message: expect.stringMatching(message) }),
    );
  });
});

describe("keys list, keys revoke, projects list", () => {
  test("keys list shows id, prefix, kind, scopes and dates, never the key", async () => {
    const key = (await cli("keys", "create", "--project", "listed", "--kind", "secret", "--scopes", "users:read")).at(-1)!;
    const { id } = await server.prisma.apiKey.findUniqueOrThrow({ where: { hash: hashKey(key) } });
    const [header, row, ...rest] = await cli("keys", "list", "--project", "listed");
    expect(header!.split(/\s{2,}/)).toEqual(["ID", "PREFIX", "KIND", "NAME", "SCOPES", "CREATED", "REVOKED"]);
    expect(rest).toEqual([]);
    expect(row!.split(/\s{2,}/)).toEqual([
      id,
      `${key.slice(0, 11)}…`,
      "secret",
      "-",
      "users:read",
      expect.stringMatching(/^\d{4}-.*Z$/),
      "-",
    ]);
    expect(row).not.toContain(key);
    expect(row).not.toContain(hashKey(key));
  });

  test("keys revoke stops the key at once; a second revoke says so", async () => {
    const key = (await cli("keys", "create", "--project", "revoking", "--kind", "secret")).at(-1)!;
    const { id } = await server.prisma.apiKey.findUniqueOrThrow({ where: { hash: hashKey(key) } });
    expect(await cli("keys", "revoke", id)).toEqual([`Revoked key ${id}.`]);
    expect((await server.graphql(USER, {}, { key })).status).toBe(401);
    expect(await cli("keys", "revoke", id)).toEqual([`Key ${id} was already revoked.`]);
    const [, row] = await cli("keys", "list", "--project", "revoking");
    expect(row!.split(/\s{2,}/).at(-1)).toMatch(/^\d{4}-.*Z$/);
  });

  test.each([
    [["keys", "revoke"], /one KEY_ID/],
    [["keys", "revoke", "not-a-uuid"], /Not a key id/],
    [["keys", "revoke", "00000000-0000-4000-8000-000000000000"], /No key with id/],
    [["keys", "list", "--project", "nowhere"], /No project named "nowhere"/],
    [["keys", "rotate"], /Unknown command: keys rotate/],
    [[], /No command given/],
  ])("refuses %j", async (argv, message) => {
    await expect(cli(...argv)).rejects.toThrow(
      expect.objectContaining({ constructor: UsageError, message: expect.stringMatching(message) }),
    );
  });

  test("projects list shows each project with its active keys", async () => {
    await cli("keys", "create", "--project", "counted", "--kind", "secret");
    await cli("keys", "create", "--project", "counted", "--kind", "publishable");
    const lines = await cli("projects", "list");
    expect(lines[0]!.split(/\s{2,}/)).toEqual(["NAME", "ID", "ACTIVE KEYS", "CREATED"]);
    const counted = lines.find((line) => line.startsWith("counted "))!;
    expect(counted.split(/\s{2,}/)[2]).toBe("2");
  });
});

describe("the npm script", () => {
  const run = promisify(execFile);
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "directory-cli-"));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));
  const env = () => ({ ...process.env, DATABASE_URL: "", DATA_DIR: dataDir });

  test("works on the configured database and prints the key alone on the last line of stdout", async () => {
    const { stdout } = await run("npm", ["run", "directory", "--", "keys", "create", "--project", "cli", "--kind", "secret"], {
      env: env(),
    });
    const key = stdout.trimEnd().split("\n").at(-1)!;
    expect(key).toMatch(/^sk_[0-9A-Za-z]{40,}$/);
    const db = await openDatabase({ kind: "pglite", dataDir });
    try {
      expect(await db.prisma.apiKey.count({ where: { hash: hashKey(key), project: { name: "cli" } } })).toBe(1);
    } finally {
      await db.close();
    }
  });

  test("a usage error exits with status 2 and the usage on stderr", async () => {
    const failed = await run("npm", ["run", "directory", "--", "keys", "list"], { env: env() }).catch((error) => error);
    expect(failed.code).toBe(2);
    expect(failed.stderr).toContain("--project is required.");
    expect(failed.stderr).toContain("Usage: npm run directory -- <command>");
  });
});
