import { hash, verify } from "@node-rs/argon2";
import pLimit, { type LimitFunction } from "p-limit";
import type { PasswordHashingConfig } from "../config.ts";
import type { FieldProblem } from "../errors.ts";
import { requestError } from "../graphql/request-errors.ts";

// @node-rs/argon2's defaults are argon2id with 19 MiB, 2 passes and 1 lane:
// OWASP's recommended minimum. The hash is a PHC string carrying its own salt
// and parameters, so raising them later still verifies old hashes.

export const MIN_PASSWORD_LENGTH = 10;
// Hashing is the expensive part of a request; a bound keeps one request from asking for much.
const MAX_PASSWORD_LENGTH = 1024;

// Unknown emails are checked against this, so that they take as long as known ones.
let decoy: Promise<string> | undefined;

/**
 * Hashes and checks passwords, `concurrency` at a time in this process, so
 * that sign-ups and sign-ins cannot take every core from other requests.
 * At most `queue` more wait their turn; past that the request is refused
 * with RATE_LIMITED (429, Retry-After) rather than made to wait longer.
 */
export class PasswordHasher {
  readonly #limit: LimitFunction;
  readonly #queue: number;

  constructor({ concurrency, queue }: PasswordHashingConfig) {
    this.#limit = pLimit(concurrency);
    this.#queue = queue;
  }

  /** Hashes being computed or checked right now. */
  get running(): number {
    return this.#limit.activeCount;
  }

  hash(password: string): Promise<string> {
    return this.#inTurn(() => hash(password));
  }

  /** Whether `password` matches `passwordHash`; as slow without a hash as with one. */
  verify(passwordHash: string | null | undefined, password: string): Promise<boolean> {
    return this.#inTurn(async () => {
      if (passwordHash) return verify(passwordHash, password);
      decoy ??= hash("a password no member has");
      await verify(await decoy, password);
      return false;
    });
  }

  #inTurn<Result>(work: () => Promise<Result>): Promise<Result> {
    if (this.#limit.pendingCount >= this.#queue) {
      return Promise.reject(
        requestError(
          "RATE_LIMITED",
          "Too many passwords are being checked right now; retry after 1 second.",
          { retryAfter: 1 },
          {
            "Retry-After": "1",
          },
        ),
      );
    }
    return this.#limit(work);
  }
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
