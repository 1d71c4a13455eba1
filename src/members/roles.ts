import { randomUUID } from "node:crypto";
import { z } from "zod";
import { BUILT_IN_ROLES } from "../auth/built-in-roles.ts";
import { SCOPES } from "../auth/keys.ts";
import { Prisma, type PrismaClient } from "../db/generated/prisma/client.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { plainText } from "../validation/formats.ts";
import { callerId } from "../validation/ids.ts";
import { parseOrThrow } from "../validation/problems.ts";

type Client = PrismaClient | Prisma.TransactionClient;

const roleInput = z.strictObject({
  id: callerId.nullish(),
  name: plainText(100).trim().min(1, "must not be empty"),
  permissions: z.array(z.enum(SCOPES, `must be one of ${SCOPES.join(", ")}`)).max(SCOPES.length),
});

/** Permissions are checked against the scopes here, so any names may come in. */
export type CreateRoleInput = Omit<z.input<typeof roleInput>, "permissions"> & { permissions: readonly string[] };

export async function createRole(prisma: PrismaClient, projectId: string, input: CreateRoleInput) {
  const { id, name, permissions } = parseOrThrow(roleInput, input);
  const roleId = id ?? randomUUID();
  try {
    return await prisma.role.create({ data: { projectId, id: roleId, name, permissions: [...new Set(permissions)] } });
  } catch (error) {
    if (!(error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002")) throw error;
    const idTaken = await prisma.role.count({ where: { projectId, id: roleId } });
    throw new ValidationError([
      idTaken
        ? { field: "id", message: "is already taken", reason: "conflict" }
        : { field: "name", message: "is already taken", reason: "conflict" },
    ]);
  }
}

export function listRoles(prisma: PrismaClient, projectId: string) {
  return prisma.role.findMany({ where: { projectId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
}

/** The role, or NotFoundError. */
export async function requireRole(prisma: Client, projectId: string, id: string) {
  const role = await prisma.role.findUnique({ where: { projectId_id: { projectId, id } } });
  if (!role) throw new NotFoundError("role", id);
  return role;
}

/** Deletes a role no user holds; the built-in roles stay, since registration and invitations rely on them. */
export async function deleteRole(prisma: PrismaClient, projectId: string, id: string) {
  if (Object.hasOwn(BUILT_IN_ROLES, id)) throw new ValidationError([{ field: "id", message: "is a built-in role", reason: "conflict" }]);
  await requireRole(prisma, projectId, id);
  const holders = await prisma.user.count({ where: { projectId, roleId: id } });
  const inUse = () => new ValidationError([{ field: "id", message: `is assigned to ${holders || "some"} users`, reason: "conflict" }]);
  if (holders > 0) throw inUse();
  try {
    // A role assigned since the count is protected by the foreign key (ON DELETE RESTRICT).
    const { count } = await prisma.role.deleteMany({ where: { projectId, id } });
    if (count === 0) throw new NotFoundError("role", id);
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2003") throw inUse();
    throw error;
  }
  return { id };
}
