import type { PrismaClient, User } from "../db/generated/prisma/client.ts";
import { type ProfileInput, parseProfile } from "./profile.ts";

export type UpsertUserInput = ProfileInput;
export type UpsertUserResult = { user: User; created: boolean };

/**
 * Creates the user or changes the fields the input names. Runs in one
 * transaction: a new user is inserted with ON CONFLICT DO NOTHING, an existing
 * one is locked before it is changed, so concurrent upserts serialise per user.
 */
export async function upsertUser(
  prisma: PrismaClient,
  projectId: string,
  id: string,
  input: UpsertUserInput,
): Promise<UpsertUserResult> {
  const profile = parseProfile(id, input);
  return prisma.$transaction(async (tx) => {
    const { count } = await tx.user.createMany({ data: [{ projectId, id, ...profile }], skipDuplicates: true });
    if (count === 1) {
      return { user: await tx.user.findUniqueOrThrow({ where: { projectId_id: { projectId, id } } }), created: true };
    }
    await tx.$executeRaw`SELECT 1 FROM users WHERE project_id = ${projectId}::uuid AND id = ${id} FOR UPDATE`;
    const user = await tx.user.update({
      where: { projectId_id: { projectId, id } },
      data: { ...profile, version: { increment: 1 }, updatedAt: new Date() },
    });
    return { user, created: false };
  });
}
