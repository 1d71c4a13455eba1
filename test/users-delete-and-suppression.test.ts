import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startTestServer, type TestServer } from "./support/test-server.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const UPSERT = /* GraphQL */ `
  mutation Upsert($id: ID!, $input: UpsertUserInput!) { upsertUser(id: $id, input: $input) { __typename } }
`;
const DELETE = /* GraphQL */ `
  mutation Delete($id: ID!) {
    deleteUser(id: $id) {
      __typename
      ... on DeleteUserSuccess { id }
      ... on NotFoundError { code resource id }
    }
  }
`;
const SUPPRESSION = /* GraphQL */ `emailSuppression { reason at } version updatedAt`;
const SET = /* GraphQL */ `
  mutation Set($userId: ID!, $reason: EmailSuppressionReason!) {
    setEmailSuppression(userId: $userId, reason: $reason) {
      __typename
      ... on SetEmailSuppressionSuccess { user { id ${SUPPRESSION} } }
      ... on NotFoundError { resource id }
    }
  }
`;
const CLEAR = /* GraphQL */ `
  mutation Clear($userId: ID!) {
    clearEmailSuppression(userId: $userId) {
      __typename
      ... on ClearEmailSuppressionSuccess { user { id ${SUPPRESSION} } }
      ... on NotFoundError { resource id }
    }
  }
`;

describe("deleteUser", () => {
  test("removes the user with its push tokens and channel settings", async () => {
    const { projectId, prisma } = server;
    await server.graphql(UPSERT, { id: "leaver", input: { pushTokens: [{ provider: "FCM", token: "leaver-token" }] } });
    await server.graphql(UPSERT, { id: "stayer", input: { pushTokens: [{ provider: "FCM", token: "stayer-token" }] } });
    const channel = await prisma.channel.create({ data: { projectId, name: "email", provider: "EMAIL" } });
    for (const userId of ["leaver", "stayer"]) {
      await prisma.channelSettings.create({
        data: { projectId, userId, channelId: channel.id, settings: { email: `${userId}@example.com` } },
      });
    }

    const response = await server.graphql(DELETE, { id: "leaver" });
    expect(response.data.deleteUser).toEqual({ __typename: "DeleteUserSuccess", id: "leaver" });
    expect(await prisma.user.count({ where: { projectId, id: "leaver" } })).toBe(0);
    expect(await prisma.pushToken.count({ where: { projectId, userId: "leaver" } })).toBe(0);
    expect(await prisma.channelSettings.count({ where: { projectId, userId: "leaver" } })).toBe(0);
    expect(await prisma.pushToken.count({ where: { projectId, userId: "stayer" } })).toBe(1);
    expect(await prisma.channelSettings.count({ where: { projectId, userId: "stayer" } })).toBe(1);
  });

  test("a user that does not exist, here or only in another project, is NotFoundError", async () => {
    const other = await server.createProject("delete-other");
    await server.graphql(UPSERT, { id: "theirs", input: {} }, { key: other.secretKey });
    for (const id of ["ghost", "theirs"]) {
      expect((await server.graphql(DELETE, { id })).data.deleteUser).toEqual({
        __typename: "NotFoundError",
        code: "not_found",
        resource: "user",
        id,
      });
    }
    expect(await server.prisma.user.count({ where: { projectId: other.projectId, id: "theirs" } })).toBe(1);
  });
});

describe("setEmailSuppression and clearEmailSuppression", () => {
  test("set records the reason and when; a repeat changes nothing; another reason replaces it", async () => {
    await server.graphql(UPSERT, { id: "bouncer", input: { email: "bouncer@example.com" } });
    const set = (await server.graphql(SET, { userId: "bouncer", reason: "BOUNCE" })).data.setEmailSuppression;
    expect(set).toMatchObject({ __typename: "SetEmailSuppressionSuccess", user: { version: 2, emailSuppression: { reason: "BOUNCE" } } });

    const repeated = (await server.graphql(SET, { userId: "bouncer", reason: "BOUNCE" })).data.setEmailSuppression;
    expect(repeated).toEqual(set);

    const complaint = (await server.graphql(SET, { userId: "bouncer", reason: "COMPLAINT" })).data.setEmailSuppression;
    expect(complaint.user).toMatchObject({ version: 3, emailSuppression: { reason: "COMPLAINT" } });
  });

  test("an upsert leaves the suppression alone; clear lifts it once", async () => {
    await server.graphql(UPSERT, { id: "complainer", input: {} });
    await server.graphql(SET, { userId: "complainer", reason: "COMPLAINT" });
    await server.graphql(UPSERT, { id: "complainer", input: { email: "new@example.com" } });
    const cleared = (await server.graphql(CLEAR, { userId: "complainer" })).data.clearEmailSuppression;
    expect(cleared).toMatchObject({ __typename: "ClearEmailSuppressionSuccess", user: { emailSuppression: null, version: 4 } });
    const again = (await server.graphql(CLEAR, { userId: "complainer" })).data.clearEmailSuppression;
    expect(again.user).toMatchObject({ emailSuppression: null, version: 4 });
  });

  test("a user that does not exist is NotFoundError", async () => {
    expect((await server.graphql(SET, { userId: "nobody", reason: "BOUNCE" })).data.setEmailSuppression).toEqual({
      __typename: "NotFoundError",
      resource: "user",
      id: "nobody",
    });
    expect((await server.graphql(CLEAR, { userId: "nobody" })).data.clearEmailSuppression).toMatchObject({
      __typename: "NotFoundError",
    });
  });
});
