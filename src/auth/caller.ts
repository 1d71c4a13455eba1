import type { Scope } from "./keys.ts";

// Who is calling: what authenticate.ts makes of a request's credentials, and
// what resolvers hand to services, which check the caller's reach (reach.ts).

/** What every caller carries: its project and the key that signs the project's page cursors. */
export type ProjectAuth = { projectId: string; cursorSecret: string };
/** A project's secret key: what its scopes allow, in that project. */
export type SecretKeyAuth = ProjectAuth & { kind: "secretKey"; keyId: string; scopes: readonly Scope[] };
/** One user of a project, through a publishable key and a token signed for that user. */
export type UserTokenAuth = ProjectAuth & { kind: "userToken"; keyId: string; userId: string };
/** A publishable key alone: a client app before anyone signed in (register, accept an invitation, sign in). */
export type PublishableKeyAuth = ProjectAuth & { kind: "publishableKey"; keyId: string };
/**
 * A dashboard member signed in with `signIn`: what its role permits, within
 * its organization and every organization below it.
 */
export type MemberAuth = ProjectAuth & {
  kind: "member";
  userId: string;
  organizationId: string | null;
  permissions: readonly Scope[];
  /** The member's organization and its sub-organizations: all the member may see or change. */
  organizationIds: readonly string[];
};
export type Auth = SecretKeyAuth | UserTokenAuth | PublishableKeyAuth | MemberAuth;
