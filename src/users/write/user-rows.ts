import { Prisma, type User } from "../../db/generated/prisma/client.ts";

type Transaction = Prisma.TransactionClient;

/** Every column of `users u`, named as Prisma names the fields, so that raw rows are `User`s. */
const USER_COLUMNS = Prisma.sql`
  u.project_id AS "projectId", u.id, u.email, u.phone_number AS "phoneNumber", u.name, u.title, u.nickname,
  u.avatar_url AS "avatarUrl", u.locale, u.timezone, u.status, u.tags, u.properties,
  u.organization_id AS "organizationId", u.web_push_subscriptions AS "webPushSubscriptions",
  u.slack_destination AS "slackDestination", u.unsubscribed_email AS "unsubscribedEmail",
  u.unsubscribed_texting AS "unsubscribedTexting", u.email_suppression_reason AS "emailSuppressionReason",
  u.email_suppressed_at AS "emailSuppressedAt", u.last_seen_at AS "lastSeenAt", u.created_at AS "createdAt",
  u.updated_at AS "updatedAt", u.version, u.role_id AS "roleId", u.password_hash AS "passwordHash",
  u.last_login_at AS "lastLoginAt"`;

/**
 * Reads and locks the users that exist among `ids` until the transaction
 * ends. Rows are locked in id order, the order every writer uses, so two
 * batches sharing users wait for each other instead of deadlocking.
 */
export function lockUsers(tx: Transaction, projectId: string, ids: readonly string[]): Promise<User[]> {
  return tx.$queryRaw<User[]>`
    SELECT ${USER_COLUMNS} FROM users u
    WHERE u.project_id = ${projectId}::uuid AND u.id = ANY(${ids}::text[])
    ORDER BY u.id
    FOR UPDATE`;
}

/**
 * Writes whole rows in one statement, in id order: inserts the new users,
 * updates the ones `lockUsers` returned. The update applies only where the
 * stored version is the one the row was computed from, which holds for
 * every row locked beforehand; a user someone else created after
 * `lockUsers` looked is left alone (but locked, as ON CONFLICT locks every
 * row it meets) and is missing from the ids returned.
 */
export async function writeUsers(tx: Transaction, projectId: string, rows: readonly User[]): Promise<string[]> {
  const payload = JSON.stringify(rows.map(writtenValues));
  const written = await tx.$queryRaw<{ id: string }[]>`
    INSERT INTO users AS u (
      project_id, id, email, phone_number, name, title, nickname, avatar_url, locale, timezone,
      organization_id, tags, properties, web_push_subscriptions, slack_destination,
      unsubscribed_email, unsubscribed_texting, last_seen_at, created_at, updated_at, version)
    SELECT ${projectId}::uuid, v.id, v.email, v."phoneNumber", v.name, v.title, v.nickname, v."avatarUrl", v.locale,
      v.timezone, v."organizationId", v.tags, v.properties, v."webPushSubscriptions", v."slackDestination",
      v."unsubscribedEmail", v."unsubscribedTexting", v."lastSeenAt", v."createdAt", v."updatedAt", v.version
    FROM jsonb_to_recordset(${payload}::jsonb) AS v(
      id text, email text, "phoneNumber" text, name text, title text, nickname text, "avatarUrl" text,
      locale text, timezone text, "organizationId" text, tags text[], properties jsonb,
      "webPushSubscriptions" jsonb, "slackDestination" text, "unsubscribedEmail" boolean,
      "unsubscribedTexting" boolean, "lastSeenAt" timestamptz, "createdAt" timestamptz,
      "updatedAt" timestamptz, version integer)
    ORDER BY v.id
    ON CONFLICT (project_id, id) DO UPDATE SET
      email = EXCLUDED.email, phone_number = EXCLUDED.phone_number, name = EXCLUDED.name,
      title = EXCLUDED.title, nickname = EXCLUDED.nickname, avatar_url = EXCLUDED.avatar_url,
      locale = EXCLUDED.locale, timezone = EXCLUDED.timezone, organization_id = EXCLUDED.organization_id,
      tags = EXCLUDED.tags, properties = EXCLUDED.properties,
      web_push_subscriptions = EXCLUDED.web_push_subscriptions, slack_destination = EXCLUDED.slack_destination,
      unsubscribed_email = EXCLUDED.unsubscribed_email, unsubscribed_texting = EXCLUDED.unsubscribed_texting,
      last_seen_at = EXCLUDED.last_seen_at, updated_at = EXCLUDED.updated_at, version = EXCLUDED.version
    WHERE u.version = EXCLUDED.version - 1
    RETURNING u.id`;
  return written.map(({ id }) => id);
}

/** The columns `writeUsers` writes, as `jsonb_to_recordset` there names them. */
const WRITTEN_FIELDS = [
  "id", "email", "phoneNumber", "name", "title", "nickname", "avatarUrl", "locale", "timezone", "organizationId",
  "tags", "properties", "webPushSubscriptions", "slackDestination", "unsubscribedEmail", "unsubscribedTexting",
  "lastSeenAt", "createdAt", "updatedAt", "version",
] as const satisfies readonly (keyof User)[];

/**
 * The values a row writes, leaving out nulls: `jsonb_to_recordset` reads a
 * missing key as NULL, and a batch of typical users weighs half as much.
 */
function writtenValues(row: User): Partial<User> {
  const values: Record<string, unknown> = {};
  for (const field of WRITTEN_FIELDS) if (row[field] !== null) values[field] = row[field];
  return values;
}
