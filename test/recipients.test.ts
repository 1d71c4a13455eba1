import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startTestServer, type TestServer } from "./support/test-server.ts";

// resolveRecipients through the GraphQL endpoint: the decision for every
// destination, the sets that apply, and audiences paged set-based.

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
  await server.graphql(`mutation {
    a: createOrganization(input: { id: "acme", name: "Acme" }) { __typename }
    b: createOrganization(input: { id: "acme-eu", name: "Acme EU", parentId: "acme" }) { __typename }
    c: createOrganization(input: { id: "globex", name: "Globex" }) { __typename }
    w1: defineWorkflow(input: { key: "digest", categories: ["news"] }) { __typename }
    w2: defineWorkflow(input: { key: "alert", critical: true }) { __typename }
    w3: defineWorkflow(input: { key: "promo", commercial: true, categories: ["marketing"] }) { __typename }
  }`);
  const projectId = server.projectId;
  await server.prisma.user.createMany({
    data: [
      {
        projectId,
        id: "ada",
        email: "ada@example.com",
        phoneNumber: "+15550101",
        timezone: "Europe/Berlin",
        organizationId: "acme-eu",
        properties: { plan: "pro" },
      },
      {
        projectId,
        id: "bob",
        email: "bob@example.com",
        phoneNumber: "+15550102",
        unsubscribedEmail: true,
        unsubscribedTexting: true,
        organizationId: "acme",
      },
      {
        projectId,
        id: "cy",
        email: "cy@example.com",
        emailSuppressionReason: "BOUNCE",
        emailSuppressedAt: new Date(),
        organizationId: "acme",
      },
      { projectId, id: "dee", email: "dee@example.com", status: "SUSPENDED", organizationId: "globex" },
      { projectId, id: "eve", slackDestination: "U123", timezone: "America/New_York", organizationId: "globex" },
    ],
  });
  await server.prisma.pushToken.create({ data: { projectId, userId: "ada", provider: "APNS", token: "apns-ada", position: 0 } });
});
afterAll(() => server.close());

const RESOLVE = /* GraphQL */ `
  query Resolve($workflow: String!, $category: String, $organizationId: ID, $data: JSONObject, $at: DateTime, $userIds: [ID!], $filter: UserFilter, $first: Int, $after: String) {
    resolveRecipients(workflow: $workflow, category: $category, organizationId: $organizationId, data: $data, at: $at, userIds: $userIds, filter: $filter, first: $first, after: $after) {
      nodes { user { id } reachable channels { channelType channel { name } provider destination allowed reason allowedAt } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;
type Decision = {
  channelType: string;
  channel: { name: string } | null;
  provider: string | null;
  destination: string | null;
  allowed: boolean;
  reason: string;
  allowedAt: string | null;
};
type Node = { user: { id: string }; reachable: boolean; channels: Decision[] };

async function resolve(variables: Record<string, unknown>, options = {}) {
  const response = await server.graphql(RESOLVE, variables, options);
  if (response.errors) throw new Error(JSON.stringify(response.errors));
  return response.data.resolveRecipients as { nodes: Node[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}
/** `CHANNEL_TYPE:destination:REASON` of each decision of one user. */
async function reasonsOf(userId: string, variables: Record<string, unknown> = {}) {
  const { nodes } = await resolve({ workflow: "digest", userIds: [userId], ...variables });
  return nodes[0]!.channels.map((d) => `${d.channelType}:${d.destination ?? "-"}:${d.reason}`);
}
const SET = /* GraphQL */ `
  mutation Set($userId: ID!, $setId: ID, $input: PreferenceSetInput!) {
    setPreferences(userId: $userId, setId: $setId, input: $input) { __typename ... on ValidationError { fields { field } } }
  }
`;
async function setPreferences(userId: string, input: object, setId?: string) {
  const response = await server.graphql(SET, { userId, input, setId });
  expect(response.data.setPreferences.__typename).toBe("SetPreferencesSuccess");
}

describe("decisions", () => {
  test("one decision per channel type and destination, with provider and channel", async () => {
    const created = await server.graphql(
      `mutation { createChannel(input: { name: "work-mail", provider: EMAIL }) { ... on CreateChannelSuccess { channel { id } } } }`,
    );
    const channelId = created.data.createChannel.channel.id;
    await server.graphql(
      `mutation S($c: ID!) { setChannelSettings(userId: "ada", channelId: $c, settings: { email: "ada@work.example" }) { __typename } }`,
      { c: channelId },
    );
    const { nodes } = await resolve({ workflow: "digest", userIds: ["ada"] });
    expect(nodes).toEqual([
      {
        user: { id: "ada" },
        reachable: true,
        channels: [
          {
            channelType: "EMAIL",
            channel: null,
            provider: "EMAIL",
            destination: "ada@example.com",
            allowed: true,
            reason: "ALLOWED",
            allowedAt: null,
          },
          {
            channelType: "EMAIL",
            channel: { name: "work-mail" },
            provider: "EMAIL",
            destination: "ada@work.example",
            allowed: true,
            reason: "ALLOWED",
            allowedAt: null,
          },
          {
            channelType: "SMS",
            channel: null,
            provider: "SMS",
            destination: "+15550101",
            allowed: true,
            reason: "ALLOWED",
            allowedAt: null,
          },
          {
            channelType: "PUSH",
            channel: null,
            provider: "APNS",
            destination: "apns-ada",
            allowed: true,
            reason: "ALLOWED",
            allowedAt: null,
          },
          {
            channelType: "CHAT",
            channel: null,
            provider: null,
            destination: null,
            allowed: false,
            reason: "NO_DESTINATION",
            allowedAt: null,
          },
          { channelType: "IN_APP", channel: null, provider: null, destination: null, allowed: true, reason: "ALLOWED", allowedAt: null },
        ],
      },
    ]);
    // The channel preference beats the channel type: the work address stays allowed.
    await setPreferences("ada", { channelTypes: [{ channelType: "EMAIL", enabled: false }], channels: [{ channelId, enabled: true }] });
    expect((await reasonsOf("ada")).slice(0, 2)).toEqual([
      "EMAIL:ada@example.com:OPTED_OUT_CHANNEL_TYPE",
      "EMAIL:ada@work.example:ALLOWED",
    ]);
    await setPreferences("ada", { channelTypes: [{ channelType: "EMAIL", enabled: null }], channels: [{ channelId, enabled: false }] });
    expect((await reasonsOf("ada")).slice(0, 2)).toEqual(["EMAIL:ada@example.com:ALLOWED", "EMAIL:ada@work.example:OPTED_OUT_CHANNEL"]);
    await setPreferences("ada", { channels: [{ channelId, enabled: null }] });
  });

  test("unsubscribe flags, suppression and inactivity; a critical workflow overrides only the flags", async () => {
    expect((await reasonsOf("bob")).slice(0, 2)).toEqual(["EMAIL:bob@example.com:UNSUBSCRIBED", "SMS:+15550102:UNSUBSCRIBED"]);
    expect((await reasonsOf("bob", { workflow: "alert" })).slice(0, 2)).toEqual([
      "EMAIL:bob@example.com:CRITICAL_OVERRIDE",
      "SMS:+15550102:CRITICAL_OVERRIDE",
    ]);
    expect((await reasonsOf("cy", { workflow: "alert" }))[0]).toBe("EMAIL:cy@example.com:EMAIL_SUPPRESSED");
    expect(await reasonsOf("dee", { workflow: "alert" })).toEqual([
      "EMAIL:dee@example.com:USER_INACTIVE",
      "SMS:-:USER_INACTIVE",
      "PUSH:-:USER_INACTIVE",
      "CHAT:-:USER_INACTIVE",
      "IN_APP:-:USER_INACTIVE",
    ]);
    const { nodes } = await resolve({ workflow: "alert", userIds: ["dee"] });
    expect(nodes[0]!.reachable).toBe(false);
  });

  test("categories, workflow rules over them, commercial consent and conditions on recipient and data", async () => {
    await setPreferences("eve", {
      categories: [
        { key: "news", enabled: false },
        { key: "marketing", enabled: true },
      ],
    });
    expect((await reasonsOf("eve"))[3]).toBe("CHAT:U123:OPTED_OUT_CATEGORY");
    expect((await reasonsOf("eve", { workflow: "alert", category: "news" }))[3]).toBe("CHAT:U123:CRITICAL_OVERRIDE");
    expect((await reasonsOf("eve", { workflow: "promo" }))[3]).toBe("CHAT:U123:COMMERCIAL_UNSUBSCRIBED");
    await setPreferences("eve", { commercialSubscribed: true, workflows: [{ key: "digest", enabled: true }] });
    expect((await reasonsOf("eve"))[3]).toBe("CHAT:U123:ALLOWED");
    expect((await reasonsOf("eve", { workflow: "promo" }))[3]).toBe("CHAT:U123:ALLOWED");
    // The call's category counts too.
    await setPreferences("eve", { categories: [{ key: "security", channelTypes: [{ channelType: "CHAT", enabled: false }] }] });
    expect((await reasonsOf("eve", { workflow: "promo", category: "security" }))[3]).toBe("CHAT:U123:OPTED_OUT_CATEGORY");
    await setPreferences("eve", {
      workflows: [{ key: "digest", enabled: false }],
      categories: [{ key: "news", enabled: null }],
    });
    expect((await reasonsOf("eve"))[3]).toBe("CHAT:U123:OPTED_OUT_WORKFLOW");

    await setPreferences("ada", {
      workflows: [
        {
          key: "digest",
          conditions: [
            { variable: "data.amount", operator: "GREATER_THAN_OR_EQUAL_TO", argument: "100" },
            { variable: "recipient.plan", operator: "EQUAL_TO", argument: "pro" },
            { variable: "recipient.organizationId", operator: "CONTAINS", argument: "acme" },
          ],
        },
      ],
    });
    expect((await reasonsOf("ada", { data: { amount: 150 } }))[0]).toBe("EMAIL:ada@example.com:ALLOWED");
    expect((await reasonsOf("ada", { data: { amount: 50 } }))[0]).toBe("EMAIL:ada@example.com:CONDITION_NOT_MET");
    expect((await reasonsOf("ada"))[0]).toBe("EMAIL:ada@example.com:CONDITION_NOT_MET");
    await setPreferences("ada", { workflows: [{ key: "digest", enabled: null }] });
  });

  test("quiet hours across midnight and across a DST change, in the user's time zone", async () => {
    await setPreferences("eve", {
      workflows: [{ key: "digest", enabled: null }],
      quietHours: { start: "22:00", end: "07:00", channelTypes: ["CHAT"] },
    });
    // 01:30 EST on the night New York springs forward: the window ends at 07:00 EDT.
    const { nodes } = await resolve({ workflow: "digest", userIds: ["eve"], at: "2026-03-08T06:30:00Z" });
    expect(nodes[0]!.channels[3]).toMatchObject({ reason: "QUIET_HOURS", allowed: false, allowedAt: "2026-03-08T11:00:00.000Z" });
    // 23:30 EDT in summer: across midnight, until 07:00 EDT the next day.
    const summer = await resolve({ workflow: "digest", userIds: ["eve"], at: "2026-07-01T03:30:00Z" });
    expect(summer.nodes[0]!.channels[3]).toMatchObject({ reason: "QUIET_HOURS", allowedAt: "2026-07-01T11:00:00.000Z" });
    const noon = await resolve({ workflow: "digest", userIds: ["eve"], at: "2026-07-01T16:00:00Z" });
    expect(noon.nodes[0]!.channels[3]).toMatchObject({ reason: "ALLOWED", allowedAt: null });
    const critical = await resolve({ workflow: "alert", userIds: ["eve"], at: "2026-03-08T06:30:00Z" });
    expect(critical.nodes[0]!.channels[3]).toMatchObject({ reason: "CRITICAL_OVERRIDE", allowed: true });
  });

  test("an organization's set overrides the default set for sends in its context; defaults stand in for users without sets", async () => {
    await setPreferences("ada", { channelTypes: [{ channelType: "SMS", enabled: false }] }, "acme");
    expect((await reasonsOf("ada"))[2]).toBe("SMS:+15550101:ALLOWED");
    expect((await reasonsOf("ada", { organizationId: "acme" }))[2]).toBe("SMS:+15550101:OPTED_OUT_CHANNEL_TYPE");
    // No set for globex: the user's default set applies.
    expect((await reasonsOf("ada", { organizationId: "globex" }))[2]).toBe("SMS:+15550101:ALLOWED");

    await server.graphql(
      `mutation { setDefaultPreferences(input: { channelTypes: [{ channelType: IN_APP, enabled: false }] }) { __typename } }`,
    );
    expect((await reasonsOf("cy")).at(-1)).toBe("IN_APP:-:OPTED_OUT_CHANNEL_TYPE");
    expect((await reasonsOf("ada")).at(-1)).toBe("IN_APP:-:ALLOWED");
    await server.graphql(
      `mutation { setDefaultPreferences(input: { channelTypes: [{ channelType: IN_APP, enabled: null }] }) { __typename } }`,
    );
  });

  test("an unknown workflow or both userIds and filter are BAD_USER_INPUT", async () => {
    const unknown = await server.graphql(RESOLVE, { workflow: "nope", userIds: ["ada"] });
    expect(unknown.errors?.[0]?.extensions.code).toBe("BAD_USER_INPUT");
    const both = await server.graphql(RESOLVE, { workflow: "digest", userIds: ["ada"], filter: {} });
    expect(both.errors?.[0]?.extensions.code).toBe("BAD_USER_INPUT");
  });
});

describe("audiences", () => {
  test("a filter is paged by id, and a page of 1000 costs the same statements as a page of 10", async () => {
    await server.graphql(`mutation { createOrganization(input: { id: "big", name: "Big", parentId: "globex" }) { __typename } }`);
    await server.prisma.user.createMany({
      data: Array.from({ length: 2300 }, (_, i) => ({
        projectId: server.projectId,
        id: `m${String(i).padStart(5, "0")}`,
        email: `m${i}@example.com`,
        organizationId: "big",
      })),
    });
    const filter = { organizationId: "globex", includeSubOrganizations: true };
    const seen: string[] = [];
    const counts: number[] = [];
    let after: string | null = null;
    do {
      let page!: Awaited<ReturnType<typeof resolve>>;
      counts.push(await server.countStatements(async () => (page = await resolve({ workflow: "digest", filter, first: 1000, after }))));
      seen.push(...page.nodes.map((node) => node.user.id));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    expect(seen).toHaveLength(2302); // 2300 + dee + eve
    expect(new Set(seen).size).toBe(2302);
    expect(seen).toEqual([...seen].sort());
    const small = await server.countStatements(() => resolve({ workflow: "digest", filter, first: 10 }));
    // What the send shares (workflow, defaults, channels), and the page with every user's destinations and set.
    expect(counts).toEqual([2, 2, 2]);
    expect(small).toBe(2);
  });

  test("another project's users never resolve, and a member sees its reach only", async () => {
    const other = await server.createProject("other-recipients");
    await server.graphql(`mutation { defineWorkflow(input: { key: "digest" }) { __typename } }`, {}, { key: other.secretKey });
    const byId = await server.graphql(RESOLVE, { workflow: "digest", userIds: ["ada", "bob"] }, { key: other.secretKey });
    expect(byId.data.resolveRecipients.nodes).toEqual([]);
    const all = await server.graphql(RESOLVE, { workflow: "digest", filter: {} }, { key: other.secretKey });
    expect(all.data.resolveRecipients.nodes).toEqual([]);

    const app = { key: null, headers: { "x-api-key": await server.createPublishableKey() } };
    const email = "recipients.admin@example.com";
    const registered = await server.graphql(
      `mutation R($input: RegisterUserInput!) { registerUser(input: $input) { ... on RegisterUserSuccess { user { id } organization { id } } } }`,
      { input: { email, password: "correct horse battery", name: "Recipients Admin" } },
      app,
    );
    const signIn = await server.graphql(
      `mutation { signIn(email: "${email}", password: "correct horse battery") { ... on SignInSuccess { accessToken } } }`,
      {},
      app,
    );
    const member = { key: signIn.data.signIn.accessToken };
    const reached = await server.graphql(RESOLVE, { workflow: "digest", filter: {} }, member);
    expect(reached.data.resolveRecipients.nodes.map((node: Node) => node.user.id)).toEqual([registered.data.registerUser.user.id]);
    const named = await server.graphql(RESOLVE, { workflow: "digest", userIds: ["ada"] }, member);
    expect(named.data.resolveRecipients.nodes).toEqual([]);
    const elsewhere = await server.graphql(RESOLVE, { workflow: "digest", userIds: ["ada"], organizationId: "acme" }, member);
    expect(elsewhere.data?.resolveRecipients ?? null).toBeNull();
  });
});
