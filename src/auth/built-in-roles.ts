import type { Prisma, PrismaClient } from "../db/generated/prisma/client.ts";
import { SCOPES, type Scope } from "./keys.ts";

type Client = PrismaClient | Prisma.TransactionClient;

export const ADMIN_ROLE_ID = "admin";
export const MEMBER_ROLE_ID = "member";

/** Every project starts with these: registration makes people `admin` of their own organization, invitations `member`. */
export const BUILT_IN_ROLES = {
  [ADMIN_ROLE_ID]: { name: "admin", permissions: SCOPES },
  [MEMBER_ROLE_ID]: { name: "member", permissions: ["users:read", "organizations:read", "channels:read"] },
} as const satisfies Record<string, { name: string; permissions: readonly Scope[] }>;

/** Creates the built-in roles a project lacks; idempotent, so safe on every start. */
export function seedBuiltInRoles(prisma: Client, projectId: string) {
  return prisma.role.createMany({
    data: Object.entries(BUILT_IN_ROLES).map(([id, role]) => ({ projectId, id, name: role.name, permissions: [...role.permissions] })),
    skipDuplicates: true,
  });
}
