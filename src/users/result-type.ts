import { NotFoundError, ValidationError, VersionConflictError } from "../graphql/errors.ts";

/**
 * The union member for a mutation result. The errors plugin names the
 * members for errors a resolver throws; errors returned as values (the
 * results of a batch) are named here.
 */
export function resultTypeName(result: unknown, successType: string): string {
  if (result instanceof ValidationError) return "ValidationError";
  if (result instanceof NotFoundError) return "NotFoundError";
  if (result instanceof VersionConflictError) return "VersionConflictError";
  return successType;
}
