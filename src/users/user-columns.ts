import { type GraphQLResolveInfo, isObjectType } from "graphql";
import { type FieldsByTypeName, type ResolveTree, parseResolveInfo } from "graphql-parse-resolve-info";
import { Prisma } from "../db/generated/prisma/client.ts";

type UserField = keyof typeof Prisma.UserScalarFieldEnum;

/**
 * A User field's `extensions` when it reads other fields of the row than the
 * one of its own name (a field named after a column reads that column).
 */
export const readsUserFields = (...fields: UserField[]) => ({ userFields: fields });

/** What every listed row carries: its key, which relations and loaders look up by. */
const KEY_COLUMNS = ["project_id", "id"];

const columnOf = (field: string) => field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

/**
 * The users columns that the fields selected of the users under `paths` (below
 * the field `info` resolves: `["nodes"]`, `["edges", "node"]`) read, or null
 * (every column) when a selected field does not say what it reads. A page
 * reads only these: decoding a whole row costs several times the few columns
 * a list shows.
 */
export function selectedUserColumns(info: GraphQLResolveInfo, paths: readonly (readonly string[])[]): Set<string> | null {
  const userType = info.schema.getType("User");
  if (!isObjectType(userType)) return null;
  const fields = userType.getFields();
  const columns = new Set(KEY_COLUMNS);
  const root = parseResolveInfo(info) as ResolveTree;
  for (const path of paths) {
    for (const selected of fieldsAt(root.fieldsByTypeName, path)) {
      if (selected.name.startsWith("__")) continue;
      const declared = fields[selected.name]?.extensions.userFields as readonly string[] | undefined;
      if (declared) declared.forEach((field) => columns.add(columnOf(field)));
      else if (selected.name in Prisma.UserScalarFieldEnum) columns.add(columnOf(selected.name));
      else return null;
    }
  }
  return columns;
}

/** The fields selected at the end of `path`, through every alias and fragment. */
function fieldsAt(fieldsByTypeName: FieldsByTypeName, path: readonly string[]): ResolveTree[] {
  const here = Object.values(fieldsByTypeName).flatMap((byAlias) => Object.values(byAlias));
  if (path.length === 0) return here;
  const [name, ...rest] = path;
  return here.filter((field) => field.name === name).flatMap((field) => fieldsAt(field.fieldsByTypeName, rest));
}

/** `alias.column, …` for a select list; every column when the set is null. */
export function userColumnList(columns: ReadonlySet<string> | null, alias: string): Prisma.Sql {
  if (!columns) return Prisma.raw(`${alias}.*`);
  return Prisma.raw([...columns].map((column) => `${alias}.${column}`).join(", "));
}
