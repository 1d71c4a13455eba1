import type { RawQuery } from "./raw-baseline.ts";

// What npm run bench:recipients adds to a copy of a seeded directory (users
// `user-<i>`): the preferences, destinations and flags a notification
// platform's users have, in shares fixed by the row number so that every run
// resolves the same decisions. All of it set-based: a few statements for a
// million users.

export const BENCH_WORKFLOW = "weekly-digest";
export const BENCH_CATEGORY = "product";
/** A Wednesday early morning in Europe and the Americas, mid-afternoon in Tokyo: several quiet windows are open. */
export const BENCH_AT = "2026-11-25T06:30:00.000Z";
export const BENCH_DATA = { amount: 120, region: "eu" };

const userNumber = "substring(u.id from 6)::int";

/** The preference set of user i: about a third of users have one, each shaped by i (categories, workflows, conditions, quiet hours). */
const PREFERENCE_DOCUMENT = `jsonb_build_object(
  'channelTypes', CASE WHEN i % 5 = 0 THEN '{"PUSH": false}'::jsonb WHEN i % 3 = 0 THEN '{"SMS": true}'::jsonb ELSE '{}'::jsonb END,
  'channels', CASE WHEN i % 11 = 0 THEN jsonb_build_object($2::text, false) ELSE '{}'::jsonb END,
  'categories', jsonb_build_object(
    'news', jsonb_build_object('enabled', CASE WHEN i % 7 = 0 THEN 'false'::jsonb ELSE 'null'::jsonb END, 'channelTypes', '{}'::jsonb, 'conditions', '[]'::jsonb),
    'product', jsonb_build_object('enabled', 'null'::jsonb,
      'channelTypes', CASE WHEN i % 4 = 3 THEN '{"EMAIL": false}'::jsonb ELSE '{}'::jsonb END,
      'conditions', CASE WHEN i % 4 = 1 THEN '[{"variable": "recipient.plan", "operator": "EQUAL_TO", "argument": "pro"}]'::jsonb ELSE '[]'::jsonb END)),
  'workflows', CASE
    WHEN i % 13 = 0 THEN jsonb_build_object($3::text, '{"enabled": null, "channelTypes": {}, "conditions": [{"variable": "data.amount", "operator": "GREATER_THAN", "argument": "100"}, {"variable": "recipient.seats", "operator": "LESS_THAN_OR_EQUAL_TO", "argument": "25"}]}'::jsonb)
    WHEN i % 17 = 0 THEN jsonb_build_object($3::text, '{"enabled": false, "channelTypes": {}, "conditions": []}'::jsonb)
    ELSE '{}'::jsonb END,
  'commercialSubscribed', i % 9 <> 0,
  'quietHours', CASE
    WHEN i % 4 = 0 THEN '{"start": "22:00", "end": "07:00", "weekdays": null, "channelTypes": ["PUSH", "SMS"]}'::jsonb
    WHEN i % 8 = 2 THEN '{"start": "09:00", "end": "17:00", "weekdays": ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"], "channelTypes": ["EMAIL", "SMS", "PUSH", "CHAT", "IN_APP"]}'::jsonb
    ELSE 'null'::jsonb END)`;

/** Adds the bench's workflows, channels, defaults, preference sets, push tokens, channel settings and flags; returns what it made. */
export async function addRecipientData(query: RawQuery, projectId: string, rootOrganizationId: string) {
  const one = async <Row>(sql: string, params: unknown[]) => ((await query(sql, params)) as { rows: Row[] }).rows;
  const [push, slack] = await one<{ id: string }>(
    `INSERT INTO channels (id, project_id, name, provider, updated_at)
     VALUES (gen_random_uuid(), $1, 'bench-fcm', 'FCM', now()), (gen_random_uuid(), $1, 'bench-slack', 'SLACK', now())
     RETURNING id::text`,
    [projectId],
  );
  await query(
    `INSERT INTO workflows (project_id, key, name, categories, critical, commercial, updated_at) VALUES
       ($1, $2, 'Weekly digest', ARRAY['news'], false, true, now()),
       ($1, 'password-reset', 'Password reset', ARRAY['security'], true, false, now())`,
    [projectId, BENCH_WORKFLOW],
  );
  await query(
    `INSERT INTO default_preference_sets (project_id, document, updated_at)
     VALUES ($1, '{"channelTypes": {"SMS": false}, "commercialSubscribed": true}'::jsonb, now())`,
    [projectId],
  );
  await query(
    `INSERT INTO preference_sets (project_id, user_id, set_id, document, updated_at)
     SELECT $1, u.id, 'default', ${PREFERENCE_DOCUMENT}, now()
     FROM users u CROSS JOIN LATERAL (SELECT ${userNumber} AS i) n WHERE u.project_id = $1 AND ${userNumber} % 3 = 0`,
    [projectId, push!.id, BENCH_WORKFLOW],
  );
  // Some users keep a set for the root organization, which overrides their default set in its sends.
  await query(
    `INSERT INTO preference_sets (project_id, user_id, set_id, document, updated_at)
     SELECT $1, u.id, $2, '{"channelTypes": {"EMAIL": false}, "commercialSubscribed": true}'::jsonb, now()
     FROM users u WHERE u.project_id = $1 AND ${userNumber} % 50 = 1`,
    [projectId, rootOrganizationId],
  );
  await query(
    `INSERT INTO push_tokens (project_id, user_id, provider, token, position)
     SELECT $1, u.id, p.provider::"PushProvider", p.provider || '-token-' || u.id, p.position
     FROM users u CROSS JOIN LATERAL (VALUES ('FCM', 0), ('APNS', 1)) AS p(provider, position)
     WHERE u.project_id = $1 AND (${userNumber} % 5 < 2 AND p.position = 0 OR ${userNumber} % 10 = 0)`,
    [projectId],
  );
  await query(
    `INSERT INTO channel_settings (project_id, user_id, channel_id, settings, updated_at)
     SELECT $1, u.id, CASE WHEN ${userNumber} % 2 = 0 THEN $2::uuid ELSE $3::uuid END,
       CASE WHEN ${userNumber} % 2 = 0 THEN jsonb_build_object('device_tokens', jsonb_build_array('device-' || u.id))
            ELSE jsonb_build_object('slack_user_id', 'U' || u.id) END, now()
     FROM users u WHERE u.project_id = $1 AND ${userNumber} % 10 IN (3, 4)`,
    [projectId, push!.id, slack!.id],
  );
  await query(
    `UPDATE users u SET
       unsubscribed_email = ${userNumber} % 20 = 0,
       unsubscribed_texting = ${userNumber} % 15 = 0,
       email_suppression_reason = CASE WHEN ${userNumber} % 97 = 0 THEN 'BOUNCE'::"EmailSuppressionReason" END,
       status = CASE WHEN ${userNumber} % 101 = 0 THEN 'SUSPENDED'::"UserStatus" ELSE 'ACTIVE'::"UserStatus" END,
       slack_destination = CASE WHEN ${userNumber} % 10 = 5 THEN 'C' || id END,
       web_push_subscriptions = CASE WHEN ${userNumber} % 25 = 7
         THEN jsonb_build_array(jsonb_build_object('endpoint', 'https://push.example.com/' || id, 'keys', jsonb_build_object('p256dh', 'k', 'auth', 'a')))
         ELSE '[]'::jsonb END
     WHERE project_id = $1 AND (${userNumber} % 20 = 0 OR ${userNumber} % 15 = 0 OR ${userNumber} % 97 = 0 OR ${userNumber} % 101 = 0
       OR ${userNumber} % 10 = 5 OR ${userNumber} % 25 = 7)`,
    [projectId],
  );
  await query("ANALYZE", []);
  return { pushChannelId: push!.id, slackChannelId: slack!.id };
}
