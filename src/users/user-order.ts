import type { UserField } from "./user-columns.ts";

export const USER_SORT_FIELDS = ["RELEVANCE", "ID", "NAME", "EMAIL", "CREATED_AT", "UPDATED_AT", "LAST_SEEN_AT"] as const;
export type UserSortField = (typeof USER_SORT_FIELDS)[number];
export type SortDirection = "ASC" | "DESC";
export type UserOrder = { field: UserSortField; direction: SortDirection };

/**
 * How a sort field orders rows: the column that leads, whether it can be
 * null, and how a cursor value reads back. Every order ends with the id, so it
 * is total and pages never skip or repeat a row.
 */
export type SortKey = { column: string; field: UserField; nullable: boolean; kind: "text" | "time" };

export const SORT_KEYS: Record<Exclude<UserSortField, "RELEVANCE" | "ID">, SortKey> = {
  NAME: { column: "name", field: "name", nullable: true, kind: "text" },
  EMAIL: { column: "email", field: "email", nullable: true, kind: "text" },
  CREATED_AT: { column: "created_at", field: "createdAt", nullable: false, kind: "time" },
  UPDATED_AT: { column: "updated_at", field: "updatedAt", nullable: false, kind: "time" },
  LAST_SEEN_AT: { column: "last_seen_at", field: "lastSeenAt", nullable: true, kind: "time" },
};
