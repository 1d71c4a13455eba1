import SchemaBuilder from "@pothos/core";
import DataloaderPlugin from "@pothos/plugin-dataloader";
import ErrorsPlugin from "@pothos/plugin-errors";
import PrismaPlugin from "@pothos/plugin-prisma";
import ScopeAuthPlugin from "@pothos/plugin-scope-auth";
import SimpleObjectsPlugin from "@pothos/plugin-simple-objects";
import { DateTimeResolver } from "graphql-scalars";
import { type AuthContexts, type AuthScopes, authScopes, forbidden } from "../auth/scopes.ts";
import type PrismaTypes from "../db/generated/pothos-types.ts";
import { getDatamodel } from "../db/generated/pothos-types.ts";
import type { JsonObject } from "../json.ts";
import type { Context } from "./context.ts";
import { JSONObjectScalar } from "./json-object-scalar.ts";
import StorableArgumentsPlugin from "./storable-arguments.ts";

// Plugin order matters: scope auth wraps everything, errors must come before prisma
// and before the argument check, whose ValidationErrors they return as results.
export const builder = new SchemaBuilder<{
  Context: Context;
  PrismaTypes: PrismaTypes;
  AuthScopes: AuthScopes;
  AuthContexts: AuthContexts<Context>;
  DefaultFieldNullability: false;
  Scalars: {
    ID: { Input: string; Output: string };
    DateTime: { Input: Date; Output: Date };
    JSONObject: { Input: JsonObject; Output: JsonObject };
  };
}>({
  defaultFieldNullability: false,
  plugins: [ScopeAuthPlugin, ErrorsPlugin, StorableArgumentsPlugin, PrismaPlugin, DataloaderPlugin, SimpleObjectsPlugin],
  scopeAuth: {
    authScopes: (context) => authScopes(context.auth),
    unauthorizedError: (_parent, context, _info, result) => forbidden(context.auth, result.failure),
  },
  prisma: {
    client: (context) => context.prisma,
    dmmf: getDatamodel(),
    filterConnectionTotalCount: true,
    onUnusedQuery: process.env.NODE_ENV === "production" ? null : "error",
  },
});

builder.addScalarType("DateTime", DateTimeResolver);
builder.addScalarType("JSONObject", JSONObjectScalar);
// Closed by default: a root field without scopes of its own is still for secret
// keys only. Fields open to user tokens say so with `skipTypeScopes: true`.
// Every root query field is nullable: a field refused (FORBIDDEN) or failing is
// null with its error, and the others of the request keep their data.
builder.queryType({ authScopes: { secretKey: true } });
builder.mutationType({ authScopes: { secretKey: true } });
builder.subscriptionType({ authScopes: { secretKey: true } });
