import type { EmailSuppressionReason, PrismaClient, User } from "../../db/generated/prisma/client.ts";
import { NotFoundError } from "../../errors.ts";

/**
 * Marks the user's email address as bouncing or complaining, as an email
 * provider's webhook reports. One atomic statement; a repeated report of
 * the same reason changes nothing and keeps the date of the first.
 */
export async function setEmailSuppression(
  prisma: PrismaClient,
  projectId: string,
  userId: string,
  reason: EmailSuppressionReason,
): Promise<User> {
  const now = new Date();
  const [changed] = await prisma.user.updateManyAndReturn({
    where: {
      projectId,
      id: userId,
      OR: [{ emailSuppressionReason: null }, { emailSuppressionReason: { not: reason } }],
    },
    data: { emailSuppressionReason: reason, emailSuppressedAt: now, updatedAt: now, version: { increment: 1 } },
  });
  return changed ?? findUser(prisma, projectId, userId);
}

/** Lifts the suppression; a user without one is left as it is. */
export async function clearEmailSuppression(prisma: PrismaClient, projectId: string, userId: string): Promise<User> {
  const now = new Date();
  const [changed] = await prisma.user.updateManyAndReturn({
    where: { projectId, id: userId, emailSuppressionReason: { not: null } },
    data: { emailSuppressionReason: null, emailSuppressedAt: null, updatedAt: now, version: { increment: 1 } },
  });
  return changed ?? findUser(prisma, projectId, userId);
}

async function findUser(prisma: PrismaClient, projectId: string, id: string): Promise<User> {
  const user = await prisma.user.findUnique({ where: { projectId_id: { projectId, id } } });
  if (!user) throw new NotFoundError("user", id);
  return user;
}
