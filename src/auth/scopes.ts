import { type AuthFailure, AuthScopeFailureType } from "@pothos/plugin-scope-auth";
import type { GraphQLError } from "graphql";
import { requestError } from "../graphql/request-errors.ts";
import type { Auth, MemberAuth, PublishableKeyAuth, SecretKeyAuth, UserTokenAuth } from "./caller.ts";
import type { Scope } from "./keys.ts";

/**
 * What fields may ask of a request in `authScopes`:
 * - `scope: "users:read"`: a secret key holding that scope, or a member whose role grants it;
 * - `secretKey: true`: any secret key (the default of every root field, see builder.ts);
 * - `member: true`: a signed-in dashboard member;
 * - `publishableKey: true`: a publishable key without a user token;
 * - `userToken: true`: a user token, whichever user;
 * - `selfUser: id`: a user token signed for exactly that user id.
 * For example `{ $any: { scope: "users:write", selfUser: args.id } }`.
 */
export type AuthScopes = {
  scope: Scope;
  secretKey: boolean;
  member: boolean;
  publishableKey: boolean;
  userToken: boolean;
  selfUser: string;
};

/** The narrower context a field gets once its scope has passed. */
export type AuthContexts<Context> = {
  scope: Context & { auth: SecretKeyAuth | MemberAuth };
  secretKey: Context & { auth: SecretKeyAuth };
  member: Context & { auth: MemberAuth };
  publishableKey: Context & { auth: PublishableKeyAuth };
  userToken: Context & { auth: UserTokenAuth };
  selfUser: Context & { auth: UserTokenAuth };
};

/** Whether the request holds `scope`: a secret key with it, or a member whose role grants it. */
const holdsScope = (auth: Auth, scope: Scope) =>
  (auth.kind === "secretKey" && auth.scopes.includes(scope)) || (auth.kind === "member" && auth.permissions.includes(scope));

export function authScopes(auth: Auth) {
  return {
    scope: (scope: Scope) => holdsScope(auth, scope),
    secretKey: auth.kind === "secretKey",
    member: auth.kind === "member",
    publishableKey: auth.kind === "publishableKey",
    userToken: auth.kind === "userToken",
    selfUser: (userId: string) => auth.kind === "userToken" && auth.userId === userId,
  };
}

/** FORBIDDEN, naming the missing scope when a scope is what failed. */
export function forbidden(auth: Auth, failure: AuthFailure): GraphQLError {
  switch (auth.kind) {
    case "publishableKey":
      // Alone, a publishable key only signs people up and in; for anything else it needs a user token.
      return requestError("UNAUTHENTICATED", "A publishable key needs a user token as `Authorization: Bearer …`.");
    case "userToken":
      return requestError("FORBIDDEN", "A user token may only read `me` and change its own user and channel settings.");
    case "member": {
      const requiredScope = missingScope(failure);
      if (requiredScope) return requestError("FORBIDDEN", "The member's role lacks the permission this field needs.", { requiredScope });
      return requestError("FORBIDDEN", "This field is not open to members' access tokens; use a secret key.");
    }
    case "secretKey": {
      const requiredScope = missingScope(failure);
      if (requiredScope) return requestError("FORBIDDEN", "The key lacks the scope this field needs.", { requiredScope });
      return requestError("FORBIDDEN", "This field answers only requests made with a user token or a member's access token.");
    }
  }
}

/**
 * As `authScopes: { scope }` refuses a field, for a field that checks in its
 * resolver: one a list resolves once per row, where the plugin's wrapper
 * around every resolution cost a page of 50 users a sixth of its CPU.
 */
export function assertScope(auth: Auth, scope: Scope): void {
  if (!holdsScope(auth, scope))
    throw forbidden(auth, { kind: AuthScopeFailureType.AuthScope, scope: "scope", parameter: scope, error: null });
}

function missingScope(failure: AuthFailure): Scope | undefined {
  if (failure.kind === "AuthScope") return failure.scope === "scope" ? (failure.parameter as Scope) : undefined;
  if (failure.kind === "AnyAuthScopes" || failure.kind === "AllAuthScopes") {
    return failure.failures.map(missingScope).find((scope) => scope !== undefined);
  }
  return undefined;
}
