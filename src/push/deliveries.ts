import type { Auth } from "../auth/caller.ts";
import { usersInReach } from "../auth/reach.ts";
import type { Prisma, PrismaClient, PushDelivery } from "../db/generated/prisma/client.ts";
import { type ConnectionPage, connectionPage } from "../graphql/connection-page.ts";
import { decodeCursor, encodeCursor } from "../graphql/cursor.ts";
import { checkPageSize } from "../graphql/page-size.ts";

const DEFAULT_PAGE_SIZE = 50;
const SUFFIX_LENGTH = 8;

/** The end of a token or endpoint: enough to tell devices apart in a log, too little to send to. */
export const tokenSuffix = (destination: string) => destination.slice(-SUFFIX_LENGTH);

export type DeliveryCounts = { sentCount: number; failedCount: number; skippedCount: number };

/** TOKEN_REMOVED counts as failed: nothing reached that device. */
export function countDeliveries(deliveries: readonly Pick<PushDelivery, "status">[]): DeliveryCounts {
  const count = (...statuses: PushDelivery["status"][]) => deliveries.filter((delivery) => statuses.includes(delivery.status)).length;
  return { sentCount: count("SENT"), failedCount: count("FAILED", "TOKEN_REMOVED"), skippedCount: count("SKIPPED") };
}

/**
 * Inserts the deliveries of a send in one statement: a fan-out writes
 * thousands, which Prisma's createMany would send as many parameters.
 */
export async function insertDeliveries(tx: Prisma.TransactionClient, deliveries: readonly PushDelivery[]): Promise<void> {
  if (deliveries.length === 0) return;
  await tx.$executeRaw`
    INSERT INTO push_deliveries (id, project_id, user_id, channel_id, provider, token_suffix, status, reason,
                                 provider_message_id, error_code, attempts, created_at)
    SELECT id, "projectId", "userId", "channelId", provider, "tokenSuffix", status, reason, "providerMessageId", "errorCode", attempts, "createdAt"
    FROM jsonb_to_recordset(${JSON.stringify(deliveries)}::jsonb) AS d(
      id uuid, "projectId" uuid, "userId" text, "channelId" uuid, provider "ChannelProvider", "tokenSuffix" text,
      status "DeliveryStatus", reason text, "providerMessageId" text, "errorCode" text, attempts integer, "createdAt" timestamptz)`;
}

/** The deliveries with these ids, in this order. */
export async function deliveriesById(prisma: PrismaClient, projectId: string, ids: readonly string[]): Promise<PushDelivery[]> {
  const rows = await prisma.pushDelivery.findMany({ where: { projectId, id: { in: [...ids] } } });
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/**
 * Deliveries newest first, of one user or of every user in the caller's
 * reach; keyset pages on (createdAt, id).
 */
export async function listDeliveries(
  prisma: PrismaClient,
  auth: Auth,
  args: { userId?: string | null; first?: number | null; after?: string | null },
): Promise<ConnectionPage<PushDelivery>> {
  const limit = args.first ?? DEFAULT_PAGE_SIZE;
  checkPageSize("first", limit);
  const binding = JSON.stringify(["pushDeliveries", auth.projectId, args.userId ?? null]);
  const after = args.after ? decodeCursor(args.after, binding, auth.cursorSecret) : null;
  const where = {
    projectId: auth.projectId,
    ...(args.userId != null && { userId: args.userId }),
    user: usersInReach(auth),
    ...(after && {
      OR: [{ createdAt: { lt: new Date(String(after[0])) } }, { createdAt: new Date(String(after[0])), id: { lt: String(after[1]) } }],
    }),
  };
  const rows = await prisma.pushDelivery.findMany({ where, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: limit + 1 });
  const { OR: _after, ...all } = where as typeof where & { OR?: unknown };
  return connectionPage(
    rows.slice(0, limit),
    (row) => encodeCursor([row.createdAt.toISOString(), row.id], binding, auth.cursorSecret),
    { hasNextPage: rows.length > limit, hasPreviousPage: args.after != null },
    () => prisma.pushDelivery.count({ where: all }),
  );
}
