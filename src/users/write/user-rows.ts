import { readRowsByKey, type SqlTransaction } from "../../db/direct-reads.ts";
import { Prisma, type PrismaClient, type User } from "../../db/generated/prisma/client.ts";
import { selectColumn, USER_COLUMNS } from "../user-fields.ts";

/** Every column of `users u`, named as Prisma names the fields, so that raw rows are `User`s. */
const ALL_COLUMNS = Prisma.raw(USER_COLUMNS.map(({ field }) => selectColumn(field)).join(", "));

/** What `writeUsers` writes: every column but the project, which the statement names itself. */
const WRITTEN = USER_COLUMNS.filter(({ field }) => field !== "projectId");
/** Set on conflict: every written column but the key. */
const UPDATED = WRITTEN.filter(({ field }) => field !== "id");

const WRITE_STATEMENT = {
  columns: Prisma.raw(WRITTEN.map(({ column }) => column).join(", ")),
  values: Prisma.raw(WRITTEN.map(({ column }) => `v.${column}`).join(", ")),
  updates: Prisma.raw(UPDATED.map(({ column }) => `${column} = EXCLUDED.${column}`).join(", ")),
  assignments: Prisma.raw(UPDATED.map(({ column }) => `${column} = v.${column}`).join(", ")),
};

/**
 * Reads and locks the users that exist among `ids` until the transaction
 * ends. Rows are locked in id order, the order every writer uses, so two
 * batches sharing users wait for each other instead of deadlocking.
 */
export function lockUsers(tx: SqlTransaction, projectId: string, ids: readonly string[]): Promise<User[]> {
  return tx.rows<User>(Prisma.sql`
    SELECT ${ALL_COLUMNS} FROM users u
    WHERE u.project_id = ${projectId}::uuid AND u.id = ANY(${ids}::text[])
    ORDER BY u.id
    FOR UPDATE`);
}

type UnlockedRead = User & { organizationFound: boolean; keyFound: boolean };

/**
 * The stored user (undefined: none), read without a lock, whether
 * `organizationId` names an organization of the project, and whether
 * `idempotencyKey` has a record (expired or not): one statement by primary
 * keys, through the driver.
 */
export async function readUserUnlocked(
  prisma: PrismaClient,
  projectId: string,
  id: string,
  { organizationId, idempotencyKey }: { organizationId: string | null; idempotencyKey: string | null },
) {
  const [{ organizationFound, keyFound, ...row }] = (await readRowsByKey<UnlockedRead>(
    prisma,
    Prisma.sql`
      SELECT ${ALL_COLUMNS},
        EXISTS (SELECT 1 FROM organizations o WHERE o.project_id = ${projectId}::uuid AND o.id = ${organizationId}) AS "organizationFound",
        EXISTS (SELECT 1 FROM idempotency_records r WHERE r.project_id = ${projectId}::uuid AND r.key = ${idempotencyKey}) AS "keyFound"
      FROM (VALUES (1)) AS one (x) LEFT JOIN users u ON u.project_id = ${projectId}::uuid AND u.id = ${id}`,
  )) as [UnlockedRead];
  return { row: row.id === null ? undefined : (row as User), organizationFound, keyFound };
}

/**
 * Writes whole rows in one statement, in id order: inserts the new users,
 * updates the ones `lockUsers` returned, every column as the row holds it
 * (the lock taken when it was read keeps other writers out). The update
 * applies only where the stored version is the one the row was computed from, which holds for
 * every row locked beforehand; a user someone else created after
 * `lockUsers` looked is left alone (but locked, as ON CONFLICT locks every
 * row it meets) and is missing from the ids returned. `withWrite` adds
 * CTEs that read the users written as `written` (the change feed's events:
 * recordWithUserWrite).
 */
export async function writeUsers(
  tx: SqlTransaction,
  projectId: string,
  rows: readonly User[],
  withWrite: Prisma.Sql = Prisma.empty,
): Promise<string[]> {
  const written = await tx.rows<{ id: string }>(writeUsersStatement(projectId, rows, withWrite));
  return written.map(({ id }) => id);
}

/** The statement of `writeUsers`, answering the ids written. */
export function writeUsersStatement(projectId: string, rows: readonly User[], withWrite: Prisma.Sql = Prisma.empty): Prisma.Sql {
  const payload = JSON.stringify(rows.map(writtenValues));
  const { columns, values, updates } = WRITE_STATEMENT;
  return Prisma.sql`
    WITH written AS (
      INSERT INTO users AS u (project_id, ${columns})
      SELECT ${projectId}::uuid, ${values}
      FROM jsonb_populate_recordset(NULL::users, ${payload}::jsonb) AS v
      ORDER BY v.id
      ON CONFLICT (project_id, id) DO UPDATE SET ${updates}
      WHERE u.version = EXCLUDED.version - 1
      RETURNING u.id, u.organization_id
    ) ${withWrite}
    SELECT id FROM written`;
}

/**
 * Writes a stored user as `row` holds it, in one statement that needs no lock
 * taken before: only if the stored row is still the one `row` was computed
 * from (the same incarnation, the version one less), which PostgreSQL checks
 * again on the newest row when another writer got there first. Answers its
 * id, or nothing when another write or a deletion came between. `withWrite`
 * as for `writeUsersStatement`.
 */
export function updateUserStatement(projectId: string, row: User, withWrite: Prisma.Sql = Prisma.empty): Prisma.Sql {
  return Prisma.sql`
    WITH written AS (
      UPDATE users AS u SET ${WRITE_STATEMENT.assignments}
      FROM jsonb_populate_record(NULL::users, ${JSON.stringify(writtenValues(row))}::jsonb) AS v
      WHERE u.project_id = ${projectId}::uuid AND u.id = v.id
        AND u.incarnation = v.incarnation AND u.version = v.version - 1
      RETURNING u.id, u.organization_id
    ) ${withWrite}
    SELECT id FROM written`;
}

/**
 * The values a row writes, by column, leaving out nulls: `jsonb_populate_recordset`
 * reads a missing key as NULL and each value as its column's type, and a batch
 * of typical users weighs half as much.
 */
function writtenValues(row: User): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const { field, column } of WRITTEN) if (row[field] !== null) values[column] = row[field];
  return values;
}
