import { printSchema } from "graphql";
import { builder } from "./graphql/builder.ts";
import "./graphql/error-types.ts";
import "./users/schema/user-schema.ts";
import "./users/schema/upsert-schema.ts";
import "./users/schema/suppression-schema.ts";
import "./users/schema/list-schema.ts";
import "./organizations/organization-schema.ts";
import "./organizations/user-organization-schema.ts";
import "./channels/channel-schema.ts";
import "./channels/channel-settings-schema.ts";
import "./auth/user-token-schema.ts";
import "./members/role-schema.ts";
import "./members/membership-schema.ts";
import "./members/lifecycle-schema.ts";
import "./preferences/workflow-schema.ts";
import "./preferences/preference-schema.ts";
import "./preferences/recipients-schema.ts";
import "./activity/activity-schema.ts";
import "./activity/ui-settings-schema.ts";
import "./events/event-schema.ts";
import "./webhooks/webhook-schema.ts";
import "./push/credentials-schema.ts";
import "./push/push-schema.ts";

/** Every domain's types, queries and mutations, as served. */
export const schema = builder.toSchema({ sortSchema: false });

/** The schema as committed in schema.graphql. */
export function printedSchema(): string {
  return `${printSchema(schema)}\n`;
}
