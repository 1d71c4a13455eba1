import { usersInReach } from "../auth/reach.ts";
import type { User } from "../db/generated/prisma/client.ts";
import { builder } from "../graphql/builder.ts";
import { connectionType } from "../graphql/connection.ts";
import { UserType } from "../users/schema/user-schema.ts";
import { ACTOR_KINDS, type Actor, EVENT_TYPES, type EventType } from "./event-types.ts";
import { type EventFilter, type FeedEvent, listEvents, positionOf } from "./feed.ts";
import { followEvents } from "./follow.ts";

export const EventTypeEnum = builder.enumType("EventType", { values: EVENT_TYPES });
const ActorKindEnum = builder.enumType("ActorKind", { values: ACTOR_KINDS });

const ActorType = builder.objectRef<Actor>("Actor").implement({
  description: "Who made the change: a secret key (its id), a member or a user token (the user's id), or the gateway itself.",
  fields: (t) => ({
    kind: t.field({ type: ActorKindEnum, resolve: (actor) => actor.kind }),
    id: t.exposeID("id", { nullable: true }),
  }),
});

export const DirectoryEventType = builder.objectRef<FeedEvent>("DirectoryEvent").implement({
  description: "One committed change of the directory.",
  fields: (t) => ({
    id: t.exposeID("id", { description: "Unique; webhooks send it as `webhook-id`." }),
    cursor: t.exposeString("cursor", { description: "Resumes the feed or a subscription right after this event (`after`)." }),
    type: t.field({ type: EventTypeEnum, resolve: (event) => event.type as EventType }),
    occurredAt: t.expose("occurredAt", { type: "DateTime" }),
    userId: t.exposeID("userId", { nullable: true }),
    organizationId: t.exposeID("organizationId", { nullable: true }),
    channelId: t.exposeID("channelId", { nullable: true }),
    actor: t.field({ type: ActorType, resolve: (event) => ({ kind: event.actorKind as Actor["kind"], id: event.actorId }) }),
    changedFields: t.exposeStringList("changedFields", {
      description: "What changed: `email`, `properties.plan`, `tags`, `pushTokens`, …",
    }),
    version: t.exposeInt("version", { nullable: true, description: "The user's version after the change." }),
    user: t.loadable({
      type: UserType,
      nullable: true,
      description: "The user as it is now (not as it was then); null once deleted or out of the caller's reach.",
      load: async (ids: string[], { prisma, auth }) => {
        const users = await prisma.user.findMany({ where: { projectId: auth.projectId, id: { in: ids }, ...usersInReach(auth) } });
        const byId = new Map(users.map((user) => [user.id, user]));
        return ids.map((id) => byId.get(id) ?? null) as User[];
      },
      resolve: (event) => event.userId,
    }),
  }),
});

const DirectoryEventConnection = connectionType("DirectoryEvent", DirectoryEventType);

const DirectoryEventFilter = builder.inputType("DirectoryEventFilter", {
  fields: (t) =>
    ({
      types: t.field({ type: [EventTypeEnum], description: "Any of these types." }),
      userId: t.id(),
      organizationId: t.id(),
      since: t.field({ type: "DateTime", description: "Events that occurred at or after this time." }),
    }) satisfies Record<keyof EventFilter, unknown>,
});

// Secret keys with events:read, members whose role grants it (within their organizations), user tokens (their own user's).
const EVENT_READERS = { $any: { scope: "events:read", userToken: true } } as const;

builder.queryField("events", (t) =>
  t.field({
    type: DirectoryEventConnection,
    nullable: true,
    description: "The change feed in commit order: paging with `after` sees every committed event exactly once.",
    skipTypeScopes: true,
    authScopes: EVENT_READERS,
    args: { first: t.arg.int(), after: t.arg.string(), filter: t.arg({ type: DirectoryEventFilter }) },
    resolve: (_root, args, { prisma, auth }) => listEvents(prisma, auth, args),
  }),
);

builder.subscriptionField("directoryEvents", (t) =>
  t.field({
    type: DirectoryEventType,
    description: "Events as they commit, from `after` (a cursor of the feed or of an event) or from now on.",
    skipTypeScopes: true,
    authScopes: EVENT_READERS,
    args: { filter: t.arg({ type: DirectoryEventFilter }), after: t.arg.string() },
    subscribe: (_root, { filter, after }, { prisma, auth, changeFeed }) =>
      followEvents(prisma, auth, filter ?? {}, after ? positionOf(auth, after) : undefined, changeFeed.signals, changeFeed.pollMs),
    resolve: (event) => event,
  }),
);
