import { randomUUID } from "node:crypto";
import type { z } from "zod";
import { ADMIN_ROLE_ID } from "../auth/built-in-roles.ts";
import { type PasswordHasher, passwordProblems } from "../auth/passwords.ts";
import type { PrismaClient } from "../db/generated/prisma/client.ts";
import { ValidationError } from "../errors.ts";
import { ORGANIZATION_NAME_EXCLUDED } from "../validation/formats.ts";
import { fieldProblems, safeParseInput } from "../validation/problems.ts";
import { lockEmail, usersByEmail } from "./find-by-email.ts";
import { registration } from "./member-profile.ts";

export type RegisterUserInput = z.input<typeof registration>;

const emailTaken = () => new ValidationError([{ field: "email", message: "is already registered", reason: "conflict" }]);

/**
 * Self sign-up: a new ACTIVE user, admin of a new organization of its own.
 * Every problem of the input is reported at once, the password's included.
 */
export async function registerUser(
  prisma: PrismaClient,
  passwords: PasswordHasher,
  projectId: string,
  input: RegisterUserInput,
  now = new Date(),
) {
  const parsed = safeParseInput(registration, input);
  const problems = [...(parsed.success ? [] : fieldProblems(parsed.error)), ...passwordProblems(input.password, input.email)];
  if (!parsed.success || problems.length > 0) throw new ValidationError(problems);
  const { password, organizationName, ...profile } = parsed.data;
  if ((await usersByEmail(prisma, projectId, profile.email)).length > 0) throw emailTaken();
  const passwordHash = await passwords.hash(password);

  return prisma.$transaction(async (tx) => {
    await lockEmail(tx, projectId, profile.email);
    // Checked again under the lock: a concurrent sign-up may have won since.
    if ((await usersByEmail(tx, projectId, profile.email)).length > 0) throw emailTaken();
    const organization = await tx.organization.create({
      data: {
        projectId,
        id: randomUUID(),
        name: organizationName ?? defaultOrganizationName(profile.name ?? profile.email.split("@")[0]!),
      },
    });
    const user = await tx.user.create({
      data: {
        projectId,
        id: randomUUID(),
        ...profile,
        status: "ACTIVE",
        passwordHash,
        organizationId: organization.id,
        roleId: ADMIN_ROLE_ID,
        createdAt: now,
        updatedAt: now,
      },
    });
    return { user, organization };
  });
}

/** "<name>'s organization", within the rules of organization names whatever the email's local part holds. */
function defaultOrganizationName(owner: string): string {
  const name = owner.replace(ORGANIZATION_NAME_EXCLUDED, " ").trim().slice(0, 150);
  return name ? `${name}'s organization` : "My organization";
}
