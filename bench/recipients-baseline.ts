// The plain-SQL baseline of npm run bench:recipients: one statement that takes
// a page of an organization subtree's users and computes every decision the
// gateway takes (README, "evaluation rules") in the database, one JSON row per
// recipient. It covers what the bench's data uses: conditions on recipient
// properties and data (numbers and text), valid time zones.

const CHANNEL_TYPES = "ARRAY['EMAIL', 'SMS', 'PUSH', 'CHAT', 'IN_APP']";
const WEEKDAYS = "ARRAY['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY']";
const NUMBER = String.raw`'^\s*-?[0-9]+(\.[0-9]+)?\s*$'`;

/** Whether condition `c` holds, with `v` its variable's value (jsonb) and `a` its argument (text). */
const CONDITION_HOLDS = `CASE c->>'operator'
  WHEN 'EQUAL_TO' THEN coalesce(jsonb_typeof(v) IN ('string', 'number', 'boolean') AND v #>> '{}' = a, false)
  WHEN 'NOT_EQUAL_TO' THEN NOT coalesce(jsonb_typeof(v) IN ('string', 'number', 'boolean') AND v #>> '{}' = a, false)
  WHEN 'CONTAINS' THEN coalesce(CASE jsonb_typeof(v) WHEN 'string' THEN strpos(v #>> '{}', a) > 0
    WHEN 'array' THEN EXISTS (SELECT 1 FROM jsonb_array_elements(v) e WHERE jsonb_typeof(e) IN ('string', 'number', 'boolean') AND e #>> '{}' = a) END, false)
  WHEN 'NOT_CONTAINS' THEN NOT coalesce(CASE jsonb_typeof(v) WHEN 'string' THEN strpos(v #>> '{}', a) > 0
    WHEN 'array' THEN EXISTS (SELECT 1 FROM jsonb_array_elements(v) e WHERE jsonb_typeof(e) IN ('string', 'number', 'boolean') AND e #>> '{}' = a) END, false)
  WHEN 'EMPTY' THEN v IS NULL OR v IN ('null', '""', '[]', '{}')
  WHEN 'NOT_EMPTY' THEN NOT (v IS NULL OR v IN ('null', '""', '[]', '{}'))
  ELSE coalesce(CASE c->>'operator'
    WHEN 'GREATER_THAN' THEN cmp > 0 WHEN 'LESS_THAN' THEN cmp < 0
    WHEN 'GREATER_THAN_OR_EQUAL_TO' THEN cmp >= 0 WHEN 'LESS_THAN_OR_EQUAL_TO' THEN cmp <= 0 END, false)
END`;

/** The refusal of a rule (jsonb expression `rule`) for the row's channel type, or NULL. */
const ruleRefusal = (rule: string, optedOut: string) => `CASE
  WHEN ${rule}->>'enabled' = 'false' OR ${rule}->'channelTypes'->>d.channel_type = 'false' THEN '${optedOut}'
  WHEN EXISTS (
    SELECT 1 FROM jsonb_array_elements(${rule}->'conditions') c
    CROSS JOIN LATERAL (SELECT CASE WHEN c->>'variable' LIKE 'data.%'
        THEN $8::jsonb #> string_to_array(substr(c->>'variable', 6), '.')
        ELSE p.properties #> string_to_array(substr(c->>'variable', 11), '.') END AS v,
      coalesce(c->>'argument', '') AS a) x
    CROSS JOIN LATERAL (SELECT CASE
        WHEN jsonb_typeof(v) NOT IN ('string', 'number') THEN NULL
        WHEN v #>> '{}' ~ ${NUMBER} AND a ~ ${NUMBER} THEN sign((v #>> '{}')::numeric - a::numeric)
        WHEN v #>> '{}' < a COLLATE "C" THEN -1 WHEN v #>> '{}' > a COLLATE "C" THEN 1 ELSE 0 END AS cmp) y
    WHERE NOT (${CONDITION_HOLDS})) THEN 'CONDITION_NOT_MET'
END`;

/** A workflow rule with a say beats the rules of the workflow's categories. */
const PREFERENCE_RULES = `CASE
  WHEN p.prefs->'workflows'->s.key IS NOT NULL AND (p.prefs->'workflows'->s.key->'enabled' <> 'null'
    OR p.prefs->'workflows'->s.key->'channelTypes' ? d.channel_type OR jsonb_array_length(p.prefs->'workflows'->s.key->'conditions') > 0)
  THEN ${ruleRefusal("p.prefs->'workflows'->s.key", "OPTED_OUT_WORKFLOW")}
  ELSE (SELECT refusal FROM unnest(s.categories) WITH ORDINALITY AS k(key, n)
    CROSS JOIN LATERAL (SELECT ${ruleRefusal("p.prefs->'categories'->k.key", "OPTED_OUT_CATEGORY")} AS refusal) r
    WHERE refusal IS NOT NULL ORDER BY n LIMIT 1)
END`;

/** The end (timestamptz) of the quiet window the send falls in, in the user's zone; a window across midnight belongs to its first day. */
const QUIET_UNTIL = `CASE WHEN jsonb_typeof(p.prefs->'quietHours') = 'object' AND p.prefs->'quietHours'->'channelTypes' ? d.channel_type THEN (
  SELECT (w.day + w.extra + (q->>'end')::time) AT TIME ZONE z.zone
  FROM (SELECT p.prefs->'quietHours' AS q, coalesce(p.timezone, 'UTC') AS zone) z
  CROSS JOIN LATERAL (SELECT $9::timestamptz AT TIME ZONE z.zone AS local, (q->>'end')::time <= (q->>'start')::time AS crosses) l
  CROSS JOIN LATERAL (SELECT date_trunc('day', l.local) - b * interval '1 day' AS day, b,
    CASE WHEN l.crosses THEN interval '1 day' ELSE interval '0' END AS extra
    FROM generate_series(CASE WHEN l.crosses THEN 1 ELSE 0 END, 0, -1) AS b) w
  WHERE (jsonb_typeof(q->'weekdays') IS DISTINCT FROM 'array' OR q->'weekdays' ? (${WEEKDAYS})[extract(isodow FROM w.day)::int])
    AND l.local >= w.day + (q->>'start')::time AND l.local < w.day + w.extra + (q->>'end')::time
  ORDER BY w.b DESC LIMIT 1) END`;

const ADDRESSES = `
  SELECT x #>> '{}' FROM jsonb_array_elements(CASE WHEN c.provider IN ('APNS', 'FCM') AND jsonb_typeof(cs.settings->'device_tokens') = 'array'
    THEN cs.settings->'device_tokens' ELSE '[]' END) x WHERE jsonb_typeof(x) = 'string'
  UNION ALL SELECT x->>'endpoint' FROM jsonb_array_elements(CASE WHEN c.provider = 'WEB_PUSH' AND jsonb_typeof(cs.settings->'subscriptions') = 'array'
    THEN cs.settings->'subscriptions' ELSE '[]' END) x WHERE jsonb_typeof(x->'endpoint') = 'string'
  UNION ALL SELECT coalesce(cs.settings->'slack_channel_id', cs.settings->'slack_user_id') #>> '{}'
    WHERE c.provider = 'SLACK' AND jsonb_typeof(coalesce(cs.settings->'slack_channel_id', cs.settings->'slack_user_id')) = 'string'
  UNION ALL SELECT cs.settings->>'email' WHERE c.provider = 'EMAIL' AND jsonb_typeof(cs.settings->'email') = 'string'
  UNION ALL SELECT cs.settings->>'phone_number' WHERE c.provider = 'SMS' AND jsonb_typeof(cs.settings->'phone_number') = 'string'`;

/**
 * $1 project, $2 the subtree's root organization, $3 the last user id of the
 * previous page ('' for the first), $4 page size, $5 workflow key, $6 extra
 * category (or NULL), $7 the set ids in order of precedence, $8 data, $9 at.
 */
export const BASELINE_SQL = `
WITH RECURSIVE subtree(id) AS (
  SELECT o.id FROM organizations o WHERE o.project_id = $1 AND o.id = $2
  UNION SELECT o.id FROM organizations o JOIN subtree t ON o.parent_id = t.id WHERE o.project_id = $1
),
s AS (
  SELECT w.key, w.critical, w.commercial,
    w.categories || CASE WHEN $6::text IS NULL OR $6::text = ANY(w.categories) THEN '{}'::text[] ELSE ARRAY[$6::text] END AS categories
  FROM workflows w WHERE w.project_id = $1 AND w.key = $5
),
p AS (
  SELECT u.id, u.email, u.phone_number, u.status, u.timezone, u.unsubscribed_email, u.unsubscribed_texting,
    u.email_suppression_reason, u.slack_destination, u.web_push_subscriptions, u.properties,
    coalesce(
      (SELECT ps.document FROM preference_sets ps WHERE ps.project_id = $1 AND ps.user_id = u.id AND ps.set_id = ANY($7::text[])
        ORDER BY array_position($7::text[], ps.set_id) LIMIT 1),
      (SELECT document FROM default_preference_sets WHERE project_id = $1), '{}') AS prefs
  FROM users u WHERE u.project_id = $1 AND u.organization_id IN (SELECT id FROM subtree) AND u.id > $3 ORDER BY u.id LIMIT $4
),
found AS (
  SELECT id AS user_id, 'EMAIL' AS channel_type, NULL::uuid AS channel_id, 'EMAIL' AS provider, email AS destination FROM p WHERE email <> ''
  UNION ALL SELECT id, 'SMS', NULL, 'SMS', phone_number FROM p WHERE phone_number <> ''
  UNION ALL SELECT t.user_id, 'PUSH', NULL, t.provider::text, t.token FROM push_tokens t JOIN p ON t.user_id = p.id WHERE t.project_id = $1
  UNION ALL SELECT p.id, 'PUSH', NULL, 'WEB_PUSH', w->>'endpoint' FROM p
    CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(p.web_push_subscriptions) = 'array' THEN p.web_push_subscriptions ELSE '[]' END) w
    WHERE jsonb_typeof(w->'endpoint') = 'string' AND w->>'endpoint' <> ''
  UNION ALL SELECT id, 'CHAT', NULL, 'SLACK', slack_destination FROM p WHERE slack_destination <> ''
  UNION ALL SELECT cs.user_id, CASE WHEN c.provider IN ('APNS', 'FCM', 'WEB_PUSH') THEN 'PUSH' WHEN c.provider = 'SLACK' THEN 'CHAT' ELSE c.provider::text END,
    c.id, c.provider::text, a.address
    FROM channel_settings cs JOIN p ON cs.user_id = p.id JOIN channels c ON c.id = cs.channel_id
    CROSS JOIN LATERAL (${ADDRESSES}) AS a(address)
    WHERE cs.project_id = $1
),
d AS (
  SELECT * FROM found
  UNION ALL SELECT p.id, t.channel_type, NULL, NULL, NULL FROM p CROSS JOIN unnest(${CHANNEL_TYPES}) AS t(channel_type)
    WHERE NOT EXISTS (SELECT 1 FROM found f WHERE f.user_id = p.id AND f.channel_type = t.channel_type)
),
refusals AS (
  SELECT d.*, p.status, p.email_suppression_reason, s.critical,
    CASE
      WHEN (d.channel_type = 'EMAIL' AND p.unsubscribed_email) OR (d.channel_type = 'SMS' AND p.unsubscribed_texting) THEN 'UNSUBSCRIBED'
      WHEN s.commercial AND NOT coalesce((p.prefs->>'commercialSubscribed')::boolean, false) THEN 'COMMERCIAL_UNSUBSCRIBED'
      WHEN p.prefs->'channels'->>(d.channel_id::text) = 'false' THEN 'OPTED_OUT_CHANNEL'
      WHEN p.prefs->'channels'->(d.channel_id::text) IS NULL AND p.prefs->'channelTypes'->>d.channel_type = 'false' THEN 'OPTED_OUT_CHANNEL_TYPE'
      ELSE ${PREFERENCE_RULES}
    END AS refusal,
    ${QUIET_UNTIL} AS quiet_until
  FROM d JOIN p ON p.id = d.user_id CROSS JOIN s
),
decided AS (
  SELECT r.*, CASE
      WHEN r.status <> 'ACTIVE' THEN 'USER_INACTIVE'
      WHEN r.destination IS NULL AND r.channel_type <> 'IN_APP' THEN 'NO_DESTINATION'
      WHEN r.channel_type = 'EMAIL' AND r.email_suppression_reason IS NOT NULL THEN 'EMAIL_SUPPRESSED'
      WHEN r.refusal IS NULL AND r.quiet_until IS NULL THEN 'ALLOWED'
      WHEN r.critical THEN 'CRITICAL_OVERRIDE'
      ELSE coalesce(r.refusal, 'QUIET_HOURS')
    END AS reason
  FROM refusals r
)
SELECT user_id AS id, bool_or(reason IN ('ALLOWED', 'CRITICAL_OVERRIDE')) AS reachable,
  json_agg(json_build_object('channelType', channel_type, 'channel', CASE WHEN channel_id IS NOT NULL THEN json_build_object('id', channel_id) END,
    'provider', provider, 'destination', destination, 'allowed', reason IN ('ALLOWED', 'CRITICAL_OVERRIDE'), 'reason', reason,
    'allowedAt', CASE WHEN reason = 'QUIET_HOURS' THEN quiet_until END)) AS channels
FROM decided GROUP BY user_id ORDER BY user_id`;
