import SchemaBuilder from "@pothos/core";
import DataloaderPlugin from "@pothos/plugin-dataloader";
import ErrorsPlugin from "@pothos/plugin-errors";
import PrismaPlugin from "@pothos/plugin-prisma";
import ScopeAuthPlugin from "@pothos/plugin-scope-auth";
import SimpleObjectsPlugin from "@pothos/plugin-simple-objects";
import { DateTimeResolver, JSONObjectResolver } from "graphql-scalars";
import type { Scope } from "../auth/keys.ts";
import type PrismaTypes from "../db/generated/pothos-types.ts";
import { getDatamodel } from "../db/generated/pothos-types.ts";
import type { Context } from "./context.ts";
import { requestError } from "./request-errors.ts";

export type JsonObject = { [key: string]: unknown };

// Plugin order matters: scope auth wraps everything, errors must come before prisma.
export const builder = new SchemaBuilder<{
  Context: Context;
  PrismaTypes: PrismaTypes;
  AuthScopes: { scope: Scope };
  DefaultFieldNullability: false;
  Scalars: {
    ID: { Input: string; Output: string };
    DateTime: { Input: Date; Output: Date };
    JSONObject: { Input: JsonObject; Output: JsonObject };
  };
}>({
  defaultFieldNullability: false,
  plugins: [ScopeAuthPlugin, ErrorsPlugin, PrismaPlugin, DataloaderPlugin, SimpleObjectsPlugin],
  scopeAuth: {
    authScopes: (context) => ({ scope: (scope) => context.auth.scopes.includes(scope) }),
    unauthorizedError: (_parent, _context, _info, result) => {
      const failure = result.failure;
      const requiredScope = failure.kind === "AuthScope" ? failure.parameter : undefined;
      return requestError("FORBIDDEN", "The key lacks the scope this field needs.", { requiredScope });
    },
  },
  prisma: {
    client: (context) => context.prisma,
    dmmf: getDatamodel(),
    filterConnectionTotalCount: true,
    onUnusedQuery: process.env.NODE_ENV === "production" ? null : "error",
  },
});

builder.addScalarType("DateTime", DateTimeResolver);
builder.addScalarType("JSONObject", JSONObjectResolver);
builder.queryType({});
builder.mutationType({});
