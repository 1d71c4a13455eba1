import { afterAll, beforeAll, expect, test } from "vitest";
import { seedDirectory } from "../src/seed/seed-directory.ts";
import { startTestServer, type TestServer } from "./support/test-server.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
  await seedDirectory(server.prisma, server.projectId, { users: 3000, organizations: 40 });
});
afterAll(() => server.close());

test("the seed makes a directory the API serves: people, addresses, phones, tags and an organization tree", async () => {
  const { data } = await server.graphql(`{
    users(first: 1000) { totalCount nodes { id name email phoneNumber tags organization { id parent { id } } } }
    organizations(first: 100) { totalCount }
  }`);
  expect(data.users.totalCount).toBe(3000);
  expect(data.organizations.totalCount).toBe(40);
  const people = data.users.nodes as {
    name: string;
    email: string;
    phoneNumber: string;
    tags: string[];
    organization: { parent: unknown };
  }[];
  for (const person of people) {
    expect(person.name).toMatch(/^\S.* \S/);
    expect(person.email).toMatch(/^[a-z0-9.]+@[a-z.]+$/);
    expect(person.phoneNumber).toMatch(/^\+1\d{10}$/);
    expect(person.tags.length).toBeGreaterThan(0);
  }
  expect(people.some((person) => person.organization.parent !== null)).toBe(true);
  // Many distinct names, a few common ones: as in a real directory.
  const names = new Set(people.map((person) => person.name));
  expect(names.size).toBeGreaterThan(900);
  const family = people[0]!.name.split(" ").at(-1)!;
  const found = await server.graphql(`query ($query: String!) { users(first: 5, filter: { query: $query }) { totalCount } }`, {
    query: family,
  });
  expect(found.data.users.totalCount).toBeGreaterThan(0);
});
