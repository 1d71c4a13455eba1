import { afterAll, beforeAll, expect, test } from "vitest";
import { inTransaction, readRows, readRowsByKey } from "../src/db/direct-reads.ts";
import { Prisma } from "../src/db/generated/prisma/client.ts";
import { ORGANIZATION_OF_USER } from "../src/organizations/user-organization-schema.ts";
import { userSelectList } from "../src/users/read/user-selection.ts";
import { startTestServer, type TestServer } from "./support/test-server.ts";

// The hot reads go through the driver, not Prisma: their rows must be the
// rows Prisma reads, value for value, for every column a user has. So do the
// write transactions of upserts (inTransaction).

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
  const { projectId } = server;
  await server.prisma.organization.create({ data: { projectId, id: "org-1", name: "Org" } });
  await server.prisma.user.create({
    data: {
      projectId,
      id: "every-column",
      email: "e@example.com",
      phoneNumber: "+14155552671",
      name: "Every Column",
      title: "Engineer",
      nickname: "Ev",
      avatarUrl: "https://example.com/a.png",
      locale: "en-US",
      timezone: "Europe/Paris",
      status: "SUSPENDED",
      tags: ["a", "b"],
      properties: { plan: "pro", seats: 3, nested: { on: true } },
      organizationId: "org-1",
      webPushSubscriptions: [{ endpoint: "https://push.example.com/1" }],
      slackDestination: "#general",
      unsubscribedEmail: true,
      emailSuppressionReason: "BOUNCE",
      emailSuppressedAt: new Date("2026-02-01T00:00:00.123Z"),
      lastSeenAt: new Date("2026-03-01T00:00:00Z"),
      lastLoginAt: new Date("2026-03-02T00:00:00Z"),
      passwordHash: "$argon2id$v=19$m=19456,t=2,p=1$x$y",
      sessionsCount: 4,
      platforms: ["WEB", "IOS"],
      darkMode: true,
    },
  });
});
afterAll(() => server.close());

test("a user read through the driver is the user Prisma reads, organization joined", async () => {
  const everyField = { fields: null, joined: new Map([["organization", ORGANIZATION_OF_USER]]) };
  const sql = Prisma.sql`SELECT ${userSelectList(everyField, ["passwordHash"])} FROM users u
    WHERE u.project_id = ${server.projectId}::uuid AND u.id = ${"every-column"}`;
  const throughPrisma = await server.prisma.$queryRaw<object[]>(sql);
  expect(throughPrisma).toHaveLength(1);
  expect(await readRows(server.prisma, sql)).toEqual(throughPrisma);
  // Prepared by name (PostgreSQL): the same rows the first time and once prepared.
  for (let i = 0; i < 7; i++) expect(await readRowsByKey(server.prisma, sql)).toEqual(throughPrisma);
});

test("each read through the driver counts as a statement", async () => {
  const sql = Prisma.sql`SELECT id FROM organizations WHERE project_id = ${server.projectId}::uuid AND id = ANY(${["org-1"]}::text[])`;
  const statements = await server.recordStatements(async () => {
    await readRows(server.prisma, sql);
    await readRowsByKey(server.prisma, sql);
  });
  expect(statements).toEqual([sql.text, sql.text]);
});

test("a transaction through the driver reads a user as Prisma does, commits what it wrote, and counts its statements", async () => {
  const lock = Prisma.sql`SELECT u.id, u.tags, u.properties, u.email_suppressed_at AS "emailSuppressedAt", u.platforms::text[] AS platforms
    FROM users u WHERE u.project_id = ${server.projectId}::uuid AND u.id = 'every-column' FOR UPDATE`;
  const rename = Prisma.sql`UPDATE users SET nickname = 'Committed' WHERE project_id = ${server.projectId}::uuid AND id = 'every-column'`;
  let read: unknown[] = [];
  let changed = 0;
  const statements = await server.recordStatements(() =>
    inTransaction(server.prisma, async (tx) => {
      read = await tx.rows(lock);
      changed = await tx.execute(rename);
    }),
  );
  expect(read).toEqual(await server.prisma.$queryRaw(lock));
  expect(changed).toBe(1);
  expect(statements).toEqual([lock.text, rename.text]);
  expect(await server.prisma.user.findFirstOrThrow({ where: { id: "every-column" } })).toMatchObject({ nickname: "Committed" });
});

test("a transaction through the driver that throws leaves nothing written, and its connection goes back outside any transaction", async () => {
  const rename = (nickname: string) =>
    Prisma.sql`UPDATE users SET nickname = ${nickname} WHERE project_id = ${server.projectId}::uuid AND id = 'every-column'`;
  // On a connection handed back inside a transaction, the next transaction would find an id already assigned (or fail: 25P02).
  const connectionsAreClean = async () => {
    for (let i = 0; i < 12; i++) {
      const [fresh] = await inTransaction(server.prisma, (tx) => tx.rows(Prisma.sql`SELECT txid_current_if_assigned() AS xid`));
      expect(fresh).toEqual({ xid: null });
    }
  };
  await expect(
    inTransaction(server.prisma, async (tx) => {
      await tx.execute(rename("Rolled back"));
      throw new Error("the work failed");
    }),
  ).rejects.toThrow("the work failed");
  await connectionsAreClean();
  // A statement PostgreSQL refuses aborts the transaction as well.
  await expect(
    inTransaction(server.prisma, async (tx) => {
      await tx.execute(rename("Rolled back too"));
      await tx.rows(Prisma.sql`SELECT 1 / 0`);
    }),
  ).rejects.toMatchObject({ code: "22012" });
  await connectionsAreClean();
  expect(await server.prisma.user.findFirstOrThrow({ where: { id: "every-column" } })).toMatchObject({ nickname: "Committed" });
});
