import { type GraphQLObjectType, getNamedType, isObjectType } from "graphql";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { schema } from "../src/schema.ts";
import { startTestServer, type TestServer } from "./support/test-server.ts";

// Lists read only the columns their selection needs (user-selection.ts); every
// field of a listed user must still read as it does on its own.

let server: TestServer;
const ID = "every-field";

beforeAll(async () => {
  server = await startTestServer();
  const organization = await server.graphql(`mutation { createOrganization(input: { id: "org-1", name: "Org" }) { __typename } }`);
  expect(organization.data.createOrganization.__typename).toBe("CreateOrganizationSuccess");
  const upsert = await server.graphql(`mutation ($input: UpsertUserInput!) { upsertUser(id: "${ID}", input: $input) { __typename } }`, {
    input: {
      email: "every@example.com",
      phoneNumber: "+14155552671",
      name: "Every Field",
      title: "Engineer",
      nickname: "Ev",
      avatarUrl: "https://example.com/a.png",
      locale: "en-US",
      timezone: "Europe/Paris",
      organizationId: "org-1",
      properties: { plan: "pro" },
      tags: ["listed"],
      unsubscribedEmail: true,
      unsubscribedTexting: true,
      pushTokens: [{ provider: "FCM", token: "every-token" }],
      webPushSubscriptions: [{ endpoint: "https://push.example.com/1", keys: { p256dh: "BNcR", auth: "tBHI" } }],
      slackDestination: "#general",
    },
  });
  expect(upsert.data.upsertUser.__typename).toBe("UpsertUserSuccess");
  const channel = await server.graphql(
    `mutation { createChannel(input: { name: "mail", provider: EMAIL }) { ... on CreateChannelSuccess { channel { id } } } }`,
  );
  expect(channel.errors).toBeUndefined();
  const settings = await server.graphql(
    `mutation ($channelId: ID!) { setChannelSettings(userId: "${ID}", channelId: $channelId, settings: { email: "e@example.com" }) { __typename } }`,
    { channelId: channel.data.createChannel.channel.id },
  );
  expect(settings.data.setChannelSettings.__typename).toBe("SetChannelSettingsSuccess");
  const preferences = await server.graphql(
    `mutation { setPreferences(userId: "${ID}", input: { commercialSubscribed: true }) { __typename } }`,
  );
  expect(preferences.data.setPreferences.__typename).toBe("SetPreferencesSuccess");
  for (const platform of ["WEB", "IOS"]) {
    const activity = await server.graphql(
      `mutation ($input: ActivityInput!) { trackActivity(userId: "${ID}", input: $input) { __typename } }`,
      {
        input: {
          platform,
          userAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X)",
          locale: "en-US",
          timezone: "Europe/Paris",
          country: "FR",
          city: "Paris",
        },
      },
    );
    expect(activity.data.trackActivity.__typename).toBe("TrackActivitySuccess");
  }
  // What only webhooks and members set.
  const role = await server.prisma.role.findFirstOrThrow({ where: { projectId: server.projectId } });
  await server.prisma.user.update({
    where: { projectId_id: { projectId: server.projectId, id: ID } },
    data: {
      emailSuppressionReason: "BOUNCE",
      emailSuppressedAt: new Date("2026-02-01T00:00:00Z"),
      lastSeenAt: new Date("2026-03-01T00:00:00Z"),
      lastLoginAt: new Date("2026-03-02T00:00:00Z"),
      roleId: role.id,
    },
  });
});
afterAll(() => server.close());

/** Each field of User as a selection: object fields with every scalar field of theirs. */
const userType = schema.getType("User") as GraphQLObjectType;
const selections = Object.values(userType.getFields()).map((field) => {
  const type = getNamedType(field.type);
  if (!isObjectType(type)) return field.name;
  const scalars = Object.values(type.getFields()).filter((sub) => !isObjectType(getNamedType(sub.type)));
  return `${field.name} { ${scalars.map((sub) => sub.name).join(" ")} }`;
});

async function readEveryWay(selection: string) {
  const response = await server.graphql(`{
    user(id: "${ID}") { ${selection} }
    users(first: 5, filter: { tags: ["listed"] }) { nodes { ${selection} } edges { node { ${selection} } } }
    byName: users(first: 5, filter: { tags: ["listed"] }, orderBy: { field: NAME }) { nodes { ${selection} } }
    searched: users(first: 5, filter: { query: "every" }) { nodes { ${selection} } }
    userPage(size: 5, filter: { tags: ["listed"] }) { items { ${selection} } }
    organization(id: "org-1") { users(first: 5) { nodes { ${selection} } } }
  }`);
  expect(response.errors).toBeUndefined();
  const { user, users, byName, searched, userPage, organization } = response.data;
  return {
    user,
    listed: [
      users.nodes,
      users.edges.map((edge: { node: unknown }) => edge.node),
      byName.nodes,
      searched.nodes,
      userPage.items,
      organization.users.nodes,
    ],
  };
}

describe("a listed user", () => {
  test.each(selections)("reads %s as user(id) does", async (selection) => {
    const { user, listed } = await readEveryWay(selection);
    const [value] = Object.values(user);
    expect(value, "the fixture sets every field").not.toBeNull();
    expect(value).not.toEqual([]);
    for (const nodes of listed) expect(nodes).toEqual([user]);
  });

  test("reads every field at once as user(id) does", async () => {
    const { user, listed } = await readEveryWay(selections.join(" "));
    for (const nodes of listed) expect(nodes).toEqual([user]);
  });

  test("reads what @include and @skip leave selected, request by request", async () => {
    const query = `query ($with: Boolean!) {
      users(first: 5, filter: { tags: ["listed"] }) { nodes { id organization @include(if: $with) { name } email @skip(if: $with) } }
    }`;
    for (const include of [false, true, false, true]) {
      const response = await server.graphql(query, { with: include });
      expect(response.data.users.nodes).toEqual([
        include ? { id: ID, organization: { name: "Org" } } : { id: ID, email: "every@example.com" },
      ]);
    }
  });
});
