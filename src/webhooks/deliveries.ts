import type { Auth } from "../auth/caller.ts";
import type { PrismaClient, WebhookDelivery } from "../db/generated/prisma/client.ts";
import { type ConnectionPage, connectionPage } from "../graphql/connection-page.ts";
import { decodeCursor, encodeCursor } from "../graphql/cursor.ts";
import { checkPageSize } from "../graphql/page-size.ts";
import { requestError } from "../graphql/request-errors.ts";
import { isUuid } from "../validation/ids.ts";

const DEFAULT_PAGE_SIZE = 50;

function positionIn([seq]: readonly unknown[]): bigint {
  if (typeof seq !== "string" || !/^\d{1,19}$/.test(seq)) throw requestError("BAD_USER_INPUT", "The cursor is not valid.");
  return BigInt(seq);
}

/** An endpoint's deliveries, newest event first, paged by keyset on the event's position; null for an endpoint the project lacks. */
export async function listDeliveries(
  prisma: PrismaClient,
  auth: Auth,
  { endpointId, first, after }: { endpointId: string; first?: number | null; after?: string | null },
): Promise<ConnectionPage<WebhookDelivery> | null> {
  if (first != null) checkPageSize("first", first);
  const { projectId, cursorSecret } = auth;
  if (!isUuid(endpointId) || !(await prisma.webhookEndpoint.count({ where: { id: endpointId, projectId } }))) {
    return null;
  }
  const limit = first ?? DEFAULT_PAGE_SIZE;
  const binding = JSON.stringify(["webhookDeliveries", endpointId]);
  const before = after ? positionIn(decodeCursor(after, binding, cursorSecret)) : null;
  const where = { endpointId, projectId };
  const rows =
    limit === 0
      ? []
      : await prisma.webhookDelivery.findMany({
          where: { ...where, ...(before !== null && { eventSeq: { lt: before } }) },
          orderBy: { eventSeq: "desc" },
          take: limit + 1,
        });
  return connectionPage(
    rows.slice(0, limit),
    (delivery) => encodeCursor([delivery.eventSeq.toString()], binding, cursorSecret),
    { hasNextPage: rows.length > limit, hasPreviousPage: after != null },
    () => prisma.webhookDelivery.count({ where }),
  );
}
