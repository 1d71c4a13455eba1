import { Prisma, type PrismaClient } from "../db/generated/prisma/client.ts";

// Synthetic but realistic rows, computed by the database from the row number,
// so that a million users cost a few dozen statements. User `user-<i>` is
// deterministic: benchmarks can name users and predict their emails.

const FIRST_NAMES = [
  "Ada", "Grace", "Alan", "Barbara", "Edsger", "Frances", "Donald", "Margaret", "Ken", "Radia", "Dennis", "Hedy",
  "Tim", "Katherine", "John", "Shafi", "Leslie", "Sophie", "Niklaus", "Lynn", "Bjarne", "Jean", "Guido", "Anita",
  "James", "Carol", "Linus", "Mary", "Vint", "Adele", "Whitfield", "Evelyn", "Robert", "Joan", "Brian", "Ida",
  "Andrew", "Elena", "Yukihiro", "Marta", "Tomasz", "Aiko", "Mateo", "Chiara", "Kwame", "Ingrid", "Rahul", "Olga",
];
const LAST_NAMES = [
  "Lovelace", "Hopper", "Turing", "Liskov", "Dijkstra", "Allen", "Knuth", "Hamilton", "Thompson", "Perlman",
  "Ritchie", "Lamarr", "Berners-Lee", "Johnson", "McCarthy", "Goldwasser", "Lamport", "Wilson", "Wirth", "Conway",
  "Stroustrup", "Bartik", "van Rossum", "Borg", "Gosling", "Shaw", "Torvalds", "Keller", "Cerf", "Goldberg",
  "Diffie", "Granville", "Tarjan", "Clarke", "Kernighan", "Rhodes", "Tanenbaum", "Petrova", "Matsumoto", "Kowalski",
];
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
        lower(replace(first_name || '.' || last_name, ' ', '')) || i || '@' || (${DOMAINS}::text[])[1 + i % ${DOMAINS.length}],
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
        LATERAL (SELECT (${FIRST_NAMES}::text[])[1 + i % ${FIRST_NAMES.length}] AS first_name,
                        (${LAST_NAMES}::text[])[1 + (i / ${FIRST_NAMES.length}) % ${LAST_NAMES.length}] AS last_name) AS names
      ON CONFLICT DO NOTHING`;
    progress(end + 1);
  }
  // Fresh statistics, so the planner sees the new rows before the first query.
  await prisma.$executeRaw(Prisma.sql`ANALYZE users, organizations`);
}
