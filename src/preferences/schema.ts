// The preferences domain's part of the GraphQL schema.
import "./workflow-schema.ts";
import "./preference-schema.ts";
import "./recipients-schema.ts";
