import { signAccessToken } from "../auth/access-tokens.ts";
import type { PasswordHasher } from "../auth/passwords.ts";
import type { SignInThrottle } from "../auth/rate-limit.ts";
import type { PrismaClient } from "../db/generated/prisma/client.ts";
import { ValidationError } from "../errors.ts";
import { requestError } from "../graphql/request-errors.ts";
import { usersByEmail } from "./find-by-email.ts";

const WRONG_CREDENTIALS = "The email or the password is wrong.";

/**
 * Signs a member in with email and password. An unknown email, a user without
 * a password and a wrong password get the same answer after the same work (a
 * password hash is checked in every case), so the answers do not tell which
 * emails are members. Failures are counted per email: past the limit even the
 * right password waits out the window.
 */
export async function signIn(
  prisma: PrismaClient,
  { throttle, passwords }: { throttle: SignInThrottle; passwords: PasswordHasher },
  projectId: string,
  credentials: { email: string; password: string },
  now = new Date(),
) {
  const email = credentials.email.trim().toLowerCase();
  const blank = [
    ...(email === "" ? [{ field: "email", message: "must not be empty", reason: "required" as const }] : []),
    ...(credentials.password === "" ? [{ field: "password", message: "must not be empty", reason: "required" as const }] : []),
  ];
  if (blank.length > 0) throw new ValidationError(blank);
  const throttleKey = `${projectId}:${email}`;
  await throttle.assertAllowed(throttleKey);
  const member = (await usersByEmail(prisma, projectId, email)).find((user) => user.passwordHash !== null);
  if (!(await passwords.verify(member?.passwordHash, credentials.password)) || !member) {
    await throttle.recordFailure(throttleKey);
    throw requestError("UNAUTHENTICATED", WRONG_CREDENTIALS);
  }
  await throttle.reset(throttleKey);
  // Only someone who knows the password learns that the account is not active.
  if (member.status !== "ACTIVE") {
    throw requestError("UNAUTHENTICATED", `The member is ${member.status.toLowerCase()} and cannot sign in.`);
  }
  const user = await prisma.user.update({
    where: { projectId_id: { projectId, id: member.id } },
    data: { lastLoginAt: now },
  });
  return { ...(await signAccessToken(prisma, user, now)), user };
}
