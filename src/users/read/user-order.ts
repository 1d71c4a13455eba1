import type { UserField } from "../user-fields.ts";

export const USER_SORT_FIELDS = ["RELEVANCE", "ID", "NAME", "EMAIL", "CREATED_AT", "UPDATED_AT", "LAST_SEEN_AT", "SESSIONS_COUNT"] as const;
export type UserSortField = (typeof USER_SORT_FIELDS)[number];
export type SortDirection = "ASC" | "DESC";
export type UserOrder = { field: UserSortField; direction: SortDirection };

/**
 * How a sort field orders rows: the User field whose column leads, whether
 * it can be null, and how a cursor value reads back. Every order ends with the
 * id, so it is total and pages never skip or repeat a row.
 */
export type SortKey = { field: UserField; nullable: boolean; kind: "text" | "time" | "int" };

export const SORT_KEYS: Record<Exclude<UserSortField, "RELEVANCE" | "ID">, SortKey> = {
  NAME: { field: "name", nullable: true, kind: "text" },
  EMAIL: { field: "email", nullable: true, kind: "text" },
  CREATED_AT: { field: "createdAt", nullable: false, kind: "time" },
  UPDATED_AT: { field: "updatedAt", nullable: false, kind: "time" },
  LAST_SEEN_AT: { field: "lastSeenAt", nullable: true, kind: "time" },
  SESSIONS_COUNT: { field: "sessionsCount", nullable: false, kind: "int" },
};
