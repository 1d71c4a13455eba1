import { createHash, randomBytes, randomUUID } from "node:crypto";
import { z } from "zod";
import { MEMBER_ROLE_ID } from "../auth/built-in-roles.ts";
import type { Auth } from "../auth/caller.ts";
import { type PasswordHasher, passwordProblems } from "../auth/passwords.ts";
import { assertOrganizationInReach, organizationInReach } from "../auth/reach.ts";
import type { PrismaClient } from "../db/generated/prisma/client.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { invitedName, locale } from "../validation/formats.ts";
import { parseOrThrow } from "../validation/problems.ts";
import { lockEmail, usersByEmail } from "./find-by-email.ts";
import { memberEmail, memberName } from "./member-profile.ts";
import { requireRole } from "./roles.ts";

export const INVITATION_LIFETIME_DAYS = 7;

const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

const invitationInput = z.strictObject({
  email: memberEmail,
  name: invitedName.nullish(),
  roleId: z.string().nullish(),
  organizationId: z.string().nullish(),
  locale: locale.nullish(),
});
export type InviteUserInput = z.input<typeof invitationInput>;

/**
 * Finds the project's user with this email, or creates it, as INVITED, and
 * records a single-use invitation. The token is returned here only; the
 * database keeps its hash. A new invitation replaces the user's pending ones.
 * Members invite into their own reach, into their own organization by default.
 */
export async function inviteUser(prisma: PrismaClient, auth: Auth, input: InviteUserInput, now = new Date()) {
  const parsed = parseOrThrow(invitationInput, input);
  const { projectId } = auth;
  const organizationId = parsed.organizationId ?? (auth.kind === "member" ? auth.organizationId : null);
  // Without a role named, the built-in `member` (which deleteRole keeps) is the invitee's.
  const roleId = (await requireRole(prisma, projectId, parsed.roleId ?? MEMBER_ROLE_ID)).id;
  if (organizationId) {
    assertOrganizationInReach(auth, organizationId);
    const found = await prisma.organization.count({ where: { projectId, id: organizationId } });
    if (!found) throw new NotFoundError("organization", organizationId);
  }
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(now.getTime() + INVITATION_LIFETIME_DAYS * 24 * 3600 * 1000);
  const invitedBy = auth.kind === "member" ? `user:${auth.userId}` : `key:${"keyId" in auth ? auth.keyId : ""}`;

  return prisma.$transaction(async (tx) => {
    await lockEmail(tx, projectId, parsed.email);
    const [existing] = await usersByEmail(tx, projectId, parsed.email);
    if (existing && existing.status !== "INVITED") {
      throw new ValidationError([
        { field: "email", message: `belongs to a user who is ${existing.status.toLowerCase()}`, reason: "conflict" },
      ]);
    }
    // A member may not take over someone invited into an organization outside its reach.
    if (existing && !organizationInReach(auth, existing.organizationId)) {
      throw new ValidationError([{ field: "email", message: "belongs to a user outside your organizations", reason: "conflict" }]);
    }
    const profile = {
      ...(parsed.name != null && { name: parsed.name }),
      ...(parsed.locale != null && { locale: parsed.locale }),
      ...(organizationId && { organizationId }),
      roleId,
    };
    const user = existing
      ? await tx.user.update({
          where: { projectId_id: { projectId, id: existing.id } },
          data: { ...profile, version: { increment: 1 }, updatedAt: now },
        })
      : await tx.user.create({ data: { projectId, id: randomUUID(), email: parsed.email, status: "INVITED", ...profile } });
    await tx.invitation.deleteMany({ where: { projectId, userId: user.id, acceptedAt: null } });
    const invitation = await tx.invitation.create({
      data: { projectId, userId: user.id, tokenHash: hashToken(token), invitedBy, expiresAt },
    });
    return { user, invitation: { id: invitation.id, expiresAt: invitation.expiresAt, token } };
  });
}

const acceptance = z.object({ token: z.string(), password: z.string(), name: memberName.nullish() });

const invalidToken = (message: string) => new ValidationError([{ field: "token", message, reason: "invalid" }]);

/** Activates an invited user with a password and uses the invitation up; any refusal leaves both as they were. */
export async function acceptInvitation(
  prisma: PrismaClient,
  passwords: PasswordHasher,
  projectId: string,
  input: z.input<typeof acceptance>,
  now = new Date(),
) {
  const { token, password, name } = parseOrThrow(acceptance, input);
  const invitation = await prisma.invitation.findUnique({
    where: { tokenHash: hashToken(token) },
    include: { user: { select: { email: true, status: true } } },
  });
  if (!invitation || invitation.projectId !== projectId) throw invalidToken("is not a valid invitation");
  if (invitation.acceptedAt) throw invalidToken("was already used");
  if (invitation.expiresAt <= now) throw invalidToken("has expired");
  if (invitation.user.status !== "INVITED") throw invalidToken(`is for a user who is ${invitation.user.status.toLowerCase()}`);
  const problems = passwordProblems(password, invitation.user.email);
  if (problems.length > 0) throw new ValidationError(problems);
  const passwordHash = await passwords.hash(password);

  return prisma.$transaction(async (tx) => {
    // Claiming the invitation first makes it single-use under concurrency: the second claim finds it taken.
    const claimed = await tx.invitation.updateMany({ where: { id: invitation.id, acceptedAt: null }, data: { acceptedAt: now } });
    if (claimed.count === 0) throw invalidToken("was already used");
    const activated = await tx.user.updateMany({
      where: { projectId, id: invitation.userId, status: "INVITED" },
      data: { status: "ACTIVE", passwordHash, ...(name != null && { name }), version: { increment: 1 }, updatedAt: now },
    });
    if (activated.count === 0) throw invalidToken("is for a user who is no longer invited");
    return { user: await tx.user.findUniqueOrThrow({ where: { projectId_id: { projectId, id: invitation.userId } } }) };
  });
}
