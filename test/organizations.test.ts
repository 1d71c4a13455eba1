import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startTestServer, type TestServer } from "./support/test-server.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const CREATE = /* GraphQL */ `
  mutation Create($input: CreateOrganizationInput!) {
    createOrganization(input: $input) {
      __typename
      ... on CreateOrganizationSuccess { organization { id name parent { id } createdAt } }
      ... on ValidationError { fields { field reason } }
      ... on NotFoundError { resource id }
    }
  }
`;

async function create(input: { id?: string; name: string; parentId?: string }) {
  return (await server.graphql(CREATE, { input })).data.createOrganization;
}

async function addUser(id: string, organizationId: string | null) {
  await server.prisma.user.create({ data: { projectId: server.projectId, id, organizationId } });
}

describe("organizations", () => {
  test("create with or without an id, read back with parent and children", async () => {
    expect(await create({ id: "acme", name: "Acme" })).toMatchObject({
      __typename: "CreateOrganizationSuccess",
      organization: { id: "acme", name: "Acme", parent: null },
    });
    const generated = await create({ name: "Acme Labs", parentId: "acme" });
    expect(generated.organization.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(generated.organization.parent).toEqual({ id: "acme" });

    const read = await server.graphql('{ organization(id: "acme") { id name children { id name } parent { id } } }');
    expect(read.data.organization).toEqual({
      id: "acme",
      name: "Acme",
      parent: null,
      children: [{ id: generated.organization.id, name: "Acme Labs" }],
    });
    expect((await server.graphql('{ organization(id: "nope") { id } }')).data).toEqual({ organization: null });
  });

  test("a taken id, an empty name, an empty parent id or a missing parent are refused", async () => {
    await create({ id: "taken", name: "Taken" });
    expect(await create({ id: "taken", name: "Again" })).toEqual({
      __typename: "ValidationError",
      fields: [{ field: "id", reason: "conflict" }],
    });
    expect(await create({ name: "  " })).toEqual({ __typename: "ValidationError", fields: [{ field: "name", reason: "invalid" }] });
    // An empty parent id is no id at all, not a way to ask for the root.
    expect(await create({ name: "Rootless", parentId: "" })).toEqual({
      __typename: "ValidationError",
      fields: [{ field: "parentId", reason: "invalid" }],
    });
    expect(await create({ name: "Orphan", parentId: "missing" })).toEqual({
      __typename: "NotFoundError",
      resource: "organization",
      id: "missing",
    });
  });

  test("rename and move; a move into its own subtree is a ValidationError", async () => {
    await create({ id: "root", name: "Root" });
    await create({ id: "mid", name: "Mid", parentId: "root" });
    await create({ id: "leaf", name: "Leaf", parentId: "mid" });
    await create({ id: "other", name: "Other" });

    const renamed = await server.graphql(
      'mutation { renameOrganization(id: "leaf", name: "Leaf 2") { __typename ... on RenameOrganizationSuccess { organization { name } } } }',
    );
    expect(renamed.data.renameOrganization).toEqual({ __typename: "RenameOrganizationSuccess", organization: { name: "Leaf 2" } });

    const MOVE = `mutation ($id: ID!, $parentId: ID) { moveOrganization(id: $id, parentId: $parentId) {
      __typename ... on MoveOrganizationSuccess { organization { id parent { id } } } ... on ValidationError { fields { field reason } } ... on NotFoundError { id } } }`;
    for (const parentId of ["root", "mid", "leaf"]) {
      const cycle = await server.graphql(MOVE, { id: "root", parentId });
      expect(cycle.data.moveOrganization, parentId).toEqual({
        __typename: "ValidationError",
        fields: [{ field: "parentId", reason: "invalid" }],
      });
    }
    expect((await server.graphql(MOVE, { id: "mid", parentId: "other" })).data.moveOrganization).toEqual({
      __typename: "MoveOrganizationSuccess",
      organization: { id: "mid", parent: { id: "other" } },
    });
    expect((await server.graphql(MOVE, { id: "mid", parentId: null })).data.moveOrganization.organization.parent).toBeNull();
    expect((await server.graphql(MOVE, { id: "ghost", parentId: null })).data.moveOrganization).toEqual({
      __typename: "NotFoundError",
      id: "ghost",
    });
  });

  test("delete only without users and children", async () => {
    await create({ id: "parent-org", name: "P" });
    await create({ id: "child-org", name: "C", parentId: "parent-org" });
    await addUser("member-of-child", "child-org");
    const DELETE = `mutation ($id: ID!) { deleteOrganization(id: $id) {
      __typename ... on DeleteOrganizationSuccess { id } ... on ValidationError { fields { field reason } } ... on NotFoundError { id } } }`;
    for (const id of ["parent-org", "child-org"]) {
      expect((await server.graphql(DELETE, { id })).data.deleteOrganization, id).toEqual({
        __typename: "ValidationError",
        fields: [{ field: "id", reason: "conflict" }],
      });
    }
    await server.prisma.user.delete({ where: { projectId_id: { projectId: server.projectId, id: "member-of-child" } } });
    expect((await server.graphql(DELETE, { id: "child-org" })).data.deleteOrganization).toEqual({
      __typename: "DeleteOrganizationSuccess",
      id: "child-org",
    });
    expect((await server.graphql(DELETE, { id: "child-org" })).data.deleteOrganization.__typename).toBe("NotFoundError");
  });

  test("organizations(first, after, parentId) pages by id with totalCount", async () => {
    await create({ id: "tree", name: "Tree" });
    for (const id of ["tree-c", "tree-a", "tree-b"]) await create({ id, name: id, parentId: "tree" });
    const QUERY = `query ($after: String) { organizations(first: 2, after: $after, parentId: "tree") {
      totalCount nodes { id } pageInfo { hasNextPage endCursor } } }`;
    const first = (await server.graphql(QUERY)).data.organizations;
    expect(first).toMatchObject({ totalCount: 3, nodes: [{ id: "tree-a" }, { id: "tree-b" }], pageInfo: { hasNextPage: true } });
    const second = (await server.graphql(QUERY, { after: first.pageInfo.endCursor })).data.organizations;
    expect(second).toMatchObject({ nodes: [{ id: "tree-c" }], pageInfo: { hasNextPage: false } });
  });

  test("users of an organization, with or without its whole subtree, through filter and Organization.users", async () => {
    await create({ id: "sub-root", name: "R" });
    await create({ id: "sub-a", name: "A", parentId: "sub-root" });
    await create({ id: "sub-a-1", name: "A1", parentId: "sub-a" });
    await addUser("in-root", "sub-root");
    await addUser("in-a", "sub-a");
    await addUser("in-a-1", "sub-a-1");

    const ids = (connection: { nodes: { id: string }[] }) => connection.nodes.map((node) => node.id).sort();
    const direct = await server.graphql('{ users(filter: { organizationId: "sub-root" }) { totalCount nodes { id } } }');
    expect(ids(direct.data.users)).toEqual(["in-root"]);
    const subtree = await server.graphql(
      '{ users(filter: { organizationId: "sub-root", includeSubOrganizations: true }) { totalCount nodes { id } } }',
    );
    expect(subtree.data.users.totalCount).toBe(3);
    expect(ids(subtree.data.users)).toEqual(["in-a", "in-a-1", "in-root"]);
    const field = await server.graphql(
      '{ organization(id: "sub-a") { users(includeSubOrganizations: true) { nodes { id organization { id } } } } }',
    );
    expect(field.data.organization.users.nodes).toEqual([
      { id: "in-a", organization: { id: "sub-a" } },
      { id: "in-a-1", organization: { id: "sub-a-1" } },
    ]);
  });
});

describe("batching", () => {
  test("organizations, parents and children cost one statement per level, whatever the page size", async () => {
    await create({ id: "batch-top", name: "Top" });
    for (let i = 0; i < 30; i++) {
      await create({ id: `batch-${i}`, name: `Org ${i}`, parentId: "batch-top" });
      await addUser(`batch-user-${String(i).padStart(2, "0")}`, `batch-${i}`);
    }
    const query = (first: number) => `{ users(first: ${first}, filter: { organizationId: "batch-top", includeSubOrganizations: true }) {
      nodes { id organization { name parent { name children { id } } } } } }`;
    const small = await server.countStatements(() => server.graphql(query(3)));
    const large = await server.countStatements(() => server.graphql(query(30)));
    // the page with its users' organizations, their parents, the parents' children (the key is known from earlier requests)
    expect(large).toBe(3);
    expect(small).toBe(large);
  });

  test("users(first: 50) with organizations: one statement with a known key, the organizations read along; totalCount one more", async () => {
    const count = await server.countStatements(() => server.graphql("{ users(first: 50) { nodes { organization { name } } } }"));
    expect(count).toBe(1);
    const withTotal = await server.countStatements(() =>
      server.graphql("{ users(first: 50) { totalCount nodes { organization { name } } } }"),
    );
    expect(withTotal).toBe(2);
  });
});
