import { builder } from "./builder.ts";

type UnionMember = Parameters<typeof builder.errorUnion>[1]["types"][number];

/**
 * `<name>Result`: the union of a mutation's success type `<name>Success` and
 * the errors that apply. The errors plugin names the members for errors a
 * resolver throws; whatever it returns is the success.
 */
export function resultUnion<Success extends UnionMember, Failure extends UnionMember>(
  name: string,
  success: Success,
  errors: Failure[],
) {
  const types: (Success | Failure)[] = [success, ...errors];
  return builder.errorUnion(`${name}Result`, { types, resolveType: () => `${name}Success` });
}
