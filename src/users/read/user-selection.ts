import { type DirectiveNode, type FieldNode, type GraphQLResolveInfo, isObjectType, type OperationDefinitionNode, visit } from "graphql";
import { type FieldsByTypeName, parseResolveInfo, type ResolveTree } from "graphql-parse-resolve-info";
import { Prisma } from "../../db/generated/prisma/client.ts";
import { selectColumn, USER_COLUMNS, type UserField } from "../user-fields.ts";

/**
 * A User field's `extensions` when it reads other fields of the row than the
 * one of its own name (a field named after a column reads that column).
 * `joined`: SQL over the users row `u` that a list reads along with each user,
 * so that the field finds its value with `joinedValue` rather than a statement
 * of its own.
 */
export const readsUserFields = (fields: UserField[], joined?: Prisma.Sql) => ({ userFields: fields, joinedToUser: joined });

/**
 * What a list reads of each user: `fields` of the users row (null: every one
 * but the password hash) and the values fields asked to have joined, by field
 * name.
 */
export type UserSelection = { fields: Set<UserField> | null; joined: Map<string, Prisma.Sql> };

export const EVERY_USER_FIELD: UserSelection = { fields: null, joined: new Map() };

/** What every listed row carries: its key, which relations and loaders look up by. */
const KEY_FIELDS: UserField[] = ["projectId", "id"];
const ROW_FIELDS = USER_COLUMNS.map(({ field }) => field).filter((field) => field !== "passwordHash");
const JOINED_PREFIX = "_joined_";

/** The path to the users of a field that resolves to one user (`user`, `me`). */
export const ROOT: readonly (readonly string[])[] = [[]];

/**
 * What the fields selected of the users under `paths` (below the field `info`
 * resolves: `["nodes"]`, `["edges", "node"]`) read; every column when a
 * selected field does not say. A page reads only these: decoding a whole row
 * costs several times the few columns a list shows.
 */
export function userSelectionOf(info: GraphQLResolveInfo, paths: readonly (readonly string[])[]): UserSelection {
  // Parsed documents are cached (Yoga), so a field node is the same object on
  // every request of an operation: its selection is read once, unless @skip or
  // @include make it depend on the variables.
  const [fieldNode] = info.fieldNodes;
  const cached = fieldNode && selections.get(fieldNode);
  if (cached) return cached;
  const selection = readSelection(info, paths);
  if (fieldNode && !hasConditions(info)) selections.set(fieldNode, selection);
  return selection;
}

const selections = new WeakMap<FieldNode, UserSelection>();
const conditional = new WeakMap<OperationDefinitionNode, boolean>();

/** Whether the operation skips or includes anything by a variable's value. */
function hasConditions({ operation, fragments }: GraphQLResolveInfo): boolean {
  let found = conditional.get(operation);
  if (found === undefined) {
    found = false;
    const visitor = {
      Directive: (node: DirectiveNode) => {
        found ||= node.name.value === "skip" || node.name.value === "include";
      },
    };
    for (const node of [operation, ...Object.values(fragments)]) visit(node, visitor);
    conditional.set(operation, found);
  }
  return found;
}

function readSelection(info: GraphQLResolveInfo, paths: readonly (readonly string[])[]): UserSelection {
  const userType = info.schema.getType("User");
  if (!isObjectType(userType)) return EVERY_USER_FIELD;
  const graphqlFields = userType.getFields();
  let fields: Set<UserField> | null = new Set(KEY_FIELDS);
  const joined = new Map<string, Prisma.Sql>();
  const root = parseResolveInfo(info) as ResolveTree;
  for (const path of paths) {
    for (const selected of fieldsAt(root.fieldsByTypeName, path)) {
      if (selected.name.startsWith("__")) continue;
      const extensions = graphqlFields[selected.name]?.extensions as Partial<ReturnType<typeof readsUserFields>> | undefined;
      if (extensions?.joinedToUser) joined.set(selected.name, extensions.joinedToUser);
      if (extensions?.userFields) for (const field of extensions.userFields) fields?.add(field);
      else if (selected.name in Prisma.UserScalarFieldEnum) fields?.add(selected.name as UserField);
      else fields = null;
    }
  }
  return { fields, joined };
}

/** The fields selected at the end of `path`, through every alias and fragment. */
function fieldsAt(fieldsByTypeName: FieldsByTypeName, path: readonly string[]): ResolveTree[] {
  const here = Object.values(fieldsByTypeName).flatMap((byAlias) => Object.values(byAlias));
  if (path.length === 0) return here;
  const [name, ...rest] = path;
  return here.filter((field) => field.name === name).flatMap((field) => fieldsAt(field.fieldsByTypeName, rest));
}

/**
 * The select list over `u` for a selection, with `also` among its fields:
 * each column under its field's name, so that a row is a user as Prisma
 * reads one (plus `_`-prefixed values of the list's own).
 */
export function userSelectList(selection: UserSelection, also: readonly UserField[]): Prisma.Sql {
  // A selection is kept per document (userSelectionOf): so is its select list, built once.
  let byAlso = selectLists.get(selection);
  if (!byAlso) {
    byAlso = new Map();
    selectLists.set(selection, byAlso);
  }
  const key = also.join();
  let list = byAlso.get(key);
  if (!list) {
    const { fields, joined } = selection;
    const read = Prisma.raw([...new Set([...(fields ?? ROW_FIELDS), ...also])].map(selectColumn).join(", "));
    const values = [...joined].map(([field, sql]) => Prisma.sql`${sql} AS ${Prisma.raw(`"${JOINED_PREFIX}${field}"`)}`);
    list = values.length === 0 ? read : Prisma.join([read, ...values]);
    byAlso.set(key, list);
  }
  return list;
}

const selectLists = new WeakMap<UserSelection, Map<string, Prisma.Sql>>();

/** The value a list joined for this user's `field`; undefined when it was not read along. */
export const joinedValue = (user: object, field: string): unknown => (user as Record<string, unknown>)[`${JOINED_PREFIX}${field}`];
