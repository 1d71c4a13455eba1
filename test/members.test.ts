import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type GraphQLResponse, startTestServer, type TestServer } from "./support/test-server.ts";

let server: TestServer;
let publishableKey: string;
beforeAll(async () => {
  server = await startTestServer();
  publishableKey = await server.createPublishableKey();
});
afterAll(() => server.close());

type Response = GraphQLResponse;

/** A client app before anyone signed in: its publishable key alone. */
const asApp = { key: null, headers: { "x-api-key": "" } };
const app = () => ({ ...asApp, headers: { "x-api-key": publishableKey } });
const asMember = (accessToken: string) => ({ key: accessToken });

const ERROR = /* GraphQL */ `__typename ... on Error { code message }`;
const INVALID = /* GraphQL */ `... on ValidationError { fields { field reason message } }`;
const NOT_FOUND = /* GraphQL */ `... on NotFoundError { resource id }`;
/** The error fragments of a result union holding both ValidationError and NotFoundError. */
const RESULT = `${ERROR} ${INVALID} ${NOT_FOUND}`;

const REGISTER = /* GraphQL */ `
  mutation Register($input: RegisterUserInput!) {
    registerUser(input: $input) {
      ${ERROR} ${INVALID}
      ... on RegisterUserSuccess { user { id email name status role { id name permissions } } organization { id name } }
    }
  }
`;
const SIGN_IN = /* GraphQL */ `
  mutation SignIn($email: String!, $password: String!) {
    signIn(email: $email, password: $password) {
      ${ERROR} ${INVALID}
      ... on SignInSuccess { accessToken expiresAt user { id lastLoginAt role { id } } }
    }
  }
`;
const INVITE = /* GraphQL */ `
  mutation Invite($input: InviteUserInput!) {
    inviteUser(input: $input) {
      ${RESULT}
      ... on InviteUserSuccess { user { id email status role { id } organization { id } } invitation { id expiresAt token } }
    }
  }
`;
const ACCEPT = /* GraphQL */ `
  mutation Accept($token: String!, $password: String!, $name: String) {
    acceptInvitation(token: $token, password: $password, name: $name) {
      ${ERROR} ${INVALID}
      ... on AcceptInvitationSuccess { user { id status name } }
    }
  }
`;
const SET_STATUS = /* GraphQL */ `
  mutation SetStatus($userId: ID!, $status: UserStatus!) {
    setUserStatus(userId: $userId, status: $status) {
      ${ERROR} ${NOT_FOUND}
      ... on SetUserStatusSuccess { user { id status version } }
      ... on InvalidTransitionError { currentStatus allowedTransitions }
    }
  }
`;

let emails = 0;
const newEmail = (name = "member") => `${name}.${++emails}@example.com`;

async function register(input: Record<string, unknown>): Promise<Response> {
  return server.graphql(REGISTER, { input: { password: "correct horse battery", ...input } }, app());
}

async function signIn(email: string, password = "correct horse battery") {
  return server.graphql(SIGN_IN, { email, password }, app());
}

/** Registers someone and signs it in: an admin of an organization of its own. */
async function registeredAdmin(name = "Ada Lovelace") {
  const email = newEmail();
  const registered = (await register({ email, name })).data.registerUser;
  const { accessToken } = (await signIn(email)).data.signIn;
  return {
    email,
    userId: registered.user.id as string,
    organizationId: registered.organization.id as string,
    accessToken: accessToken as string,
  };
}

describe("registerUser", () => {
  test("signs up an ACTIVE admin of a new organization named after it", async () => {
    const email = newEmail();
    const response = await register({ email: email.toUpperCase(), name: "Ada Lovelace", title: "Countess", nickname: "ada-1" });
    const result = response.data.registerUser;
    expect(result.__typename).toBe("RegisterUserSuccess");
    expect(result.user).toMatchObject({ email, name: "Ada Lovelace", status: "ACTIVE", role: { id: "admin", name: "admin" } });
    expect(result.user.role.permissions).toContain("members:write");
    expect(result.organization.name).toBe("Ada Lovelace's organization");
    const stored = await server.prisma.user.findUniqueOrThrow({
      where: { projectId_id: { projectId: server.projectId, id: result.user.id } },
    });
    expect(stored.organizationId).toBe(result.organization.id);
  });

  test("names the organization organizationName when given", async () => {
    const response = await register({ email: newEmail(), name: "Grace", organizationName: "Navy" });
    expect(response.data.registerUser.organization.name).toBe("Navy");
  });

  test("reports every problem at once: name, title, nickname, phone, timezone and a weak password", async () => {
    const response = await server.graphql(
      REGISTER,
      {
        input: {
          email: "not an email",
          password: "short",
          name: "Ada 2",
          title: "Dr.",
          nickname: "ada_1",
          phoneNumber: "12",
          timezone: "Mars/Olympus",
        },
      },
      app(),
    );
    const result = response.data.registerUser;
    expect(result.__typename).toBe("ValidationError");
    const fields = result.fields.map((problem: { field: string }) => problem.field).sort();
    expect(fields).toEqual(["email", "name", "nickname", "password", "phoneNumber", "timezone", "title"]);
  });

  test("refuses a password equal to the email, and an email already registered in any case", async () => {
    const email = newEmail();
    const samePassword = (await register({ email, password: email.toUpperCase() })).data.registerUser;
    expect(samePassword.fields).toEqual([expect.objectContaining({ field: "password", reason: "invalid" })]);

    expect((await register({ email })).data.registerUser.__typename).toBe("RegisterUserSuccess");
    const again = (await register({ email: email.toUpperCase() })).data.registerUser;
    expect(again.fields).toEqual([expect.objectContaining({ field: "email", reason: "conflict" })]);
  });

  test("two sign-ups of one email at once make one member", async () => {
    const email = newEmail();
    const results = await Promise.all([register({ email }), register({ email }), register({ email })]);
    const kinds = results.map((response) => response.data.registerUser.__typename).sort();
    expect(kinds).toEqual(["RegisterUserSuccess", "ValidationError", "ValidationError"]);
    expect(await server.prisma.user.count({ where: { projectId: server.projectId, email } })).toBe(1);
  });

  test("stores an argon2id hash, never the password, and never returns or logs it", async () => {
    const email = newEmail();
    const password = "a very secret passphrase";
    await register({ email, password });
    const stored = await server.prisma.user.findFirstOrThrow({ where: { projectId: server.projectId, email } });
    expect(stored.passwordHash).toMatch(/^\$argon2id\$/);
    expect(stored.passwordHash).not.toContain(password);
    await signIn(email, password);
    await signIn(email, "a wrong passphrase!");
    expect(JSON.stringify(server.logs)).not.toContain(password);
    expect(JSON.stringify(server.logs)).not.toContain("a wrong passphrase!");
  });
});

describe("signIn", () => {
  test("answers an access token carrying project, user, organization and role, and records lastLoginAt", async () => {
    const email = newEmail();
    const { user, organization } = (await register({ email, name: "Ada" })).data.registerUser;
    const response = await signIn(email);
    const { accessToken, expiresAt, user: signedIn } = response.data.signIn;
    expect(signedIn).toMatchObject({ id: user.id, role: { id: "admin" } });
    expect(new Date(signedIn.lastLoginAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(new Date(expiresAt).getTime() - Date.now()).toBeLessThanOrEqual(15 * 60_000);
    const claims = JSON.parse(Buffer.from(accessToken.split(".")[1], "base64url").toString());
    expect(claims).toMatchObject({ iss: server.projectId, sub: user.id, org: organization.id, role: "admin" });

    const me = await server.graphql(`{ me { id email } }`, {}, asMember(accessToken));
    expect(me.data.me).toEqual({ id: user.id, email });
  });

  test("a wrong password, an unknown email and an invited user get the same answer", async () => {
    const email = newEmail();
    await register({ email });
    const invited = newEmail();
    await server.graphql(INVITE, { input: { email: invited } });
    const answers = await Promise.all([signIn(email, "wrong password!!"), signIn(newEmail()), signIn(invited)]);
    for (const response of answers) {
      expect(response.status).toBe(401);
      expect(response.data).toBeNull();
      expect(response.errors?.[0]).toMatchObject({
        message: "The email or the password is wrong.",
        extensions: { code: "UNAUTHENTICATED", status: 401 },
      });
    }
  });

  // Measured without the decoy hash: an unknown email answered in about 0.35 of the time of a wrong password.
  test("unknown emails take about as long as wrong passwords (a hash is checked either way)", async () => {
    const email = newEmail();
    await register({ email });
    const time = async (run: () => Promise<unknown>) => {
      const start = performance.now();
      await run();
      return performance.now() - start;
    };
    // Taking turns, and comparing the medians, so that a busy machine weighs on both alike.
    // Five failures for the known email (the limit stops the sixth); a new unknown email each time.
    const known: number[] = [];
    const unknown: number[] = [];
    for (let round = 0; round < 5; round++) {
      known.push(await time(() => signIn(email, `wrong password ${round}`)));
      unknown.push(await time(() => signIn(newEmail())));
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[2]!;
    const ratio = median(unknown) / median(known);
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  });

  test("throttles repeated failures for one email, even the right password, and not other emails", async () => {
    const email = newEmail();
    await register({ email });
    for (let i = 0; i < 5; i++) expect((await signIn(email, "wrong password!!")).status).toBe(401);
    const throttled = await signIn(email);
    expect(throttled.status).toBe(429);
    expect(throttled.errors?.[0]?.extensions).toMatchObject({ code: "RATE_LIMITED", details: { limit: 5 } });
    expect(throttled.errors?.[0]?.extensions.details.retryAfter).toBeGreaterThan(0);

    const other = newEmail();
    await register({ email: other });
    expect((await signIn(other)).data.signIn.accessToken).toBeTruthy();
  });

  test("a blank email or password is a ValidationError, not a failed attempt", async () => {
    const result = (await signIn("  ", "")).data.signIn;
    expect(result.fields.map((problem: { field: string; reason: string }) => [problem.field, problem.reason])).toEqual([
      ["email", "required"],
      ["password", "required"],
    ]);
  });

  test("a publishable key alone may only sign up and in", async () => {
    const response = await server.graphql(`{ users(first: 1) { totalCount } }`, {}, app());
    expect(response.status).toBe(401);
    expect(response.errors?.[0]?.extensions.code).toBe("UNAUTHENTICATED");
  });

  test("a forged, foreign or expired-format access token is UNAUTHENTICATED", async () => {
    const { accessToken } = await registeredAdmin();
    const [header, payload] = accessToken.split(".");
    for (const token of [`${header}.${payload}.forged`, "not-a-jwt", accessToken.slice(0, -2)]) {
      const response = await server.graphql(`{ me { id } }`, {}, asMember(token));
      expect(response.status).toBe(401);
    }
  });
});

describe("invitations", () => {
  test("invite → accept → sign in, as a member with the member role", async () => {
    const email = newEmail();
    const invited = (await server.graphql(INVITE, { input: { email, name: "Grace Hopper", locale: "en-us" } })).data.inviteUser;
    expect(invited.__typename).toBe("InviteUserSuccess");
    expect(invited.user).toMatchObject({ email, status: "INVITED", role: { id: "member" } });
    expect(invited.invitation.token.length).toBeGreaterThanOrEqual(40);
    expect(new Date(invited.invitation.expiresAt).getTime()).toBeGreaterThan(Date.now() + 6 * 24 * 3600_000);
    const stored = await server.prisma.invitation.findUniqueOrThrow({ where: { id: invited.invitation.id } });
    expect(stored.tokenHash).not.toContain(invited.invitation.token);

    const accepted = await server.graphql(ACCEPT, { token: invited.invitation.token, password: "a long password" }, app());
    expect(accepted.data.acceptInvitation.user).toMatchObject({ id: invited.user.id, status: "ACTIVE", name: "Grace Hopper" });

    const signedIn = await signIn(email, "a long password");
    expect(signedIn.data.signIn.user).toMatchObject({ id: invited.user.id, role: { id: "member" } });
  });

  test("a used, unknown or expired token is a ValidationError; a weak password leaves the invitation unused", async () => {
    const email = newEmail();
    const { invitation } = (await server.graphql(INVITE, { input: { email } })).data.inviteUser;
    const weak = (await server.graphql(ACCEPT, { token: invitation.token, password: "short" }, app())).data.acceptInvitation;
    expect(weak.fields).toEqual([expect.objectContaining({ field: "password", reason: "invalid" })]);

    const ok = await server.graphql(ACCEPT, { token: invitation.token, password: "a long password" }, app());
    expect(ok.data.acceptInvitation.__typename).toBe("AcceptInvitationSuccess");
    const reused = (await server.graphql(ACCEPT, { token: invitation.token, password: "a long password" }, app())).data.acceptInvitation;
    expect(reused).toMatchObject({ __typename: "ValidationError", fields: [{ field: "token", reason: "invalid" }] });
    const unknown = (await server.graphql(ACCEPT, { token: "nope", password: "a long password" }, app())).data.acceptInvitation;
    expect(unknown.fields[0].field).toBe("token");

    const late = (await server.graphql(INVITE, { input: { email: newEmail() } })).data.inviteUser;
    await server.prisma.invitation.update({ where: { id: late.invitation.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const expired = (await server.graphql(ACCEPT, { token: late.invitation.token, password: "a long password" }, app())).data
      .acceptInvitation;
    expect(expired.fields[0]).toMatchObject({ field: "token", message: "has expired" });
  });

  test("accepting one token twice at once activates once", async () => {
    const { invitation } = (await server.graphql(INVITE, { input: { email: newEmail() } })).data.inviteUser;
    const results = await Promise.all(
      [1, 2, 3].map(() => server.graphql(ACCEPT, { token: invitation.token, password: "a long password" }, app())),
    );
    const kinds = results.map((response) => response.data.acceptInvitation.__typename).sort();
    expect(kinds).toEqual(["AcceptInvitationSuccess", "ValidationError", "ValidationError"]);
  });

  test("finds an existing user by email; re-inviting replaces the pending invitation; an ACTIVE user is a conflict", async () => {
    const email = newEmail();
    await server.graphql(`mutation { upsertUser(id: "crm-42", input: { email: "${email.toUpperCase()}" }) { __typename } }`);
    await server.prisma.user.update({
      where: { projectId_id: { projectId: server.projectId, id: "crm-42" } },
      data: { status: "INVITED" },
    });
    const first = (await server.graphql(INVITE, { input: { email } })).data.inviteUser;
    expect(first.user.id).toBe("crm-42");
    const second = (await server.graphql(INVITE, { input: { email } })).data.inviteUser;
    expect(second.user.id).toBe("crm-42");
    const old = (await server.graphql(ACCEPT, { token: first.invitation.token, password: "a long password" }, app())).data.acceptInvitation;
    expect(old.__typename).toBe("ValidationError");
    await server.graphql(ACCEPT, { token: second.invitation.token, password: "a long password" }, app());

    const active = (await server.graphql(INVITE, { input: { email } })).data.inviteUser;
    expect(active).toMatchObject({ __typename: "ValidationError", fields: [{ field: "email", reason: "conflict" }] });
  });

  test("an unknown role or organization is a NotFoundError", async () => {
    const role = (await server.graphql(INVITE, { input: { email: newEmail(), roleId: "nope" } })).data.inviteUser;
    expect(role).toMatchObject({ __typename: "NotFoundError", resource: "role", id: "nope" });
    const organization = (await server.graphql(INVITE, { input: { email: newEmail(), organizationId: "nope" } })).data.inviteUser;
    expect(organization).toMatchObject({ __typename: "NotFoundError", resource: "organization" });
  });
});

describe("a member acts within its organization subtree", () => {
  const ORG = `mutation Org($input: CreateOrganizationInput!) { createOrganization(input: $input) { __typename } }`;
  const USER = `query User($id: ID!) { user(id: $id) { id organization { id } } }`;

  test("reads and writes users below its organization and is refused outside it", async () => {
    const admin = await registeredAdmin();
    await server.graphql(ORG, { input: { id: `${admin.organizationId}-team`, name: "Team", parentId: admin.organizationId } });
    await server.graphql(ORG, { input: { id: `${admin.organizationId}-other`, name: "Elsewhere" } });
    const team = `${admin.organizationId}-team`;
    const other = `${admin.organizationId}-other`;
    await server.graphql(
      `mutation { a: upsertUser(id: "${team}-inside", input: { organizationId: "${team}" }) { __typename } b: upsertUser(id: "${other}-outside", input: { organizationId: "${other}" }) { __typename } }`,
    );

    const inside = await server.graphql(USER, { id: `${team}-inside` }, asMember(admin.accessToken));
    expect(inside.data.user).toEqual({ id: `${team}-inside`, organization: { id: team } });
    const outside = await server.graphql(USER, { id: `${other}-outside` }, asMember(admin.accessToken));
    expect(outside.data.user).toBeNull();

    const listed = await server.graphql(`{ users(first: 100) { totalCount nodes { id } } }`, {}, asMember(admin.accessToken));
    const ids = listed.data.users.nodes.map((node: { id: string }) => node.id);
    expect(ids).toContain(`${team}-inside`);
    expect(ids).toContain(admin.userId);
    expect(ids).not.toContain(`${other}-outside`);
    expect(listed.data.users.totalCount).toBe(ids.length);

    const orgs = await server.graphql(`{ organizations(first: 100) { nodes { id parent { id } } } }`, {}, asMember(admin.accessToken));
    expect(orgs.data.organizations.nodes).toEqual([
      { id: admin.organizationId, parent: null },
      { id: team, parent: { id: admin.organizationId } },
    ]);
    expect((await server.graphql(`{ organization(id: "${other}") { id } }`, {}, asMember(admin.accessToken))).data.organization).toBeNull();

    const updateInside = await server.graphql(
      `mutation { upsertUser(id: "${team}-inside", input: { name: "In" }) { __typename } }`,
      {},
      asMember(admin.accessToken),
    );
    expect(updateInside.data.upsertUser.__typename).toBe("UpsertUserSuccess");
    const updateOutside = await server.graphql(
      `mutation { upsertUser(id: "${other}-outside", input: { name: "Out" }) { ${RESULT} } }`,
      {},
      asMember(admin.accessToken),
    );
    expect(updateOutside.data.upsertUser).toMatchObject({ __typename: "NotFoundError", resource: "user" });
    const moveOut = await server.graphql(
      `mutation { upsertUser(id: "${team}-inside", input: { organizationId: "${other}" }) { ${RESULT} } }`,
      {},
      asMember(admin.accessToken),
    );
    expect(moveOut.data.upsertUser).toMatchObject({ __typename: "NotFoundError", resource: "organization" });
    const createLoose = await server.graphql(
      `mutation { upsertUser(id: "${team}-loose", input: { name: "Loose" }) { ${RESULT} } }`,
      {},
      asMember(admin.accessToken),
    );
    expect(createLoose.data.upsertUser).toMatchObject({
      __typename: "ValidationError",
      fields: [{ field: "organizationId", reason: "required" }],
    });
    const deleteOutside = await server.graphql(
      `mutation { deleteUser(id: "${other}-outside") { ${ERROR} } }`,
      {},
      asMember(admin.accessToken),
    );
    expect(deleteOutside.data.deleteUser.__typename).toBe("NotFoundError");
    expect(await server.prisma.user.count({ where: { projectId: server.projectId, id: `${other}-outside`, name: null } })).toBe(1);
    const track = (id: string) =>
      server.graphql(
        `mutation { trackActivity(userId: "${id}", input: { platform: WEB }) { ${RESULT} } }`,
        {},
        asMember(admin.accessToken),
      );
    expect((await track(`${team}-inside`)).data.trackActivity.__typename).toBe("TrackActivitySuccess");
    expect((await track(`${other}-outside`)).data.trackActivity).toMatchObject({ __typename: "NotFoundError", resource: "user" });
    expect(await server.prisma.session.count({ where: { projectId: server.projectId, userId: `${other}-outside` } })).toBe(0);
  });

  test("an admin invites into its own organization; the invitee, a reader, cannot write", async () => {
    const admin = await registeredAdmin();
    const email = newEmail();
    const invited = (await server.graphql(INVITE, { input: { email } }, asMember(admin.accessToken))).data.inviteUser;
    expect(invited.user.organization).toEqual({ id: admin.organizationId });
    const otherAdmin = await registeredAdmin("Grace Hopper");
    const takeover = (await server.graphql(INVITE, { input: { email } }, asMember(otherAdmin.accessToken))).data.inviteUser;
    expect(takeover).toMatchObject({ __typename: "ValidationError", fields: [{ field: "email", reason: "conflict" }] });

    await server.graphql(ACCEPT, { token: invited.invitation.token, password: "a long password" }, app());
    const reader = (await signIn(email, "a long password")).data.signIn.accessToken;

    const read = await server.graphql(USER, { id: admin.userId }, asMember(reader));
    expect(read.data.user.id).toBe(admin.userId);
    const write = await server.graphql(`mutation { deleteUser(id: "${admin.userId}") { __typename } }`, {}, asMember(reader));
    expect(write.status).toBe(403);
    expect(write.errors?.[0]?.extensions).toMatchObject({ code: "FORBIDDEN", details: { requiredScope: "users:write" } });
    const channels = await server.graphql(`{ channels { id } }`, {}, asMember(reader));
    expect(channels.errors).toBeUndefined();
    const projectLevel = await server.graphql(
      `mutation { createChannel(input: { name: "from a member", provider: EMAIL }) { __typename } }`,
      {},
      asMember(admin.accessToken),
    );
    expect(projectLevel.errors?.[0]?.extensions).toMatchObject({ code: "FORBIDDEN", status: 403 });
  });
});

describe("transfers and roles", () => {
  test("transferUser moves a user and optionally changes its role; missing user, organization or role is NotFoundError", async () => {
    await server.graphql(`mutation { createOrganization(input: { id: "north", name: "North" }) { __typename } }`);
    await server.graphql(`mutation { createOrganization(input: { id: "south", name: "South" }) { __typename } }`);
    await server.graphql(`mutation { upsertUser(id: "mover", input: { organizationId: "north" }) { __typename } }`);
    const TRANSFER = `mutation T($userId: ID!, $organizationId: ID!, $roleId: ID) {
      transferUser(userId: $userId, organizationId: $organizationId, roleId: $roleId) {
        ${ERROR} ${NOT_FOUND} ... on TransferUserSuccess { user { organization { id } role { id } version } }
      }
    }`;
    const moved = (await server.graphql(TRANSFER, { userId: "mover", organizationId: "south", roleId: "admin" })).data.transferUser;
    expect(moved.user).toMatchObject({ organization: { id: "south" }, role: { id: "admin" }, version: 2 });
    for (const [variables, resource] of [
      [{ userId: "nobody", organizationId: "south" }, "user"],
      [{ userId: "mover", organizationId: "nowhere" }, "organization"],
      [{ userId: "mover", organizationId: "north", roleId: "nothing" }, "role"],
    ] as const) {
      const result = (await server.graphql(TRANSFER, variables)).data.transferUser;
      expect(result).toMatchObject({ __typename: "NotFoundError", resource });
    }
  });

  test("createRole, updateUserRole, roles, and deleteRole only while unassigned", async () => {
    const created = await server.graphql(
      `mutation { createRole(input: { id: "support", name: "Support", permissions: ["users:read", "users:write"] }) { ${ERROR} ${INVALID} ... on CreateRoleSuccess { role { id name permissions } } } }`,
    );
    expect(created.data.createRole.role).toEqual({ id: "support", name: "Support", permissions: ["users:read", "users:write"] });
    const duplicate = await server.graphql(`mutation { createRole(input: { name: "Support", permissions: [] }) { ${ERROR} ${INVALID} } }`);
    expect(duplicate.data.createRole.fields).toEqual([expect.objectContaining({ field: "name", reason: "conflict" })]);
    const unknownPermission = await server.graphql(
      `mutation { createRole(input: { name: "X", permissions: ["fly"] }) { ${ERROR} ${INVALID} } }`,
    );
    expect(unknownPermission.data.createRole.fields[0].field).toBe("permissions.0");

    const roles = await server.graphql(`{ roles { id } }`);
    expect(roles.data.roles.map((role: { id: string }) => role.id)).toEqual(["admin", "member", "support"]);

    await server.graphql(`mutation { upsertUser(id: "helper", input: { name: "Helper" }) { __typename } }`);
    const UPDATE_ROLE = `mutation U($roleId: ID!) { updateUserRole(userId: "helper", roleId: $roleId) { ${ERROR} ${NOT_FOUND} ... on UpdateUserRoleSuccess { user { role { id } } } } }`;
    expect((await server.graphql(UPDATE_ROLE, { roleId: "support" })).data.updateUserRole.user.role.id).toBe("support");
    expect((await server.graphql(UPDATE_ROLE, { roleId: "ghost" })).data.updateUserRole).toMatchObject({ resource: "role" });

    const DELETE = `mutation D($id: ID!) { deleteRole(id: $id) { ${RESULT} ... on DeleteRoleSuccess { id } } }`;
    expect((await server.graphql(DELETE, { id: "support" })).data.deleteRole.fields[0]).toMatchObject({ field: "id", reason: "conflict" });
    expect((await server.graphql(DELETE, { id: "admin" })).data.deleteRole.fields[0]).toMatchObject({ reason: "conflict" });
    await server.graphql(UPDATE_ROLE, { roleId: "member" });
    expect((await server.graphql(DELETE, { id: "support" })).data.deleteRole).toEqual({ __typename: "DeleteRoleSuccess", id: "support" });
    expect((await server.graphql(DELETE, { id: "support" })).data.deleteRole.__typename).toBe("NotFoundError");
    expect((await server.graphql(DELETE, { id: "toString" })).data.deleteRole.__typename).toBe("NotFoundError");
  });
});

describe("setUserStatus", () => {
  const ALLOWED = {
    INVITED: ["ACTIVE", "DEACTIVATED"],
    ACTIVE: ["SUSPENDED", "DEACTIVATED"],
    SUSPENDED: ["ACTIVE", "DEACTIVATED"],
    DEACTIVATED: ["ACTIVE"],
  } as const;
  const STATUSES = Object.keys(ALLOWED) as (keyof typeof ALLOWED)[];

  test.each(STATUSES)("from %s: every allowed transition happens, every other is InvalidTransitionError", async (from) => {
    for (const to of STATUSES) {
      const id = `status-${from}-${to}`;
      await server.prisma.user.create({ data: { projectId: server.projectId, id, status: from } });
      const result = (await server.graphql(SET_STATUS, { userId: id, status: to })).data.setUserStatus;
      if ((ALLOWED[from] as readonly string[]).includes(to)) {
        expect(result).toMatchObject({ __typename: "SetUserStatusSuccess", user: { status: to, version: 2 } });
      } else {
        expect(result).toMatchObject({
          __typename: "InvalidTransitionError",
          code: "invalid_transition",
          currentStatus: from,
          allowedTransitions: ALLOWED[from],
        });
      }
    }
  });

  test("an unknown user is NotFoundError", async () => {
    expect((await server.graphql(SET_STATUS, { userId: "ghost", status: "ACTIVE" })).data.setUserStatus).toMatchObject({
      __typename: "NotFoundError",
      resource: "user",
    });
  });

  test("suspended and deactivated members cannot sign in and their tokens stop working; reactivated ones can", async () => {
    const member = await registeredAdmin();
    expect((await server.graphql(`{ me { id } }`, {}, asMember(member.accessToken))).data.me.id).toBe(member.userId);

    for (const status of ["SUSPENDED", "DEACTIVATED"] as const) {
      await server.graphql(SET_STATUS, { userId: member.userId, status });
      const withToken = await server.graphql(`{ me { id } }`, {}, asMember(member.accessToken));
      expect(withToken.status).toBe(401);
      const again = await signIn(member.email);
      expect(again.status).toBe(401);
      expect(again.errors?.[0]?.message).toBe(`The member is ${status.toLowerCase()} and cannot sign in.`);
    }
    await server.graphql(SET_STATUS, { userId: member.userId, status: "ACTIVE" });
    expect((await server.graphql(`{ me { id } }`, {}, asMember(member.accessToken))).data.me.id).toBe(member.userId);
    expect((await signIn(member.email)).data.signIn.accessToken).toBeTruthy();
  });
});
