import { type Platform, Prisma, type UserStatus } from "../../db/generated/prisma/client.ts";
import { organizationSubtree } from "../../organizations/subtree.ts";
import { parseSearch, type Search, searchCondition } from "./search.ts";

export type UserFilter = {
  query?: string | null;
  organizationId?: string | null;
  includeSubOrganizations?: boolean | null;
  tags?: readonly string[] | null;
  status?: readonly UserStatus[] | null;
  updatedSince?: Date | null;
  hasPushToken?: boolean | null;
  platform?: Platform | null;
  lastSeenAfter?: Date | null;
  lastSeenBefore?: Date | null;
};

/** A filter in one canonical form: what cursors are bound to and what SQL is built from. */
export type NormalizedUserFilter = {
  search: Search | null;
  organizationId: string | null;
  includeSubOrganizations: boolean;
  tags: string[];
  status: UserStatus[];
  updatedSince: string | null;
  hasPushToken: boolean | null;
  platform: Platform | null;
  lastSeenAfter: string | null;
  lastSeenBefore: string | null;
  /** The organizations a member may see (null for a key: all); part of the filter, so cursors are bound to it. */
  reach: readonly string[] | null;
};

export function normalizeUserFilter(filter: UserFilter | null | undefined, reach: readonly string[] | null): NormalizedUserFilter {
  return {
    search: parseSearch(filter?.query),
    organizationId: filter?.organizationId ?? null,
    includeSubOrganizations: Boolean(filter?.organizationId && filter.includeSubOrganizations),
    tags: [...new Set(filter?.tags?.map((tag) => tag.trim()) ?? [])].sort(),
    status: [...new Set(filter?.status ?? [])].sort(),
    updatedSince: filter?.updatedSince?.toISOString() ?? null,
    hasPushToken: filter?.hasPushToken ?? null,
    platform: filter?.platform ?? null,
    lastSeenAfter: filter?.lastSeenAfter?.toISOString() ?? null,
    lastSeenBefore: filter?.lastSeenBefore?.toISOString() ?? null,
    reach,
  };
}

export function userFilterConditions(projectId: string, filter: NormalizedUserFilter): Prisma.Sql {
  const conditions = [Prisma.sql`u.project_id = ${projectId}::uuid`];
  if (filter.organizationId !== null) {
    conditions.push(
      filter.includeSubOrganizations
        ? // A hashed lookup per row (IS TRUE keeps the planner from turning it into a nested-loop semi join
          // that compares each user with every organization of the subtree): 90 ms → 10 ms a page of 1000.
          Prisma.sql`(u.organization_id IN ${organizationSubtree(projectId, filter.organizationId)}) IS TRUE`
        : Prisma.sql`u.organization_id = ${filter.organizationId}`,
    );
  }
  if (filter.tags.length > 0) conditions.push(Prisma.sql`u.tags @> ${filter.tags}::text[]`);
  if (filter.status.length > 0) conditions.push(Prisma.sql`u.status::text = ANY(${filter.status}::text[])`);
  if (filter.updatedSince !== null) conditions.push(Prisma.sql`u.updated_at >= ${filter.updatedSince}::timestamptz`);
  if (filter.hasPushToken !== null) conditions.push(Prisma.sql`u.has_push_token = ${filter.hasPushToken}`);
  if (filter.platform !== null) conditions.push(Prisma.sql`u.platforms @> ARRAY[${filter.platform}::"Platform"]`);
  // Bounds on lastSeenAt leave out users never seen; with the LAST_SEEN_AT order, they are one range of its index.
  if (filter.lastSeenAfter !== null) conditions.push(Prisma.sql`u.last_seen_at > ${filter.lastSeenAfter}::timestamptz`);
  if (filter.lastSeenBefore !== null) conditions.push(Prisma.sql`u.last_seen_at < ${filter.lastSeenBefore}::timestamptz`);
  if (filter.search) conditions.push(searchCondition(projectId, filter.search));
  if (filter.reach !== null) conditions.push(Prisma.sql`u.organization_id = ANY(${filter.reach}::text[])`);
  return Prisma.join(conditions, " AND ");
}
