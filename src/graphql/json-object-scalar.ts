import { GraphQLScalarType } from "graphql";
import { JSONObjectResolver } from "graphql-scalars";

/**
 * graphql-scalars' JSONObject, with a literal's value brought to JSON: a
 * variable inside it that the request leaves out is left out of the object
 * (null in a list), so `{ plan: $plan }` without `$plan` leaves `plan` alone,
 * as an input field left out does, instead of passing on an `undefined`.
 */
export const JSONObjectScalar = new GraphQLScalarType({
  ...JSONObjectResolver.toConfig(),
  parseLiteral: (literal, variables) => JSON.parse(JSON.stringify(JSONObjectResolver.parseLiteral(literal, variables))),
});
