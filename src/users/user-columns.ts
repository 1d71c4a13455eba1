import { type GraphQLResolveInfo, isObjectType } from "graphql";
import { type FieldsByTypeName, type ResolveTree, parseResolveInfo } from "graphql-parse-resolve-info";
import { Prisma } from "../db/generated/prisma/client.ts";

type UserField = keyof typeof Prisma.UserScalarFieldEnum;

/**
 * A User field's `extensions` when it reads other fields of the row than the
 * one of its own name (a field named after a column reads that column).
 * `joined`: SQL over the users row `u` that a list reads along with each user,
 * so that the field finds its value with `joinedValue` rather than a statement
 * of its own.
 */
export const readsUserFields = (fields: UserField[], joined?: Prisma.Sql) => ({ userFields: fields, joinedToUser: joined });

/**
 * What a list reads of each user: `columns` of the users table (null: every
 * one) and the values fields asked to have joined, by field name.
 */
export type UserSelection = { columns: Set<string> | null; joined: Map<string, Prisma.Sql> };

export const EVERY_USER_COLUMN: UserSelection = { columns: null, joined: new Map() };

/** What every listed row carries: its key, which relations and loaders look up by. */
const KEY_COLUMNS = ["project_id", "id"];
const JOINED_PREFIX = "_joined_";

const columnOf = (field: string) => field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

/**
 * What the fields selected of the users under `paths` (below the field `info`
 * resolves: `["nodes"]`, `["edges", "node"]`) read; every column when a
 * selected field does not say. A page reads only these: decoding a whole row
 * costs several times the few columns a list shows.
 */
export function selectedUserColumns(info: GraphQLResolveInfo, paths: readonly (readonly string[])[]): UserSelection {
  const userType = info.schema.getType("User");
  if (!isObjectType(userType)) return EVERY_USER_COLUMN;
  const fields = userType.getFields();
  let columns: Set<string> | null = new Set(KEY_COLUMNS);
  const joined = new Map<string, Prisma.Sql>();
  const root = parseResolveInfo(info) as ResolveTree;
  for (const path of paths) {
    for (const selected of fieldsAt(root.fieldsByTypeName, path)) {
      if (selected.name.startsWith("__")) continue;
      const extensions = fields[selected.name]?.extensions as Partial<ReturnType<typeof readsUserFields>> | undefined;
      if (extensions?.joinedToUser) joined.set(selected.name, extensions.joinedToUser);
      if (extensions?.userFields) extensions.userFields.forEach((field) => columns?.add(columnOf(field)));
      else if (selected.name in Prisma.UserScalarFieldEnum) columns?.add(columnOf(selected.name));
      else columns = null;
    }
  }
  return { columns, joined };
}

/** The fields selected at the end of `path`, through every alias and fragment. */
function fieldsAt(fieldsByTypeName: FieldsByTypeName, path: readonly string[]): ResolveTree[] {
  const here = Object.values(fieldsByTypeName).flatMap((byAlias) => Object.values(byAlias));
  if (path.length === 0) return here;
  const [name, ...rest] = path;
  return here.filter((field) => field.name === name).flatMap((field) => fieldsAt(field.fieldsByTypeName, rest));
}

/** The select list over `u` for a selection, with `also` among its columns. */
export function userSelectList({ columns, joined }: UserSelection, also: readonly string[]): Prisma.Sql {
  const read = columns ? Prisma.raw([...new Set([...columns, ...also])].map((column) => `u.${column}`).join(", ")) : Prisma.raw("u.*");
  const values = [...joined].map(([field, sql]) => Prisma.sql`${sql} AS ${Prisma.raw(`"${JOINED_PREFIX}${field}"`)}`);
  return values.length === 0 ? read : Prisma.join([read, ...values]);
}

const joinedValues = new WeakMap<object, Map<string, unknown>>();

/** Keeps the values joined to a user's row (its `_joined_…` columns) for its fields to find. */
export function keepJoinedValues(user: object, row: Record<string, unknown>) {
  for (const column in row) {
    if (!column.startsWith(JOINED_PREFIX)) continue;
    let values = joinedValues.get(user);
    if (!values) joinedValues.set(user, (values = new Map()));
    values.set(column.slice(JOINED_PREFIX.length), row[column]);
  }
}

/** The value a list joined for this user's `field`; undefined when it was not read along. */
export const joinedValue = (user: object, field: string): unknown => joinedValues.get(user)?.get(field);
