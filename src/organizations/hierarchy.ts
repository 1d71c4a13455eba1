import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { Auth } from "../auth/caller.ts";
import type { Organization, PrismaClient } from "../db/generated/prisma/client.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { organizationEvent } from "../events/organization-events.ts";
import { recordDirectoryEvents } from "../events/record.ts";
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

export async function createOrganization(prisma: PrismaClient, caller: Auth, input: CreateOrganizationInput): Promise<Organization> {
  const { projectId } = caller;
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
    await recordDirectoryEvents(
      tx,
      caller,
      organizationEvent("ORGANIZATION_CREATED", newId, undefined, { name, parentId: parentId ?? null }),
    );
    return tx.organization.findUniqueOrThrow({ where: { projectId_id: { projectId, id: newId } } });
  });
}

export async function renameOrganization(prisma: PrismaClient, caller: Auth, id: string, name: string) {
  const { projectId } = caller;
  const parsed = parseOrThrow(z.strictObject({ name: organizationName }), { name });
  return prisma.$transaction(async (tx) => {
    const [before] = await tx.$queryRaw<{ name: string }[]>`
      SELECT name FROM organizations WHERE project_id = ${projectId}::uuid AND id = ${id} FOR NO KEY UPDATE`;
    if (!before) throw new NotFoundError("organization", id);
    const organization = await tx.organization.update({ where: { projectId_id: { projectId, id } }, data: { name: parsed.name } });
    await recordDirectoryEvents(tx, caller, organizationEvent("ORGANIZATION_UPDATED", id, before, { name: parsed.name }));
    return organization;
  });
}

/** Puts the organization under another one, or at the root when `parentId` is null. */
export async function moveOrganization(prisma: PrismaClient, caller: Auth, id: string, parentId: string | null) {
  const { projectId } = caller;
  return prisma.$transaction(async (tx) => {
    await lockTree(tx, projectId);
    const before = await requireOrganization(tx, projectId, id);
    if (parentId !== null) {
      await requireOrganization(tx, projectId, parentId);
      if (await isInSubtree(tx, projectId, id, parentId)) {
        throw new ValidationError([
          { field: "parentId", message: "is the organization itself or one of its descendants", reason: "invalid" },
        ]);
      }
    }
    const organization = await tx.organization.update({ where: { projectId_id: { projectId, id } }, data: { parentId } });
    await recordDirectoryEvents(tx, caller, organizationEvent("ORGANIZATION_UPDATED", id, { parentId: before.parentId }, { parentId }));
    return organization;
  });
}

/** Deletes an organization that has neither users nor children. */
export async function deleteOrganization(prisma: PrismaClient, caller: Auth, id: string) {
  const { projectId } = caller;
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
    await recordDirectoryEvents(tx, caller, [{ type: "ORGANIZATION_DELETED", organizationId: id }]);
    return { id };
  });
}
