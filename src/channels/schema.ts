// The channel domain's part of the GraphQL schema.
import "./channel.ts";
import "./channel-mutations.ts";
import "./channel-settings-type.ts";
import "./channel-settings-mutations.ts";
