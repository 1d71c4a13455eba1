import { Prisma, type PrismaClient } from "../db/generated/prisma/client.ts";

type Client = PrismaClient | Prisma.TransactionClient;

/** The ids of the organization and of every organization below it, at any depth, as a subquery. */
export function organizationSubtree(projectId: string, organizationId: string): Prisma.Sql {
  return Prisma.sql`(
    WITH RECURSIVE subtree(id) AS (
      SELECT o.id FROM organizations o WHERE o.project_id = ${projectId}::uuid AND o.id = ${organizationId}
      UNION
      SELECT o.id FROM organizations o JOIN subtree s ON o.parent_id = s.id WHERE o.project_id = ${projectId}::uuid
    ) SELECT id FROM subtree)`;
}

/** The organization's subtree (itself included), sorted. */
export async function organizationSubtreeIds(prisma: Client, projectId: string, organizationId: string): Promise<string[]> {
  const rows = await prisma.$queryRaw<{ id: string }[]>`SELECT id FROM ${organizationSubtree(projectId, organizationId)} AS s`;
  return rows.map((row) => row.id).sort();
}

/** True when `candidate` is the organization itself or lies anywhere below it. */
export async function isInSubtree(prisma: Client, projectId: string, organizationId: string, candidate: string): Promise<boolean> {
  const [row] = await prisma.$queryRaw<{ found: boolean }[]>`
    SELECT ${candidate} IN ${organizationSubtree(projectId, organizationId)} AS found`;
  return row!.found;
}
