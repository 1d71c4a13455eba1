import { costLimitPlugin } from "@escape.tech/graphql-armor-cost-limit";
import { maxAliasesPlugin } from "@escape.tech/graphql-armor-max-aliases";
import { maxDepthPlugin } from "@escape.tech/graphql-armor-max-depth";
import { maxTokensPlugin } from "@escape.tech/graphql-armor-max-tokens";
import { type GraphQLError, NoSchemaIntrospectionCustomRule, type ValidationContext } from "graphql";
import type { Plugin } from "graphql-yoga";
import type { GraphQLConfig } from "../config.ts";
import { requestError } from "../graphql/request-errors.ts";

type Limit = "tokens" | "depth" | "aliases" | "cost";

/**
 * Refuses oversized operations before they run: too many tokens while parsing,
 * too deep, too many aliases or too costly while validating. Each refusal is
 * QUERY_TOO_COMPLEX (400) naming the limit. Without introspection, `__schema`
 * and `__type` are refused as GraphQL itself would (BAD_USER_INPUT).
 */
export function queryLimits(config: GraphQLConfig): Plugin[] {
  return [
    maxTokensPlugin({ n: config.maxTokens, ...rejectAs("tokens", config.maxTokens) }),
    maxDepthPlugin({ n: config.maxDepth, ...rejectAs("depth", config.maxDepth) }),
    maxAliasesPlugin({ n: config.maxAliases, ...rejectAs("aliases", config.maxAliases) }),
    costLimitPlugin({ maxCost: config.maxCost, ...rejectAs("cost", config.maxCost) }),
    ...(config.introspection ? [] : [noIntrospection]),
  ];
}

/** graphql-armor's rejection, reported as the contract's error instead of its "Syntax Error". */
function rejectAs(limit: Limit, max: number) {
  const onReject = (context: ValidationContext | null, error: GraphQLError) => {
    const tooComplex = requestError("QUERY_TOO_COMPLEX", error.message.replace(/^Syntax Error: /, ""), { limit, max });
    // The token limit fires in the parser, which has no validation context to report to.
    if (!context) throw tooComplex;
    context.reportError(tooComplex);
  };
  return { exposeLimits: true, propagateOnRejection: false, onReject: [onReject] };
}

const noIntrospection: Plugin = {
  onValidate: ({ addValidationRule }) => addValidationRule(NoSchemaIntrospectionCustomRule),
};
