import type { Prisma, PrismaClient } from "../db/generated/prisma/client.ts";

type Client = PrismaClient | Prisma.TransactionClient;

/** `%`, `_` and `\` match literally once escaped. */
const likeLiteral = (value: string) => value.replace(/[\\%_]/g, (character) => `\\${character}`);

/**
 * The project's users with this email, case-insensitively, oldest first.
 * ILIKE on a literal pattern is served by the email trigram index.
 */
export async function usersByEmail(prisma: Client, projectId: string, email: string) {
  const rows = await prisma.$queryRaw<{ id: string }[]>`
    SELECT id FROM users WHERE project_id = ${projectId}::uuid AND email ILIKE ${likeLiteral(email)}
    ORDER BY created_at, id`;
  const lower = email.toLowerCase();
  if (rows.length === 0) return [];
  const users = await prisma.user.findMany({
    where: { projectId, id: { in: rows.map((row) => row.id) } },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
  // ILIKE folds case by the database's collation; keep exact lower-case matches only.
  return users.filter((user) => user.email?.toLowerCase() === lower);
}

/**
 * Serialises sign-ups and invitations of one email in one project for the rest
 * of the transaction, so that two at once cannot both make a member.
 */
export function lockEmail(tx: Prisma.TransactionClient, projectId: string, email: string) {
  return tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`member-email:${projectId}:${email.toLowerCase()}`}, 0))`;
}
