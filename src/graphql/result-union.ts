import { DomainError } from "../errors.ts";
import { builder } from "./builder.ts";

type UnionMember = Parameters<typeof builder.errorUnion>[1]["types"][number];
type ErrorClass = abstract new (...args: never[]) => DomainError;

/**
 * `<name>Result`: the union of a mutation's success type `<name>Success` and
 * the errors that apply. An error a resolver throws or returns (as the
 * results of a batch do) is the member of its class; anything else is the
 * success.
 */
export function resultUnion<Success extends UnionMember, Failure extends UnionMember & ErrorClass>(
  name: string,
  success: Success,
  errors: Failure[],
) {
  const types: (Success | Failure)[] = [success, ...errors];
  return builder.errorUnion(`${name}Result`, {
    types,
    resolveType: (result: unknown) => {
      const failure = result instanceof DomainError ? errors.find((error) => result instanceof error) : undefined;
      return failure ? builder.configStore.getTypeConfig(failure).name : `${name}Success`;
    },
  });
}
