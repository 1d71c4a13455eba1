import type { Auth } from "../auth/caller.ts";
import { usersInReach } from "../auth/reach.ts";
import type { PrismaClient, UserStatus } from "../db/generated/prisma/client.ts";
import { DomainError, NotFoundError } from "../errors.ts";
import { recordDirectoryEvent } from "../events/record.ts";

/** The lifecycle of a member: where each status may go next. */
export const STATUS_TRANSITIONS: Record<UserStatus, readonly UserStatus[]> = {
  INVITED: ["ACTIVE", "DEACTIVATED"],
  ACTIVE: ["SUSPENDED", "DEACTIVATED"],
  SUSPENDED: ["ACTIVE", "DEACTIVATED"],
  DEACTIVATED: ["ACTIVE"],
};

export class InvalidTransitionError extends DomainError {
  readonly code = "invalid_transition";
  readonly allowedTransitions: readonly UserStatus[];
  constructor(
    readonly currentStatus: UserStatus,
    requested: UserStatus,
  ) {
    super(`A user who is ${currentStatus} cannot become ${requested}.`);
    this.allowedTransitions = STATUS_TRANSITIONS[currentStatus];
  }
}

/**
 * Moves the user to `status` when its lifecycle allows it from the status it
 * has at the moment of writing: the update is conditional on the status that
 * was checked, and checked again when someone changed it in between. The
 * user must be in the caller's reach, in the statement that writes too.
 */
export async function setUserStatus(prisma: PrismaClient, caller: Auth, userId: string, status: UserStatus, now = new Date()) {
  const { projectId } = caller;
  for (;;) {
    const user = await prisma.user.findUnique({
      where: { projectId_id: { projectId, id: userId }, ...usersInReach(caller) },
      select: { status: true },
    });
    if (!user) throw new NotFoundError("user", userId);
    if (!STATUS_TRANSITIONS[user.status].includes(status)) throw new InvalidTransitionError(user.status, status);
    const updated = await prisma.$transaction(async (tx) => {
      const { count } = await tx.user.updateMany({
        where: { projectId, id: userId, status: user.status, ...usersInReach(caller) },
        data: { status, version: { increment: 1 }, updatedAt: now },
      });
      if (count === 0) return undefined;
      const row = await tx.user.findUniqueOrThrow({ where: { projectId_id: { projectId, id: userId } } });
      const changedFields = row.status === user.status ? [] : ["status"];
      if (changedFields.length > 0)
        await recordDirectoryEvent(tx, caller, { type: "MEMBER_STATUS_CHANGED", userId, changedFields, version: row.version });
      return row;
    });
    if (updated) return updated;
  }
}
