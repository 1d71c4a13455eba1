import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { Organization, PrismaClient } from "../db/generated/prisma/client.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { organizationName } from "../validation/formats.ts";
import { callerId } from "../validation/ids.ts";
import { parseOrThrow } from "../validation/problems.ts";
import { isInSubtree } from "./subtree.ts";

type Transaction = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];

const organizationInput = z.strictObject({ id: callerId.nullish(), name: organizationName, parentId: callerId.nullish() });
export type CreateOrganizationInput = z.input<typeof organizationInput>;

/**
 * Changes to the tree of one project are serialised by a transaction-scoped
 * advisory lock, so two concurrent moves cannot build a cycle between them.
 */
function lockTree(tx: Transaction, projectId: string) {
  return tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`organizations:${projectId}`}, 0))`;
}

async function requireOrganization(tx: Transaction, projectId: string, id: string) {
  const organization = await tx.organization.findUnique({ where: { projectId_id: { projectId, id } } });
  if (!organization) throw new NotFoundError("organization", id);
  return organization;
}

export async function createOrganization(prisma: PrismaClient, projectId: string, input: CreateOrganizationInput): Promise<Organization> {
  const { id, name, parentId } = parseOrThrow(organizationInput, input);
  const newId = id ?? randomUUID();
  return prisma.$transaction(async (tx) => {
    await lockTree(tx, projectId);
    if (parentId) await requireOrganization(tx, projectId, parentId);
    const { count } = await tx.organization.createMany({
      data: [{ projectId, id: newId, name, parentId: parentId ?? null }],
      skipDuplicates: true,
    });
    if (count === 0) throw new ValidationError([{ field: "id", message: "is already taken", reason: "conflict" }]);
    return tx.organization.findUniqueOrThrow({ where: { projectId_id: { projectId, id: newId } } });
  });
}

export async function renameOrganization(prisma: PrismaClient, projectId: string, id: string, name: string) {
  const parsed = parseOrThrow(z.strictObject({ name: organizationName }), { name });
  const { count } = await prisma.organization.updateMany({ where: { projectId, id }, data: { name: parsed.name } });
  if (count === 0) throw new NotFoundError("organization", id);
  return prisma.organization.findUniqueOrThrow({ where: { projectId_id: { projectId, id } } });
}

/** Puts the organization under another one, or at the root when `parentId` is null. */
export async function moveOrganization(prisma: PrismaClient, projectId: string, id: string, parentId: string | null) {
  return prisma.$transaction(async (tx) => {
    await lockTree(tx, projectId);
    await requireOrganization(tx, projectId, id);
    if (parentId !== null) {
      await requireOrganization(tx, projectId, parentId);
      if (await isInSubtree(tx, projectId, id, parentId)) {
        throw new ValidationError([
          { field: "parentId", message: "is the organization itself or one of its descendants", reason: "invalid" },
        ]);
      }
    }
    return tx.organization.update({ where: { projectId_id: { projectId, id } }, data: { parentId } });
  });
}

/** Deletes an organization that has neither users nor children. */
export async function deleteOrganization(prisma: PrismaClient, projectId: string, id: string) {
  return prisma.$transaction(async (tx) => {
    await lockTree(tx, projectId);
    // The row lock makes a concurrent upsert that assigns a user to it wait until we are done.
    await tx.$executeRaw`SELECT 1 FROM organizations WHERE project_id = ${projectId}::uuid AND id = ${id} FOR UPDATE`;
    await requireOrganization(tx, projectId, id);
    const [users, children] = await Promise.all([
      tx.user.count({ where: { projectId, organizationId: id } }),
      tx.organization.count({ where: { projectId, parentId: id } }),
    ]);
    if (users > 0 || children > 0) {
      throw new ValidationError([
        { field: "id", message: `still has ${users} user(s) and ${children} child organization(s)`, reason: "conflict" },
      ]);
    }
    await tx.organization.delete({ where: { projectId_id: { projectId, id } } });
    return { id };
  });
}
