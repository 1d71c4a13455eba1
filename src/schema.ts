import { printSchema } from "graphql";
import { builder } from "./graphql/builder.ts";
import "./graphql/error-types.ts";
import "./users/user.ts";
import "./users/mutations.ts";
import "./users/suppression-mutations.ts";
import "./users/queries.ts";
import "./organizations/organization.ts";
import "./organizations/user-organization.ts";
import "./organizations/queries.ts";
import "./organizations/mutations.ts";
import "./channels/schema.ts";
import "./auth/schema.ts";
import "./members/role-schema.ts";
import "./members/membership-schema.ts";
import "./members/lifecycle-schema.ts";

/** Every domain's types, queries and mutations, as served. */
export const schema = builder.toSchema({ sortSchema: false });

/** The schema as committed in schema.graphql. */
export function printedSchema(): string {
  return `${printSchema(schema)}\n`;
}
