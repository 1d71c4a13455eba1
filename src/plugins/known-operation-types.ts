import { GraphQLError, type ValidationRule } from "graphql";
import type { Plugin } from "graphql-yoga";

/**
 * An operation whose type the schema does not have (`subscription` here) is
 * refused while validating, as graphql-js 17 does: executing it would fail
 * inside the executor, as an internal error.
 */
const KnownOperationTypes: ValidationRule = (context) => ({
  OperationDefinition(node) {
    if (context.getSchema().getRootType(node.operation)) return;
    context.reportError(new GraphQLError(`The schema has no ${node.operation} operations.`, { nodes: node }));
  },
});

export const knownOperationTypes: Plugin = {
  onValidate: ({ addValidationRule }) => addValidationRule(KnownOperationTypes),
};
