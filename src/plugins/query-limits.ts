import { costLimitRule } from "@escape.tech/graphql-armor-cost-limit";
import { maxAliasesPlugin } from "@escape.tech/graphql-armor-max-aliases";
import { maxDepthPlugin } from "@escape.tech/graphql-armor-max-depth";
import { maxTokensPlugin } from "@escape.tech/graphql-armor-max-tokens";
import {
  type ArgumentNode,
  type DocumentNode,
  type GraphQLError,
  getOperationAST,
  Kind,
  NoSchemaIntrospectionCustomRule,
  type OperationDefinitionNode,
  type ValidationContext,
  type ValueNode,
  validate,
  visit,
} from "graphql";
import type { GraphQLParams, Plugin } from "graphql-yoga";
import type { GraphQLConfig } from "../config.ts";
import { MAX_PAGE_SIZE } from "../graphql/page-size.ts";
import { requestError } from "../graphql/request-errors.ts";

type Limit = "tokens" | "depth" | "aliases" | "cost";

/**
 * Refuses oversized operations before they run: too many tokens while parsing,
 * too deep, too many aliases or too costly while validating. Each refusal is
 * QUERY_TOO_COMPLEX (400) naming the limit. Without introspection, `__schema`
 * and `__type` are refused as GraphQL itself would (BAD_USER_INPUT), and
 * errors keep no "Did you mean …" hints, which would name the schema's fields.
 */
export function queryLimits(config: GraphQLConfig): Plugin[] {
  return [
    maxTokensPlugin({ n: config.maxTokens, ...rejectAs("tokens", config.maxTokens) }),
    maxDepthPlugin({ n: config.maxDepth, ...rejectAs("depth", config.maxDepth) }),
    maxAliasesPlugin({ n: config.maxAliases, ...rejectAs("aliases", config.maxAliases) }),
    costLimit(config.maxCost),
    ...(config.introspection ? [] : [noIntrospection, noSuggestions]),
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

/**
 * graphql-armor's cost: 2 per object, 1 per scalar, ×1.5 per level, × the
 * page size. It reads page sizes only from literal `first` and `last`, so an
 * operation whose page sizes are variables, or that uses userPage's `size`,
 * is priced again on a copy with each page size written in: the variable's
 * value or default, or the largest page when the value is not a number.
 * That copy depends on the request's variables, so it is validated outside
 * Yoga's validation cache, which is keyed by document alone; what fits is
 * remembered per document and page sizes, so that a client paging with the
 * same sizes pays for the pricing once.
 */
function costLimit(maxCost: number): Plugin {
  const rule = costLimitRule({ maxCost, ...rejectAs("cost", maxCost) });
  const fitting = new WeakMap<DocumentNode, Set<string>>();
  return {
    onValidate({ addValidationRule, context, params: { schema, documentAST } }) {
      addValidationRule(rule);
      if (!hasPageSizesToWriteIn(documentAST)) return undefined;
      const { variables, operationName } = (context as { params?: Partial<GraphQLParams> }).params ?? {};
      return ({ valid }) => {
        if (!valid) return;
        const key = pricingKey(documentAST, operationName, variables ?? {});
        let fits = fitting.get(documentAST);
        if (fits?.has(key)) return;
        const priced = withPageSizesWrittenIn(documentAST, operationName, variables ?? {});
        const [tooCostly] = priced ? validate(schema, priced, [rule]) : [];
        // Thrown, not set as the result: Yoga's cache would keep a result for the document.
        if (tooCostly) throw tooCostly;
        if (!fits) {
          fits = new Set();
          fitting.set(documentAST, fits);
        }
        // Sizes a client picks are few; a client trying many gets no room to grow this without bound.
        if (fits.size >= MAX_PRICED_PER_DOCUMENT) fits.clear();
        fits.add(key);
      };
    },
  };
}

const MAX_PRICED_PER_DOCUMENT = 64;

/** What the price of an operation depends on beyond its document: its name and the page sizes its variables give. */
function pricingKey(document: DocumentNode, operationName: string | undefined, variables: Record<string, unknown>): string {
  const sizes = pageSizeVariables(document).map((name) => {
    const value = variables[name];
    return value === undefined ? "default" : value === null ? "null" : Number.isInteger(value) ? String(value) : "max";
  });
  return `${operationName ?? ""}:${sizes.join(",")}`;
}

const sizeVariables = new WeakMap<DocumentNode, string[]>();

/** The variables the document gives page sizes with, in document order. */
function pageSizeVariables(document: DocumentNode): string[] {
  let names = sizeVariables.get(document);
  if (names === undefined) {
    const found: string[] = [];
    visit(document, {
      Argument: (node) => {
        if (PAGE_SIZE_ARGUMENTS.has(node.name.value) && node.value.kind === Kind.VARIABLE) found.push(node.value.name.value);
      },
    });
    names = found;
    sizeVariables.set(document, names);
  }
  return names;
}

const PAGE_SIZE_ARGUMENTS = new Set(["first", "last", "size"]);
const needsPricing = new WeakMap<DocumentNode, boolean>();

/** Whether a page size of the document is a variable or a `size` (parsed documents are cached, so this is asked once each). */
function hasPageSizesToWriteIn(document: DocumentNode): boolean {
  let found = needsPricing.get(document);
  if (found === undefined) {
    found = false;
    const isVariable = (node: ArgumentNode) => node.value.kind === Kind.VARIABLE || node.name.value === "size";
    visit(document, {
      Argument: (node) => {
        found ||= PAGE_SIZE_ARGUMENTS.has(node.name.value) && isVariable(node);
      },
    });
    needsPricing.set(document, found);
  }
  return found;
}

/** The operation to run, with its page sizes as literal `first`/`last`, or null when there is no such operation. */
function withPageSizesWrittenIn(
  document: DocumentNode,
  operationName: string | undefined,
  variables: Record<string, unknown>,
): DocumentNode | null {
  const operation = getOperationAST(document, operationName);
  if (!operation) return null;
  const only = {
    ...document,
    definitions: document.definitions.filter((node) => node.kind !== Kind.OPERATION_DEFINITION || node === operation),
  };
  return visit(only, {
    Argument(node) {
      if (!PAGE_SIZE_ARGUMENTS.has(node.name.value)) return undefined;
      const value = node.value.kind === Kind.VARIABLE ? variablePageSize(operation, node.value.name.value, variables) : node.value;
      // Absent or null, the field's default applies: priced as if the argument were left out.
      if (value === null) return null;
      return { ...node, name: { ...node.name, value: node.name.value === "size" ? "first" : node.name.value }, value };
    },
  });
}

function variablePageSize(operation: OperationDefinitionNode, name: string, variables: Record<string, unknown>): ValueNode | null {
  const value = name in variables ? variables[name] : undefined;
  if (value === undefined)
    return operation.variableDefinitions?.find((definition) => definition.variable.name.value === name)?.defaultValue ?? null;
  if (value === null) return null;
  const size = Number.isInteger(value) ? (value as number) : MAX_PAGE_SIZE;
  return { kind: Kind.INT, value: String(size) };
}

const noIntrospection: Plugin = {
  onValidate: ({ addValidationRule }) => addValidationRule(NoSchemaIntrospectionCustomRule),
};

/** graphql-js's hints at names ("Did you mean "name"?", "Did you mean the enum value "ASC"?"), wherever an error comes from. */
const SUGGESTION = / ?Did you mean [^?]*\?/g;

const noSuggestions: Plugin = {
  onResultProcess({ result }) {
    for (const item of Array.isArray(result) ? result : [result]) {
      if (Symbol.asyncIterator in item) continue;
      for (const error of item.errors ?? []) error.message = error.message.replace(SUGGESTION, "");
    }
  },
};
