import type { Auth } from "../auth/caller.ts";
import { assertOrganizationInReach, reachableOrganizations } from "../auth/reach.ts";
import { type Channel, Prisma, type PrismaClient, type User } from "../db/generated/prisma/client.ts";
import type { PushProvider } from "../db/generated/prisma/enums.ts";
import { type ConnectionPage, connectionPage } from "../graphql/connection-page.ts";
import { decodeCursor, encodeCursor } from "../graphql/cursor.ts";
import { checkPageSize, MAX_PAGE_SIZE } from "../graphql/page-size.ts";
import { requestError } from "../graphql/request-errors.ts";
import type { JsonObject } from "../json.ts";
import { normalizeUserFilter, type UserFilter, userFilterConditions } from "../users/read/user-filter.ts";
import { EVERY_USER_FIELD, userSelectList } from "../users/read/user-selection.ts";
import { type Decision, decide } from "./decide.ts";
import { destinationsOf } from "./destinations.ts";
import { documentFrom } from "./preference-document.ts";
import { DEFAULT_SET_ID, readDefaultPreferences } from "./preference-store.ts";

export type ResolveRecipientsArgs = {
  workflow: string;
  category?: string | null;
  organizationId?: string | null;
  data?: JsonObject | null;
  at?: Date | null;
  userIds?: readonly string[] | null;
  filter?: UserFilter | null;
  first?: number | null;
  after?: string | null;
};

const DEFAULT_PAGE_SIZE = 50;

/** A user as the page reads it: the whole row, its destinations and the preference set that applies. */
type RecipientUser = User & {
  _push_tokens: { provider: PushProvider; token: string }[];
  _channel_settings: { settings: unknown; channel: Omit<Channel, "createdAt" | "updatedAt"> & { createdAt: string; updatedAt: string } }[];
  /** The document of the first of the set ids the user has, null for none. */
  _preferences: unknown;
};

/**
 * One statement for a page of users with everything the decisions read: the
 * user's columns, its push tokens and channel settings, and the first set of
 * `setIds` it has (each a subquery on the page's rows, by primary key or index).
 */
function recipientPage(where: Prisma.Sql, after: Prisma.Sql, setIds: string[], limit: number): Prisma.Sql {
  return Prisma.sql`
    SELECT ${userSelectList(EVERY_USER_FIELD, [])},
      (SELECT coalesce(json_agg(json_build_object('provider', p.provider, 'token', p.token) ORDER BY p.position), '[]'::json)
         FROM push_tokens p WHERE p.project_id = u.project_id AND p.user_id = u.id) AS _push_tokens,
      (SELECT coalesce(json_agg(json_build_object('settings', s.settings, 'channel', json_build_object(
           'id', c.id, 'projectId', c.project_id, 'name', c.name, 'provider', c.provider, 'createdAt', c.created_at, 'updatedAt', c.updated_at))
           ORDER BY c.name), '[]'::json)
         FROM channel_settings s JOIN channels c ON c.id = s.channel_id WHERE s.project_id = u.project_id AND s.user_id = u.id) AS _channel_settings,
      (SELECT ps.document FROM preference_sets ps
         WHERE ps.project_id = u.project_id AND ps.user_id = u.id AND ps.set_id = ANY(${setIds}::text[])
         ORDER BY array_position(${setIds}::text[], ps.set_id) LIMIT 1) AS _preferences
    FROM users u WHERE ${where} ${after} ORDER BY u.id LIMIT ${limit}`;
}

export type Recipient = { user: RecipientUser; reachable: boolean; channels: Decision[] };

/** The audience: the users named (up to a page's worth), or those the filter finds; always within the caller's reach. */
function audience(auth: Auth, args: ResolveRecipientsArgs) {
  if (args.userIds && args.filter) throw requestError("BAD_USER_INPUT", "Pass either userIds or filter, not both.");
  const reach = reachableOrganizations(auth);
  if (args.userIds) {
    const userIds = [...new Set(args.userIds)].sort();
    if (userIds.length > MAX_PAGE_SIZE) {
      throw requestError("BAD_USER_INPUT", `userIds takes at most ${MAX_PAGE_SIZE} ids; use filter for larger audiences.`, {
        argument: "userIds",
      });
    }
    const conditions = [Prisma.sql`u.project_id = ${auth.projectId}::uuid`, Prisma.sql`u.id = ANY(${userIds}::text[])`];
    if (reach !== null) conditions.push(Prisma.sql`u.organization_id = ANY(${reach}::text[])`);
    return { where: Prisma.join(conditions, " AND "), binding: JSON.stringify(["recipients", auth.projectId, userIds, reach]) };
  }
  const filter = normalizeUserFilter(args.filter, reach);
  return { where: userFilterConditions(auth.projectId, filter), binding: JSON.stringify(["recipients", auth.projectId, filter]) };
}

/**
 * A page of recipients with a decision for every destination. The page costs
 * three statements however large it and the audience are: the workflow, the
 * project's defaults, and the page (keyset on id) with everything the
 * decisions read (recipientPage). The decisions are taken in memory.
 */
export async function resolveRecipients(prisma: PrismaClient, auth: Auth, args: ResolveRecipientsArgs): Promise<ConnectionPage<Recipient>> {
  const limit = args.first ?? DEFAULT_PAGE_SIZE;
  checkPageSize("first", limit);
  if (args.organizationId) assertOrganizationInReach(auth, args.organizationId);
  const { where, binding } = audience(auth, args);
  const after = args.after ? decodeCursor(args.after, binding, auth.cursorSecret)[0] : null;
  const afterCondition = after === null || after === undefined ? Prisma.empty : Prisma.sql`AND u.id > ${String(after)}`;

  // Sends in an organization's context read the user's set for it, else the user's default set.
  const setIds = args.organizationId ? [args.organizationId, DEFAULT_SET_ID] : [DEFAULT_SET_ID];
  const [workflow, defaults, rows] = await Promise.all([
    prisma.workflow.findUnique({ where: { projectId_key: { projectId: auth.projectId, key: args.workflow } } }),
    readDefaultPreferences(prisma, auth.projectId),
    prisma.$queryRaw<RecipientUser[]>(recipientPage(where, afterCondition, setIds, limit + 1)),
  ]);
  if (!workflow)
    throw requestError("BAD_USER_INPUT", `No workflow with key ${JSON.stringify(args.workflow)}; define it with defineWorkflow.`, {
      argument: "workflow",
    });

  const categories = [...new Set([...workflow.categories, ...(args.category ? [args.category] : [])])];
  const send = {
    workflow: workflow.key,
    categories,
    critical: workflow.critical,
    commercial: workflow.commercial,
    data: args.data ?? {},
    at: args.at ?? new Date(),
  };
  const recipients = rows.slice(0, limit).map((user): Recipient => {
    const preferences = user._preferences ? documentFrom(user._preferences) : defaults.document;
    const channelSettings = user._channel_settings.map(({ settings, channel }) => ({
      settings,
      channel: { ...channel, createdAt: new Date(channel.createdAt), updatedAt: new Date(channel.updatedAt) },
    }));
    const destinations = destinationsOf({ ...user, pushTokens: user._push_tokens, channelSettings });
    const context = { recipient: user, properties: user.properties as JsonObject, data: send.data };
    const channels = decide(user, destinations, preferences, send, context);
    return { user, reachable: channels.some((decision) => decision.allowed), channels };
  });
  return connectionPage(
    recipients,
    (recipient) => encodeCursor([recipient.user.id], binding, auth.cursorSecret),
    { hasNextPage: rows.length > limit, hasPreviousPage: args.after != null },
    () => prisma.$queryRaw<{ count: number }[]>`SELECT count(*)::int AS count FROM users u WHERE ${where}`.then(([row]) => row!.count),
  );
}
