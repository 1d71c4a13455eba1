// Expected outcomes of a mutation, as plain classes: domain logic throws them
// without loading the schema; graphql/error-types.ts gives them their GraphQL types.

export type FieldErrorReason = "required" | "invalid" | "too_long" | "too_many" | "unknown" | "conflict";
export type FieldProblem = { field: string; message: string; reason: FieldErrorReason };

/** Domain logic throws these (or returns them, in batches); the errors plugin returns them as data. */
export abstract class DomainError extends Error {
  abstract readonly code: string;
}

export class ValidationError extends DomainError {
  readonly code = "validation_failed";
  constructor(readonly fields: FieldProblem[]) {
    super(fields.map((problem) => `${problem.field}: ${problem.message}`).join("; "));
  }
}

export class NotFoundError extends DomainError {
  readonly code = "not_found";
  constructor(
    readonly resource: string,
    readonly id: string,
  ) {
    super(`No ${resource} with id ${JSON.stringify(id)}.`);
  }
}

export class VersionConflictError extends DomainError {
  readonly code = "version_conflict";
  constructor(readonly currentVersion: number) {
    super(`The current version is ${currentVersion}.`);
  }
}
