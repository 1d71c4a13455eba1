import {
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedInputType,
  type GraphQLObjectType,
  getNamedType,
  isCompositeType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
} from "graphql";
import { expect } from "vitest";

// Hostile values for the arguments of every root field, derived from the schema
// so that fields added later are attacked too.

type Path = (string | number)[];
/** One place in a field's arguments that takes a value of a scalar type. */
export type Leaf = { path: Path; type: GraphQLNamedInputType };

const nested = (depth: number): Record<string, unknown> => {
  let value: Record<string, unknown> = { leaf: true };
  for (let level = 0; level < depth; level++) value = { nested: value };
  return value;
};
const MEGABYTE = "x".repeat(1_000_000);

/** What to send in place of a value of each scalar: text PostgreSQL cannot store, too much of it, odd numbers. */
export const HOSTILE_VALUES: Record<string, readonly unknown[]> = {
  String: ["a\u0000b", "a\ud800b", "\udc00", MEGABYTE, "", "%%%not-a-cursor%%%"],
  ID: ["a\u0000b", "a\ud800b", MEGABYTE, ""],
  Int: [-1, 0, 2_147_483_647, -2_147_483_648],
  DateTime: ["not a date", "+275760-09-13T00:00:00.001Z"],
  JSONObject: [
    nested(3000),
    Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, i])),
    { list: Array.from({ length: 20_000 }, (_, i) => i) },
    { "a\u0000b": 1, nested: { value: "c\u0000d" } },
    { surrogate: "\ud800", "\udfff": true },
    { mega: MEGABYTE },
  ],
};

/** A plausible value of `type`, with every optional input field left out. */
function plausible(type: GraphQLInputType): unknown {
  const inner = isNonNullType(type) ? type.ofType : type;
  if (isListType(inner)) return [plausible(inner.ofType)];
  if (isEnumType(inner)) return inner.getValues()[0]?.value;
  if (isInputObjectType(inner)) {
    const required = Object.values(inner.getFields()).filter((field) => isNonNullType(field.type));
    return Object.fromEntries(required.map((field) => [field.name, plausible(field.type)]));
  }
  const samples: Record<string, unknown> = {
    String: "adversarial",
    ID: "adversarial",
    Int: 1,
    Boolean: true,
    DateTime: "2026-01-01T00:00:00Z",
    JSONObject: {},
  };
  return samples[inner.name];
}

/** Every scalar place of the arguments, input object fields and first list items included. */
export function leavesOf(args: readonly GraphQLArgument[]): Leaf[] {
  const leaves: Leaf[] = [];
  const visit = (type: GraphQLInputType, path: Path) => {
    const inner = isNonNullType(type) ? type.ofType : type;
    if (isListType(inner)) visit(inner.ofType, [...path, 0]);
    else if (isInputObjectType(inner)) for (const field of Object.values(inner.getFields())) visit(field.type, [...path, field.name]);
    else if (isScalarType(inner)) leaves.push({ path, type: inner });
  };
  for (const arg of args) visit(arg.type, [arg.name]);
  return leaves;
}

/**
 * The plausible arguments of a field with `value` put at `path`; the objects
 * and lists on the way are plausible values of their types, so that only
 * `value` is hostile.
 */
export function argumentsWith(args: readonly GraphQLArgument[], path: Path, value: unknown): Record<string, unknown> {
  const variables: Record<string, unknown> = {};
  for (const arg of args) if (isNonNullType(arg.type)) variables[arg.name] = plausible(arg.type);
  let holder: Record<string | number, unknown> = variables;
  let fields: Record<string, { type: GraphQLInputType }> = Object.fromEntries(args.map((arg) => [arg.name, arg]));
  let list: GraphQLInputType | undefined;
  path.forEach((key, index) => {
    const type = typeof key === "number" ? (list as GraphQLInputType) : (fields[key]?.type as GraphQLInputType);
    if (index === path.length - 1) {
      holder[key] = value;
      return;
    }
    holder[key] ??= plausible(type);
    holder = holder[key] as Record<string | number, unknown>;
    const inner = isNonNullType(type) ? type.ofType : type;
    if (isListType(inner)) list = inner.ofType;
    else if (isInputObjectType(inner)) fields = inner.getFields();
  });
  return variables;
}

/** An operation calling the field with every argument as a variable of the same name. */
export function operationFor(kind: "query" | "mutation", field: GraphQLField<unknown, unknown>): string {
  const variables = field.args.map((arg) => `$${arg.name}: ${String(arg.type)}`).join(", ");
  const args = field.args.map((arg) => `${arg.name}: $${arg.name}`).join(", ");
  const selection = isCompositeType(getNamedType(field.type)) ? "{ __typename }" : "";
  return `${kind} Adversarial${variables && `(${variables})`} { ${field.name}${args && `(${args})`} ${selection} }`;
}

export const rootFields = (type: GraphQLObjectType | null | undefined) => Object.values(type?.getFields() ?? {});

// What no answer may hold: a stack frame, SQL, or a database's own words.
const LEAKS = [
  /\bat .+\.(ts|js|mjs|cjs):\d+/,
  /\b(SELECT|INSERT INTO|UPDATE|DELETE FROM)\b/,
  /prisma/i,
  /\bCode: `|SQLSTATE|\b22P0[25]\b/,
  /invalid input syntax|invalid byte sequence|unsupported Unicode escape/i,
];

/**
 * Why `response` is not an acceptable answer to hostile input, or undefined:
 * a 5xx, an error without a code of the contract or with INTERNAL_SERVER_ERROR, or a leak.
 */
export async function problemWith(response: Response): Promise<string | undefined> {
  const text = await response.text();
  if (response.status >= 500) return `status ${response.status}: ${text.slice(0, 300)}`;
  const leak = LEAKS.find((pattern) => pattern.test(text));
  if (leak) return `leaks ${leak}: ${text.slice(0, 300)}`;
  let body: { errors?: { extensions?: { code?: string } }[] };
  try {
    body = JSON.parse(text);
  } catch {
    return response.status >= 400 ? undefined : `status ${response.status} without JSON: ${text.slice(0, 100)}`;
  }
  const codes = (body.errors ?? []).map((error) => error.extensions?.code);
  if (codes.some((code) => code === undefined || code === "INTERNAL_SERVER_ERROR")) return `codes ${codes}: ${text.slice(0, 300)}`;
  if (response.status >= 400 && codes.length === 0) return `status ${response.status} without an error code`;
  return undefined;
}

/** Runs every attack, collecting what went wrong, so that one assertion lists every failure. */
export async function expectNoProblems(attacks: Iterable<{ name: string; send: () => Response | Promise<Response> }>) {
  const failures: string[] = [];
  for (const { name, send } of attacks) {
    const problem = await problemWith(await send());
    if (problem) failures.push(`${name}: ${problem}`);
  }
  expect(failures).toEqual([]);
}
