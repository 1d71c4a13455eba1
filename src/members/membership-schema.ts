// Becoming a member: invitations, self sign-up and sign-in.

import { ACCESS_TOKEN_SECONDS } from "../auth/access-tokens.ts";
import { MIN_PASSWORD_LENGTH } from "../auth/passwords.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { builder } from "../graphql/builder.ts";
import { resultUnion } from "../graphql/result-union.ts";
import { OrganizationType } from "../organizations/organization-schema.ts";
import { UserType } from "../users/schema/user-schema.ts";
import type { InviteUserInput as InviteUserFields } from "./invitations.ts";
import { acceptInvitation, INVITATION_LIFETIME_DAYS, inviteUser } from "./invitations.ts";
import type { RegisterUserInput as RegisterUserFields } from "./registration.ts";
import { registerUser } from "./registration.ts";
import { signIn } from "./sign-in.ts";

// Sign-up and sign-in come before anyone has a token: a client app calls them
// with its publishable key alone, a backend with its secret key.
const beforeSignIn = { $any: { publishableKey: true, secretKey: true } } as const;

const InviteUserInput = builder.inputType("InviteUserInput", {
  fields: (t) =>
    ({
      email: t.string({ required: true }),
      name: t.string(),
      roleId: t.id({ description: "The built-in `member` when left out." }),
      organizationId: t.id({ description: "For a member inviting, its own organization when left out." }),
      locale: t.string(),
    }) satisfies Record<keyof InviteUserFields, unknown>,
});

const InvitationType = builder.simpleObject("Invitation", {
  fields: (t) => ({
    id: t.id(),
    expiresAt: t.field({ type: "DateTime" }),
    token: t.string({ description: "Shown once, here; sending it to the invitee is the caller's job." }),
  }),
});

const InviteUserSuccess = builder.simpleObject("InviteUserSuccess", {
  fields: (t) => ({ user: t.field({ type: UserType }), invitation: t.field({ type: InvitationType }) }),
});

const RegisterUserInput = builder.inputType("RegisterUserInput", {
  fields: (t) =>
    ({
      email: t.string({ required: true }),
      password: t.string({ required: true, description: `At least ${MIN_PASSWORD_LENGTH} characters, not the email.` }),
      name: t.string({ description: "Letters, spaces, hyphens, dots and apostrophes." }),
      title: t.string({ description: "Letters, hyphens and spaces." }),
      nickname: t.string({ description: "Letters, digits, hyphens and spaces." }),
      phoneNumber: t.string(),
      timezone: t.string(),
      organizationName: t.string({ description: "The new organization's name; \"<name>'s organization\" when left out." }),
    }) satisfies Record<keyof RegisterUserFields, unknown>,
});

const RegisterUserSuccess = builder.simpleObject("RegisterUserSuccess", {
  fields: (t) => ({ user: t.field({ type: UserType }), organization: t.field({ type: OrganizationType }) }),
});

const AcceptInvitationSuccess = builder.simpleObject("AcceptInvitationSuccess", {
  fields: (t) => ({ user: t.field({ type: UserType }) }),
});

const SignInSuccess = builder.simpleObject("SignInSuccess", {
  fields: (t) => ({
    accessToken: t.string({ description: "Send as `Authorization: Bearer …`." }),
    expiresAt: t.field({ type: "DateTime" }),
    user: t.field({ type: UserType }),
  }),
});

builder.mutationFields((t) => ({
  inviteUser: t.field({
    type: resultUnion("InviteUser", InviteUserSuccess, [ValidationError, NotFoundError]),
    description: `Creates or finds the user by email as INVITED, with a single-use invitation valid ${INVITATION_LIFETIME_DAYS} days. An ACTIVE user is a ValidationError (conflict).`,
    // Open to members (the Mutation type's default is secret keys only), within their reach.
    skipTypeScopes: true,
    authScopes: { scope: "members:write" },
    args: { input: t.arg({ type: InviteUserInput, required: true }) },
    resolve: (_root, { input }, { prisma, auth }) => inviteUser(prisma, auth, input),
  }),
  acceptInvitation: t.field({
    type: resultUnion("AcceptInvitation", AcceptInvitationSuccess, [ValidationError]),
    description: "Sets the invited user's password and makes it ACTIVE. An expired or used token is a ValidationError.",
    skipTypeScopes: true,
    authScopes: beforeSignIn,
    args: { token: t.arg.string({ required: true }), password: t.arg.string({ required: true }), name: t.arg.string() },
    resolve: (_root, args, { prisma, passwords, auth }) => acceptInvitation(prisma, passwords, auth.projectId, args),
  }),
  registerUser: t.field({
    type: resultUnion("RegisterUser", RegisterUserSuccess, [ValidationError]),
    description:
      "Self sign-up: an ACTIVE user, admin of a new organization of its own. A registered email is a ValidationError (conflict).",
    skipTypeScopes: true,
    authScopes: beforeSignIn,
    args: { input: t.arg({ type: RegisterUserInput, required: true }) },
    resolve: (_root, { input }, { prisma, passwords, auth }) => registerUser(prisma, passwords, auth.projectId, input),
  }),
  signIn: t.field({
    type: resultUnion("SignIn", SignInSuccess, [ValidationError]),
    description: `A member's access token, valid ${ACCESS_TOKEN_SECONDS / 60} minutes. A wrong email or password is UNAUTHENTICATED, the same for both; repeated failures for one email are RATE_LIMITED.`,
    skipTypeScopes: true,
    authScopes: beforeSignIn,
    args: { email: t.arg.string({ required: true }), password: t.arg.string({ required: true }) },
    resolve: (_root, credentials, { prisma, auth, signInThrottle, passwords }) =>
      signIn(prisma, { throttle: signInThrottle, passwords }, auth.projectId, credentials),
  }),
}));
