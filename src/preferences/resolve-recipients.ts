import type { Auth } from "../auth/caller.ts";
import { assertOrganizationInReach, reachableOrganizations } from "../auth/reach.ts";
import { readRows } from "../db/direct-reads.ts";
import { type Channel, Prisma, type PrismaClient, type User, type Workflow } from "../db/generated/prisma/client.ts";
import type { PushProvider } from "../db/generated/prisma/enums.ts";
import { type ConnectionPage, connectionPage } from "../graphql/connection-page.ts";
import { decodeCursor, encodeCursor } from "../graphql/cursor.ts";
import { checkPageSize, MAX_PAGE_SIZE } from "../graphql/page-size.ts";
import { requestError } from "../graphql/request-errors.ts";
import type { JsonObject } from "../json.ts";
import { normalizeUserFilter, type UserFilter, userFilterConditions } from "../users/read/user-filter.ts";
import { EVERY_USER_FIELD, type UserSelection, userSelectList } from "../users/read/user-selection.ts";
import type { UserField } from "../users/user-fields.ts";
import { RECIPIENT_FIELDS } from "./conditions.ts";
import { type Decision, decide } from "./decide.ts";
import { destinationsOf } from "./destinations.ts";
import { documentFrom, emptyDocument } from "./preference-document.ts";
import { DEFAULT_SET_ID } from "./preference-store.ts";

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

/** A user as the page reads it: the columns selected and decided on, its destinations and the preference set that applies. */
type RecipientUser = User & {
  _push_tokens: { provider: PushProvider; token: string }[];
  _channel_settings: { settings: unknown; channelId: string }[];
  /** The document of the first of the set ids the user has, null for none. */
  _preferences: unknown;
};

/** What the decisions and conditions read of the users row, besides the fields the query selects. */
const DECIDING_FIELDS: readonly UserField[] = [
  ...RECIPIENT_FIELDS,
  "projectId",
  "status",
  "unsubscribedEmail",
  "unsubscribedTexting",
  "emailSuppressionReason",
  "slackDestination",
  "webPushSubscriptions",
];

/**
 * One statement for a page of users with everything the decisions read: the
 * user's columns, its push tokens and channel settings, and the first set of
 * `setIds` it has (each a subquery on the page's rows, by primary key or index).
 */
function recipientPage(selection: UserSelection, where: Prisma.Sql, after: Prisma.Sql, setIds: string[], limit: number): Prisma.Sql {
  return Prisma.sql`
    SELECT ${userSelectList(selection, DECIDING_FIELDS)},
      (SELECT coalesce(json_agg(json_build_object('provider', p.provider, 'token', p.token) ORDER BY p.position), '[]'::json)
         FROM push_tokens p WHERE p.project_id = u.project_id AND p.user_id = u.id) AS _push_tokens,
      (SELECT coalesce(json_agg(json_build_object('settings', s.settings, 'channelId', s.channel_id) ORDER BY c.name), '[]'::json)
         FROM channel_settings s JOIN channels c ON c.id = s.channel_id WHERE s.project_id = u.project_id AND s.user_id = u.id) AS _channel_settings,
      (SELECT ps.document FROM preference_sets ps
         WHERE ps.project_id = u.project_id AND ps.user_id = u.id AND ps.set_id = ANY(${setIds}::text[])
         ORDER BY array_position(${setIds}::text[], ps.set_id) LIMIT 1) AS _preferences
    FROM users u WHERE ${where} ${after} ORDER BY u.id LIMIT ${limit}`;
}

type SendContextRow = {
  workflow: Pick<Workflow, "key" | "categories" | "critical" | "commercial"> | null;
  defaults: unknown;
  channels: (Omit<Channel, "createdAt" | "updatedAt"> & { createdAt: string; updatedAt: string })[];
};

/** One statement for what every decision of the page shares: the workflow, the project's default preferences and its channels. */
function sendContext(projectId: string, workflowKey: string): Prisma.Sql {
  return Prisma.sql`
    SELECT
      (SELECT json_build_object('key', w.key, 'categories', w.categories, 'critical', w.critical, 'commercial', w.commercial)
         FROM workflows w WHERE w.project_id = ${projectId}::uuid AND w.key = ${workflowKey}) AS workflow,
      (SELECT d.document FROM default_preference_sets d WHERE d.project_id = ${projectId}::uuid) AS defaults,
      (SELECT coalesce(json_agg(json_build_object('id', c.id, 'projectId', c.project_id, 'name', c.name, 'provider', c.provider,
           'createdAt', c.created_at, 'updatedAt', c.updated_at)), '[]'::json)
         FROM channels c WHERE c.project_id = ${projectId}::uuid) AS channels`;
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
 * two statements however large it and the audience are: what the send
 * shares (sendContext), and the page (keyset on id) with everything the
 * decisions read (recipientPage). The decisions are taken in memory.
 * `signal`: the request's, whose client going away stops the statements.
 */
export async function resolveRecipients(
  prisma: PrismaClient,
  auth: Auth,
  args: ResolveRecipientsArgs,
  selection: UserSelection = EVERY_USER_FIELD,
  signal?: AbortSignal,
): Promise<ConnectionPage<Recipient>> {
  const limit = args.first ?? DEFAULT_PAGE_SIZE;
  checkPageSize("first", limit);
  if (args.organizationId) assertOrganizationInReach(auth, args.organizationId);
  const { where, binding } = audience(auth, args);
  const after = args.after ? decodeCursor(args.after, binding, auth.cursorSecret)[0] : null;
  const afterCondition = after === null || after === undefined ? Prisma.empty : Prisma.sql`AND u.id > ${String(after)}`;

  // Sends in an organization's context read the user's set for it, else the user's default set.
  const setIds = args.organizationId ? [args.organizationId, DEFAULT_SET_ID] : [DEFAULT_SET_ID];
  const [[context], rows] = await Promise.all([
    readRows<SendContextRow>(prisma, sendContext(auth.projectId, args.workflow), signal),
    readRows<RecipientUser>(prisma, recipientPage(selection, where, afterCondition, setIds, limit + 1), signal),
  ]);
  const { workflow } = context!;
  const defaults = context!.defaults ? documentFrom(context!.defaults) : emptyDocument();
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
  // The project's channels, read once for the page (a project has a handful) rather than with every user's settings.
  const channelById = new Map(
    context!.channels.map((channel) => [
      channel.id,
      { ...channel, createdAt: new Date(channel.createdAt), updatedAt: new Date(channel.updatedAt) },
    ]),
  );
  const recipients = rows.slice(0, limit).map((user): Recipient => {
    const preferences = user._preferences ? documentFrom(user._preferences) : defaults;
    // A channel created after the channels were read has no settings worth deciding on yet.
    const channelSettings = user._channel_settings.flatMap(({ settings, channelId }) => {
      const channel = channelById.get(channelId);
      return channel ? [{ settings, channel }] : [];
    });
    const { email, phoneNumber, slackDestination, webPushSubscriptions } = user;
    const destinations = destinationsOf({
      email,
      phoneNumber,
      slackDestination,
      webPushSubscriptions,
      pushTokens: user._push_tokens,
      channelSettings,
    });
    const context = { recipient: user, properties: user.properties as JsonObject, data: send.data };
    const channels = decide(user, destinations, preferences, send, context);
    return { user, reachable: channels.some((decision) => decision.allowed), channels };
  });
  return connectionPage(
    recipients,
    (recipient) => encodeCursor([recipient.user.id], binding, auth.cursorSecret),
    { hasNextPage: rows.length > limit, hasPreviousPage: args.after != null },
    () =>
      readRows<{ count: number }>(prisma, Prisma.sql`SELECT count(*)::int AS count FROM users u WHERE ${where}`, signal).then(
        ([row]) => row!.count,
      ),
  );
}
