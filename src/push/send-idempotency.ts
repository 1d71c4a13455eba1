import { setTimeout as sleep } from "node:timers/promises";
import { inTransaction } from "../db/direct-reads.ts";
import type { PrismaClient } from "../db/generated/prisma/client.ts";
import { ValidationError } from "../errors.ts";
import { claimIdempotencyKey, requestHash } from "../users/write/idempotency.ts";

const OPERATION = "sendPush";
const POLL_MS = 100;

export type StoredSend = { deliveryIds: string[] };

const inProgress = () =>
  new ValidationError([
    { field: "options.idempotencyKey", reason: "conflict", message: "is in use by a send that has not finished; ask again later" },
  ]);

/**
 * Claims the key for this send in a transaction of its own, so that the
 * sends run outside any transaction: undefined when this request is to send,
 * or the first send's record. A concurrent send with the key waits for the
 * first to finish (up to `waitMs`) and then replays it.
 */
export async function claimSendKey(
  prisma: PrismaClient,
  projectId: string,
  key: string,
  request: unknown,
  waitMs: number,
): Promise<StoredSend | undefined> {
  const claim = { key, operation: OPERATION, hash: requestHash(request) };
  const claimed = await inTransaction(prisma, (tx) => claimIdempotencyKey(tx, projectId, claim, new Date()));
  if (claimed === undefined) return undefined;
  const until = Date.now() + waitMs;
  let response = claimed;
  while (response === null) {
    if (Date.now() > until) throw inProgress();
    await sleep(POLL_MS);
    const record = await prisma.idempotencyRecord.findUnique({ where: { projectId_key: { projectId, key } }, select: { response: true } });
    // Released by a send that failed before it sent anything: claim it anew.
    if (!record) return claimSendKey(prisma, projectId, key, request, until - Date.now());
    response = record.response;
  }
  return response as StoredSend;
}

/** Frees a key whose send failed before it finished, so that the same request can be made again. */
export async function releaseSendKey(prisma: PrismaClient, projectId: string, key: string): Promise<void> {
  await prisma.$executeRaw`DELETE FROM idempotency_records
    WHERE project_id = ${projectId}::uuid AND key = ${key} AND operation = ${OPERATION} AND response = 'null'::jsonb`;
}
