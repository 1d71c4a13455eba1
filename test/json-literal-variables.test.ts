import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { startTestServer, type TestServer } from "./support/test-server.ts";

// Variables inside a JSONObject literal take the variable's value, as graphql-js
// gives it, whichever way the document is executed (see compiled-execution.ts):
// a document of one operation is compiled, a document of several is not.

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const UPSERT_WITH_PLAN = /* GraphQL */ `
  mutation SetPlan($id: ID!, $plan: String, $seats: Int) {
    upsertUser(id: $id, input: { properties: { plan: $plan, billing: { seats: $seats, extras: [$plan, "fixed"] } } }) {
      __typename
      ... on UpsertUserSuccess { user { properties } }
    }
  }
`;
const ANOTHER_OPERATION = /* GraphQL */ `query Other { channels { id } }`;
const PROPERTIES = /* GraphQL */ `query Properties($id: ID!) { user(id: $id) { properties } }`;

const documents = {
  "a single operation (compiled)": { query: UPSERT_WITH_PLAN, operationName: undefined },
  "one of several operations (graphql-js)": { query: `${UPSERT_WITH_PLAN}\n${ANOTHER_OPERATION}`, operationName: "SetPlan" },
};

describe.each(Object.entries(documents))("variables inside JSON literals: %s", (name, { query, operationName }) => {
  const id = `json-literal-${name.length}`;

  test("upsertUser writes the variables' values, at any depth and in lists", async () => {
    const response = await server.graphql(query, { id, plan: "pro", seats: 3 }, { operationName });
    expect(response.errors).toBeUndefined();
    const expected = { plan: "pro", billing: { seats: 3, extras: ["pro", "fixed"] } };
    expect(response.data.upsertUser).toEqual({ __typename: "UpsertUserSuccess", user: { properties: expected } });
    expect((await server.graphql(PROPERTIES, { id })).data.user.properties).toEqual(expected);
  });

  test("a variable set to null removes the key, as a literal null does", async () => {
    await server.graphql(query, { id, plan: "pro", seats: 3 }, { operationName });
    const response = await server.graphql(query, { id, plan: null, seats: 4 }, { operationName });
    expect(response.data.upsertUser.user.properties).toEqual({ billing: { seats: 4, extras: [null, "fixed"] } });
  });

  test("a variable left out leaves the key out, as an input field left out does", async () => {
    await server.graphql(query, { id, plan: "pro", seats: 3 }, { operationName });
    const response = await server.graphql(query, { id, seats: 5 }, { operationName });
    expect(response.data.upsertUser.user.properties).toEqual({ plan: "pro", billing: { seats: 5, extras: [null, "fixed"] } });
  });

  test("setChannelSettings writes the variable's value", async () => {
    const channel = await server.graphql(
      `mutation { createChannel(input: { name: "email-${id}", provider: EMAIL }) { ... on CreateChannelSuccess { channel { id } } } }`,
    );
    const channelId = channel.data.createChannel.channel.id;
    await server.prisma.user.upsert({
      where: { projectId_id: { projectId: server.projectId, id } },
      create: { projectId: server.projectId, id },
      update: {},
    });
    const settingsDocument = /* GraphQL */ `
      mutation SetEmail($userId: ID!, $channelId: ID!, $email: String) {
        setChannelSettings(userId: $userId, channelId: $channelId, settings: { email: $email }) {
          __typename
          ... on SetChannelSettingsSuccess { channelSettings { settings } }
          ... on ValidationError { fields { field reason } }
        }
      }
    `;
    const document = operationName ? `${settingsDocument}\n${ANOTHER_OPERATION}` : settingsDocument;
    const response = await server.graphql(
      document,
      { userId: id, channelId, email: "grace@example.com" },
      { operationName: operationName && "SetEmail" },
    );
    expect(response.data.setChannelSettings).toEqual({
      __typename: "SetChannelSettingsSuccess",
      channelSettings: { settings: { email: "grace@example.com" } },
    });
  });
});

test("JSON literals without variables work and print nothing outside the logger", async () => {
  const consoleError = vi.spyOn(console, "error");
  try {
    const response = await server.graphql(/* GraphQL */ `
      mutation { upsertUser(id: "json-literal-plain", input: { properties: { plan: "free" } }) { __typename } }
    `);
    expect(response.data.upsertUser.__typename).toBe("UpsertUserSuccess");
    expect(consoleError).not.toHaveBeenCalled();
  } finally {
    consoleError.mockRestore();
  }
});
