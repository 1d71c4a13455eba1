// The same writes as the gateway's, as plain SQL through the driver: what the
// database itself can do, without GraphQL, validation or the merge in code.

/** Runs one SQL statement with parameters (pg's Pool.query or PGlite's query). */
export type RawQuery = (sql: string, params: unknown[]) => Promise<unknown>;

export type BenchUser = { id: string; email: string; name: string; properties: Record<string, unknown>; tags: string[] };

const UPSERT_ROWS = `
  INSERT INTO users AS u (project_id, id, email, name, properties, tags, last_seen_at, updated_at)
  SELECT $1::uuid, v.id, v.email, v.name, v.properties, v.tags, now(), now()
  FROM jsonb_to_recordset($2::jsonb) AS v(id text, email text, name text, properties jsonb, tags text[])
  ON CONFLICT (project_id, id) DO UPDATE SET
    email = EXCLUDED.email, name = EXCLUDED.name, properties = u.properties || EXCLUDED.properties,
    tags = ARRAY(SELECT DISTINCT unnest(u.tags || EXCLUDED.tags)), last_seen_at = now(), updated_at = now(),
    version = u.version + 1`;

const UPSERT_ONE = `
  INSERT INTO users AS u (project_id, id, email, name, properties, tags, last_seen_at, updated_at)
  VALUES ($1::uuid, $2, $3, $4, $5::jsonb, $6::text[], now(), now())
  ON CONFLICT (project_id, id) DO UPDATE SET
    email = EXCLUDED.email, name = EXCLUDED.name, properties = u.properties || EXCLUDED.properties,
    tags = ARRAY(SELECT DISTINCT unnest(u.tags || EXCLUDED.tags)), last_seen_at = now(), updated_at = now(),
    version = u.version + 1`;

/** One SQL statement with its parameters. */
export type Statement = [sql: string, params: unknown[]];

export const rawUpsertOne = (projectId: string, user: BenchUser): Statement => [
  UPSERT_ONE,
  [projectId, user.id, user.email, user.name, JSON.stringify(user.properties), user.tags],
];

export const rawUpsertMany = (projectId: string, users: BenchUser[]): Statement => [UPSERT_ROWS, [projectId, JSON.stringify(users)]];
