import { randomUUID } from "node:crypto";
import { type GraphQLOutputType, isEnumType, isListType, isNonNullType, isObjectType, isScalarType } from "graphql";
import { afterAll, beforeAll, expect, test } from "vitest";
import { getDatamodel } from "../src/db/generated/pothos-types.ts";
import * as enums from "../src/db/generated/prisma/enums.ts";
import { schema } from "../src/schema.ts";
import { startTestServer, type TestServer } from "./support/test-server.ts";

// Every column of `users`, as Prisma's data model lists them, set to a value
// other than its default, must come through upserts unchanged and be read by
// list and user(id). Nothing here names a column: a new one is covered as
// soon as it is in schema.prisma.

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
  // Foreign keys get an existing row of their model: the project's built-in roles, and this organization.
  await server.prisma.organization.create({ data: { projectId: server.projectId, id: "columns-org", name: "Columns" } });
});
afterAll(() => server.close());

const MODEL = getDatamodel().datamodel.models.User!.fields;
const KEY = ["projectId", "id"];
const COLUMNS = MODEL.filter((field) => field.kind !== "object").map((field) => field.name);
const userType = schema.getType("User");
if (!isObjectType(userType)) throw new Error("no User type");
const graphqlFields = userType.getFields();
const SOME_TIME = new Date("2001-02-03T04:05:06.789Z");

/** A value of this GraphQL type that is nobody's default. */
function graphqlValue(type: GraphQLOutputType, name: string): unknown {
  if (isNonNullType(type)) return graphqlValue(type.ofType, name);
  if (isListType(type)) return [graphqlValue(type.ofType, name)];
  if (isEnumType(type)) return type.getValues().at(-1)!.value;
  if (isObjectType(type)) {
    return Object.fromEntries(Object.values(type.getFields()).map((field) => [field.name, graphqlValue(field.type, field.name)]));
  }
  if (isScalarType(type)) {
    const scalars: Record<string, unknown> = {
      String: `x-${name}`,
      ID: `x-${name}`,
      Boolean: true,
      Int: 7,
      Float: 7.5,
      DateTime: SOME_TIME,
      JSONObject: { [name]: "x" },
    };
    if (type.name in scalars) return scalars[type.name];
  }
  throw new Error(`no value for ${name}: ${String(type)}`);
}

/**
 * A value for a column no GraphQL field of its name shows: by its type in the
 * data model (text as a UUID, which uuid columns take too), or a row it refers to.
 */
async function modelValue(field: (typeof MODEL)[number]): Promise<unknown> {
  const relation = MODEL.find((other) => other.kind === "object" && other.relationFromFields?.includes(field.name));
  if (relation) {
    const delegate = (server.prisma as unknown as Record<string, { findFirstOrThrow(args: object): Promise<{ id: string }> }>)[
      relation.type.charAt(0).toLowerCase() + relation.type.slice(1)
    ]!;
    return (await delegate.findFirstOrThrow({ where: { projectId: server.projectId } })).id;
  }
  if (field.kind === "enum") return Object.values((enums as Record<string, Record<string, string>>)[field.type]!).at(-1);
  const values: Record<string, unknown> = {
    String: randomUUID(),
    Boolean: true,
    Int: 7,
    DateTime: SOME_TIME,
    Json: { [field.name]: "x" },
  };
  if (!(field.type in values)) throw new Error(`no value for ${field.name}: ${field.type}`);
  return values[field.type];
}

/** A user whose every column holds a value that is not its default. */
async function userWithEveryColumnSet(id: string) {
  await server.graphql(`mutation ($id: ID!) { upsertUser(id: $id, input: {}) { __typename } }`, { id });
  const data: Record<string, unknown> = {};
  for (const field of MODEL.filter((field) => field.kind !== "object" && !KEY.includes(field.name))) {
    data[field.name] = graphqlFields[field.name] ? graphqlValue(graphqlFields[field.name]!.type, field.name) : await modelValue(field);
  }
  return server.prisma.user.update({ where: { projectId_id: { projectId: server.projectId, id } }, data });
}

const readRow = (id: string) => server.prisma.user.findUniqueOrThrow({ where: { projectId_id: { projectId: server.projectId, id } } });

test("every column is set by this test to something other than its default", async () => {
  const row = await userWithEveryColumnSet("columns-set");
  const defaults = await server.prisma.user.create({ data: { projectId: server.projectId, id: "columns-defaults" } });
  const unchanged = COLUMNS.filter(
    (column) =>
      !KEY.includes(column) &&
      JSON.stringify(row[column as keyof typeof row]) === JSON.stringify(defaults[column as keyof typeof defaults]),
  );
  expect(unchanged).toEqual([]);
});

test("an upsert keeps every column it does not change", async () => {
  const before = await userWithEveryColumnSet("columns-upsert");
  const response = await server.graphql(`mutation { upsertUser(id: "columns-upsert", input: {}) { __typename } }`);
  expect(response.data.upsertUser.__typename).toBe("UpsertUserSuccess");
  const after = await readRow("columns-upsert");
  // What an upsert changes by contract: its version, updatedAt and (touchLastSeen) lastSeenAt.
  expect(after).toEqual({ ...before, version: before.version + 1, updatedAt: after.updatedAt, lastSeenAt: after.lastSeenAt });
});

test("a bulk upsert keeps every column it does not change", async () => {
  const before = await userWithEveryColumnSet("columns-bulk");
  const response = await server.graphql(`mutation { upsertUsers(users: [{ id: "columns-bulk", input: {} }]) { updatedCount } }`);
  expect(response.data.upsertUsers.updatedCount).toBe(1);
  const after = await readRow("columns-bulk");
  expect(after).toEqual({ ...before, version: before.version + 1, updatedAt: after.updatedAt, lastSeenAt: after.lastSeenAt });
});

test("list and user(id) read every column", async () => {
  const row = await userWithEveryColumnSet("columns-read");
  // The User fields that read columns: named after one, or saying which they read (readsUserFields).
  const reading = Object.values(graphqlFields).filter(
    (field) => COLUMNS.includes(field.name) || ((field.extensions as { userFields?: string[] }).userFields ?? []).length > 0,
  );
  const read = new Set(
    reading.flatMap((field) => (COLUMNS.includes(field.name) ? [field.name] : (field.extensions as { userFields: string[] }).userFields)),
  );
  // Never shown: the project (always the caller's), the password hash and the incarnation tokens are bound to.
  expect(COLUMNS.filter((column) => !read.has(column))).toEqual(["projectId", "passwordHash", "incarnation"]);

  const selectionOf = (type: GraphQLOutputType): string => {
    const named = isNonNullType(type) || isListType(type) ? selectionOf(type.ofType) : "";
    if (named || !isObjectType(type)) return named;
    const leaves = Object.values(type.getFields()).filter((field) => !isObjectType(unwrap(field.type)));
    return `{ ${leaves.map((field) => field.name).join(" ")} }`;
  };
  const selection = reading.map((field) => `${field.name} ${selectionOf(field.type)}`).join(" ");
  const response = await server.graphql(`{
    user(id: "columns-read") { ${selection} }
    users(first: 50, orderBy: { field: ID }) { nodes { id ${selection} } }
  }`);
  expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
  const single = response.data.user;
  const listed = response.data.users.nodes.find((node: { id: string }) => node.id === "columns-read");
  expect({ ...listed }).toEqual({ ...single, id: "columns-read" });
  for (const field of reading) {
    const stored = row[field.name as keyof typeof row];
    if (COLUMNS.includes(field.name))
      expect(single[field.name], field.name).toEqual(stored instanceof Date ? stored.toISOString() : stored);
    else expect(single[field.name], field.name).not.toBeNull();
  }
});

function unwrap(type: GraphQLOutputType): GraphQLOutputType {
  return isNonNullType(type) || isListType(type) ? unwrap(type.ofType) : type;
}
