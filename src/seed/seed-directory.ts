import { createHash } from "node:crypto";
import { cs_CZ, de, en, es, fi, fr, hu, id_ID, it, type LocaleDefinition, nb_NO, nl, pl, pt_BR, ro, sv, tr } from "@faker-js/faker";
import { Prisma, type PrismaClient } from "../db/generated/prisma/client.ts";

// Synthetic but realistic rows, computed by the database from the row number,
// so that a million users cost a few dozen statements. User `user-<i>` is
// deterministic: benchmarks can name users and predict their emails.

/**
 * Names as a directory of a million people has them: thousands of given and
 * family names from many Latin-script locales (faker's lists), in a fixed
 * shuffled order, and drawn with a skew towards the front of each list
 * (index = n * u^k), so that a few names are common (the commonest given name
 * about 2 %, family name 1 %, as in census data) and most are rare.
 */
const NAME_LOCALES = [en, de, fr, es, it, pt_BR, nl, pl, sv, tr, fi, nb_NO, cs_CZ, hu, ro, id_ID];
const FIRST_NAME_SKEW = 2.5;
/** A number in [0, 1) fixed by the row number `i` and a seed: the same directory on every run. */
const uniform = (seed: number) => Prisma.sql`((hashint4extended(i, ${seed}) & 2147483647)::float8 / 2147483648)`;
const LAST_NAME_SKEW = 2;

function namesOf(pick: (person: NonNullable<LocaleDefinition["person"]>) => unknown): string[] {
  const names = new Set<string>();
  for (const locale of NAME_LOCALES) {
    const lists = locale.person ? pick(locale.person) : undefined;
    for (const list of Object.values(lists ?? {})) {
      for (const name of list as unknown[]) if (typeof name === "string" && name.length > 1) names.add(name);
    }
  }
  // Sorted by a hash rather than alphabetically: the common names are then any letters.
  const hash = (name: string) => createHash("sha1").update(name).digest("hex");
  return [...names].sort((a, b) => (hash(a) < hash(b) ? -1 : 1));
}

const DOMAINS = ["example.com", "mail.example.org", "corp.example.net", "example.io"];
const PLANS = ["free", "pro", "team", "enterprise"];
const LOCALES = ["en-US", "en-GB", "de-DE", "fr-FR", "ja-JP", "pt-BR"];
const TIMEZONES = ["America/New_York", "Europe/London", "Europe/Berlin", "Europe/Paris", "Asia/Tokyo", "America/Sao_Paulo"];

/** Rows per INSERT: large enough to amortise the statement, small enough to show progress. */
const BATCH = 25_000;
/** Organizations form a tree: a few roots, then each organization under one made before it. */
const CHILDREN_PER_ORGANIZATION = 5;

export async function seedDirectory(
  prisma: PrismaClient,
  projectId: string,
  { users, organizations }: { users: number; organizations: number },
  progress: (usersDone: number) => void = () => {},
) {
  const firstNames = namesOf((person) => person.first_name);
  const lastNames = namesOf((person) => person.last_name);
  const roots = Math.max(1, Math.ceil(organizations / 100));
  // Foreign keys are checked at the end of the statement, so a child may name a parent inserted by the same one.
  await prisma.$executeRaw`
    INSERT INTO organizations (project_id, id, name, parent_id, updated_at)
    SELECT ${projectId}::uuid, 'org-' || i, 'Organization ' || i,
      CASE WHEN i < ${roots} THEN NULL ELSE 'org-' || ((i - ${roots}) / ${CHILDREN_PER_ORGANIZATION}) END, now()
    FROM generate_series(0, ${organizations - 1}) AS i
    ON CONFLICT DO NOTHING`;

  for (let start = 0; start < users; start += BATCH) {
    const end = Math.min(users, start + BATCH) - 1;
    await prisma.$executeRaw`
      INSERT INTO users (project_id, id, email, phone_number, name, nickname, locale, timezone, tags, properties,
        organization_id, last_seen_at, created_at, updated_at)
      SELECT ${projectId}::uuid, 'user-' || i,
        regexp_replace(lower(first_name || '.' || last_name), '[^a-z0-9.]+', '', 'g') || i || '@' || (${DOMAINS}::text[])[1 + i % ${DOMAINS.length}],
        '+1' || (200 + i % 800) || lpad((i % 10000000)::text, 7, '0'),
        first_name || ' ' || last_name,
        CASE WHEN i % 3 = 0 THEN lower(first_name) || (i % 100) END,
        (${LOCALES}::text[])[1 + i % ${LOCALES.length}],
        (${TIMEZONES}::text[])[1 + i % ${TIMEZONES.length}],
        ARRAY['cohort-' || (i % 12), (${PLANS}::text[])[1 + i % ${PLANS.length}]],
        jsonb_build_object('plan', (${PLANS}::text[])[1 + i % ${PLANS.length}], 'seats', 1 + i % 50, 'beta', i % 7 = 0),
        'org-' || (i % ${organizations}),
        CASE WHEN i % 5 = 0 THEN NULL ELSE now() - (i % 100000) * interval '1 minute' END,
        now() - (${users} - i) * interval '30 seconds',
        now() - (i % 1000) * interval '1 hour'
      FROM generate_series(${start}::int, ${end}::int) AS i,
        LATERAL (SELECT (${firstNames}::text[])[1 + floor(${firstNames.length} * power(${uniform(1)}, ${FIRST_NAME_SKEW}))::int] AS first_name,
                        (${lastNames}::text[])[1 + floor(${lastNames.length} * power(${uniform(2)}, ${LAST_NAME_SKEW}))::int] AS last_name) AS names
      ON CONFLICT DO NOTHING`;
    progress(end + 1);
  }
  // Fresh statistics, so the planner sees the new rows before the first query.
  await prisma.$executeRaw(Prisma.sql`ANALYZE users, organizations`);
}
