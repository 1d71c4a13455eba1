import type { AuthFailure } from "@pothos/plugin-scope-auth";
import type { GraphQLError } from "graphql";
import { requestError } from "../graphql/request-errors.ts";
import type { Auth, SecretKeyAuth, UserTokenAuth } from "./authenticate.ts";
import type { Scope } from "./keys.ts";

/**
 * What fields may ask of a request in `authScopes`:
 * - `scope: "users:read"`: a secret key holding that scope;
 * - `secretKey: true`: any secret key (the default of every root field, see builder.ts);
 * - `userToken: true`: a user token, whichever user;
 * - `selfUser: id`: a user token signed for exactly that user id.
 * For example `{ $any: { scope: "users:write", selfUser: args.id } }`.
 */
export type AuthScopes = {
  scope: Scope;
  secretKey: boolean;
  userToken: boolean;
  selfUser: string;
};

/** The narrower context a field gets once its scope has passed. */
export type AuthContexts<Context> = {
  scope: Context & { auth: SecretKeyAuth };
  secretKey: Context & { auth: SecretKeyAuth };
  userToken: Context & { auth: UserTokenAuth };
  selfUser: Context & { auth: UserTokenAuth };
};

export function authScopes(auth: Auth) {
  return {
    scope: (scope: Scope) => auth.kind === "secretKey" && auth.scopes.includes(scope),
    secretKey: auth.kind === "secretKey",
    userToken: auth.kind === "userToken",
    selfUser: (userId: string) => auth.kind === "userToken" && auth.userId === userId,
  };
}

/** FORBIDDEN, naming the missing scope when a secret key's scope is what failed. */
export function forbidden(auth: Auth, failure: AuthFailure): GraphQLError {
  if (auth.kind === "userToken") {
    return requestError("FORBIDDEN", "A user token may only read `me` and change its own user and channel settings.");
  }
  const requiredScope = missingScope(failure);
  if (requiredScope) return requestError("FORBIDDEN", "The key lacks the scope this field needs.", { requiredScope });
  return requestError("FORBIDDEN", "This field answers only requests made with a user token.");
}

function missingScope(failure: AuthFailure): Scope | undefined {
  if (failure.kind === "AuthScope") return failure.scope === "scope" ? (failure.parameter as Scope) : undefined;
  if (failure.kind === "AnyAuthScopes" || failure.kind === "AllAuthScopes") {
    return failure.failures.map(missingScope).find((scope) => scope !== undefined);
  }
  return undefined;
}
