// The names of the change feed, fixed by the contract (issue 19).

export const EVENT_TYPES = [
  "USER_CREATED",
  "USER_UPDATED",
  "USER_DELETED",
  "CHANNEL_SETTINGS_SET",
  "CHANNEL_SETTINGS_UNSET",
  "PREFERENCES_UPDATED",
  "PUSH_TOKEN_REMOVED",
  "ORGANIZATION_CREATED",
  "ORGANIZATION_UPDATED",
  "ORGANIZATION_DELETED",
  "MEMBER_STATUS_CHANGED",
  "MEMBER_ROLE_CHANGED",
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const ACTOR_KINDS = ["SECRET_KEY", "MEMBER", "USER_TOKEN", "SYSTEM"] as const;
export type ActorKind = (typeof ACTOR_KINDS)[number];

/** Who made a change: a key's id, a member's or a token's user id; none for the system. */
export type Actor = { kind: ActorKind; id: string | null };

/** A change as its writer describes it; the log adds its number, id, time and actor. */
export type NewDirectoryEvent = {
  type: EventType;
  userId?: string | null;
  organizationId?: string | null;
  channelId?: string | null;
  changedFields?: readonly string[];
  version?: number | null;
};
