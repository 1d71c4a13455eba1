import { hash, verify } from "@node-rs/argon2";
import type { FieldProblem } from "../errors.ts";

// @node-rs/argon2's defaults are argon2id with 19 MiB, 2 passes and 1 lane:
// OWASP's recommended minimum. The hash is a PHC string carrying its own salt
// and parameters, so raising them later still verifies old hashes.

export const MIN_PASSWORD_LENGTH = 10;
// Hashing is the expensive part of a request; a bound keeps one request from asking for much.
const MAX_PASSWORD_LENGTH = 1024;

export const hashPassword = (password: string) => hash(password);

// Unknown emails are checked against this, so that they take as long as known ones.
let decoy: Promise<string> | undefined;

/** Whether `password` matches `passwordHash`; as slow without a hash as with one. */
export async function verifyPassword(passwordHash: string | null | undefined, password: string): Promise<boolean> {
  if (!passwordHash) {
    decoy ??= hash("a password no member has");
    await verify(await decoy, password);
    return false;
  }
  return verify(passwordHash, password);
}

/** The rules a new password must meet, as the field problems of `field`. */
export function passwordProblems(password: string, email: string | null, field = "password"): FieldProblem[] {
  if (password.length < MIN_PASSWORD_LENGTH) {
    return [{ field, message: `must be at least ${MIN_PASSWORD_LENGTH} characters`, reason: "invalid" }];
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    return [{ field, message: `must be at most ${MAX_PASSWORD_LENGTH} characters`, reason: "too_long" }];
  }
  if (email && password.trim().toLowerCase() === email.trim().toLowerCase()) {
    return [{ field, message: "must not be the email address", reason: "invalid" }];
  }
  return [];
}
