import type { Auth } from "../auth/authenticate.ts";
import { Prisma, type PrismaClient } from "../db/generated/prisma/client.ts";
import type { JsonObject } from "../graphql/builder.ts";
import { type ConnectionPage, connectionPage } from "../graphql/connection.ts";
import { decodeCursor, encodeCursor } from "../graphql/cursor.ts";
import { MAX_PAGE_SIZE, checkPageSize } from "../graphql/page-size.ts";
import { requestError } from "../graphql/request-errors.ts";
import { assertOrganizationInReach, reachableOrganizations } from "../members/reach.ts";
import { type UserFilter, normalizeUserFilter, userFilterConditions } from "../users/user-filter.ts";
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

/** The user of a recipient as read: the whole row with what the decision needs. */
const RECIPIENT_INCLUDE = (setIds: string[]) =>
  ({
    pushTokens: { orderBy: { position: "asc" } },
    channelSettings: { include: { channel: true } },
    preferenceSets: { where: { setId: { in: setIds } } },
  }) satisfies Prisma.UserInclude;
type RecipientUser = Prisma.UserGetPayload<{ include: ReturnType<typeof RECIPIENT_INCLUDE> }>;

export type Recipient = { user: RecipientUser; reachable: boolean; channels: Decision[] };

/** The audience: the users named (up to a page's worth), or those the filter finds; always within the caller's reach. */
function audience(auth: Auth, args: ResolveRecipientsArgs) {
  if (args.userIds && args.filter) throw requestError("BAD_USER_INPUT", "Pass either userIds or filter, not both.");
  const reach = reachableOrganizations(auth);
  if (args.userIds) {
    const userIds = [...new Set(args.userIds)].sort();
    if (userIds.length > MAX_PAGE_SIZE) {
      throw requestError("BAD_USER_INPUT", `userIds takes at most ${MAX_PAGE_SIZE} ids; use filter for larger audiences.`, { argument: "userIds" });
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
 * the same few statements however large the audience: the workflow, the
 * project's defaults, the page's user ids (keyset on id) and those users with
 * their push tokens, channel settings and the two preference sets that can
 * apply (one statement, relations joined). The decisions are taken in memory.
 */
export async function resolveRecipients(prisma: PrismaClient, auth: Auth, args: ResolveRecipientsArgs): Promise<ConnectionPage<Recipient>> {
  const limit = args.first ?? DEFAULT_PAGE_SIZE;
  checkPageSize("first", limit);
  if (args.organizationId) assertOrganizationInReach(auth, args.organizationId);
  const { where, binding } = audience(auth, args);
  const after = args.after ? decodeCursor(args.after, binding, auth.cursorSecret)[0] : null;
  const afterCondition = after === null || after === undefined ? Prisma.empty : Prisma.sql`AND u.id > ${String(after)}`;

  const [workflow, defaults, page] = await Promise.all([
    prisma.workflow.findUnique({ where: { projectId_key: { projectId: auth.projectId, key: args.workflow } } }),
    readDefaultPreferences(prisma, auth.projectId),
    prisma.$queryRaw<{ id: string }[]>`SELECT u.id FROM users u WHERE ${where} ${afterCondition} ORDER BY u.id LIMIT ${limit + 1}`,
  ]);
  if (!workflow) throw requestError("BAD_USER_INPUT", `No workflow with key ${JSON.stringify(args.workflow)}; define it with defineWorkflow.`, { argument: "workflow" });

  const ids = page.slice(0, limit).map((row) => row.id);
  // Sends in an organization's context read the user's set for it, else the user's default set.
  const setIds = args.organizationId ? [args.organizationId, DEFAULT_SET_ID] : [DEFAULT_SET_ID];
  const users =
    ids.length === 0
      ? []
      : await prisma.user.findMany({
          where: { projectId: auth.projectId, id: { in: ids } },
          include: RECIPIENT_INCLUDE(setIds),
          orderBy: { id: "asc" },
        });

  const categories = [...new Set([...workflow.categories, ...(args.category ? [args.category] : [])])];
  const send = { workflow: workflow.key, categories, critical: workflow.critical, commercial: workflow.commercial, data: args.data ?? {}, at: args.at ?? new Date() };
  const recipients = users.map((user): Recipient => {
    const set = setIds.map((setId) => user.preferenceSets.find((stored) => stored.setId === setId)).find((stored) => stored !== undefined);
    const preferences = set ? documentFrom(set.document) : defaults.document;
    const context = { recipient: user, properties: user.properties as JsonObject, data: send.data };
    const channels = decide(user, destinationsOf(user), preferences, send, context);
    return { user, reachable: channels.some((decision) => decision.allowed), channels };
  });
  return connectionPage(
    recipients,
    (recipient) => encodeCursor([recipient.user.id], binding, auth.cursorSecret),
    { hasNextPage: page.length > limit, hasPreviousPage: args.after != null },
    () => prisma.$queryRaw<{ count: number }[]>`SELECT count(*)::int AS count FROM users u WHERE ${where}`.then(([row]) => row!.count),
  );
}
