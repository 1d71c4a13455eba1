import type { Auth } from "../auth/caller.ts";
import { lockUserInReach } from "../auth/reach.ts";
import type { ActivityConfig } from "../config.ts";
import { Prisma, type PrismaClient } from "../db/generated/prisma/client.ts";
import { retryOnWriteConflict } from "../db/retry.ts";
import { ValidationError } from "../errors.ts";
import { WRITE_TRANSACTION } from "../users/write/upsert-batch.ts";
import { type ActivityInput, type ParsedActivity, type Platform, parseActivity } from "./activity-input.ts";
import { pruneStaleSessions } from "./session-pruning.ts";
import { type App, type Device, known, type NamedVersion, parseUserAgent } from "./user-agent.ts";

/** A client's clock may run this far ahead of ours; activity later than that is refused. */
const CLOCK_SKEW_MS = 60_000;
const DAY_MS = 86_400_000;

export type SessionRow = {
  id: string;
  platform: Platform;
  userAgent: string | null;
  device: Device | null;
  os: NamedVersion | null;
  browser: NamedVersion | null;
  app: App | null;
  locale: string | null;
  timezone: string | null;
  country: string | null;
  city: string | null;
  startedAt: Date;
  lastSeenAt: Date;
};

/** The user is read when the answer asks for it, after the transaction: as the activity left it. */
export type TrackActivitySuccess = { userId: string; session: SessionRow; newSession: boolean };

/** What one activity records: the input with what its user agent tells filled in, at a time in the past. */
export type Activity = Omit<ParsedActivity, "device" | "os" | "browser" | "app" | "at"> & {
  device: Device | null;
  os: NamedVersion | null;
  browser: NamedVersion | null;
  app: App | null;
  at: Date;
};

/**
 * The activity as it is recorded: device, os and browser given win over what
 * the user agent says, part by part. `at` defaults to now; later than now
 * (beyond a minute of clock skew) or older than the sessions kept, it is refused.
 */
export function resolveActivity(parsed: ParsedActivity, now: Date, config: ActivityConfig): Activity {
  const at = parsed.at ?? now;
  if (at.getTime() > now.getTime() + CLOCK_SKEW_MS) {
    throw new ValidationError([{ field: "at", reason: "invalid", message: "must not be in the future" }]);
  }
  if (at.getTime() < now.getTime() - config.sessionRetentionDays * DAY_MS) {
    throw new ValidationError([
      { field: "at", reason: "invalid", message: `must be within the last ${config.sessionRetentionDays} days (sessions kept)` },
    ]);
  }
  const parsedAgent = parseUserAgent(parsed.userAgent);
  return {
    ...parsed,
    device: known({
      manufacturer: parsed.device?.manufacturer ?? parsedAgent.device?.manufacturer,
      model: parsed.device?.model ?? parsedAgent.device?.model,
      type: parsedAgent.device?.type,
    }),
    os: known({ name: parsed.os?.name ?? parsedAgent.os?.name, version: parsed.os?.version ?? parsedAgent.os?.version }),
    browser: known({
      name: parsed.browser?.name ?? parsedAgent.browser?.name,
      version: parsed.browser?.version ?? parsedAgent.browser?.version,
    }),
    app: parsed.app
      ? known({ name: parsed.app.name ?? undefined, version: parsed.app.version ?? undefined, build: parsed.app.build ?? undefined })
      : null,
    // Within the skew allowed, but never ahead of now: lastSeenAt does not run into the future.
    at: at > now ? now : at,
  };
}

const json = (value: object | null) => (value === null ? null : JSON.stringify(value));

/**
 * Records one activity of a user in one transaction holding the user's row
 * lock, so concurrent activity of one user queues up and never opens two
 * sessions. The session on the platform whose span (widened by the idle gap)
 * holds `at` goes on; otherwise a new one starts and is counted on the user
 * and the platform. lastSeenAt only moves forward. Sessions past the
 * retention are pruned on the way; the counts stay.
 */
export async function trackActivity(
  prisma: PrismaClient,
  caller: Auth,
  userId: string,
  input: ActivityInput,
  config: ActivityConfig,
): Promise<TrackActivitySuccess> {
  const now = new Date();
  const activity = resolveActivity(parseActivity(userId, input), now, config);
  const result = await retryOnWriteConflict(() =>
    prisma.$transaction(async (tx) => {
      await lockUserInReach(tx, caller, userId);
      const [session] = await tx.$queryRaw<(SessionRow & { isNew: boolean })[]>(
        recordActivity(caller.projectId, userId, activity, now, config),
      );
      const { isNew, ...row } = session!;
      return { userId, session: row, newSession: isNew };
    }, WRITE_TRANSACTION),
  );
  await pruneStaleSessions(prisma, now, config.sessionRetentionDays);
  return result;
}

const SESSION_COLUMNS = Prisma.raw(
  `s.id, s.platform, s.user_agent AS "userAgent", s.device, s.os, s.browser, s.app, s.locale, s.timezone, s.country, s.city,
   s.started_at AS "startedAt", s.last_seen_at AS "lastSeenAt"`,
);

/** The one statement that records an activity (the user's row is locked already): returns the session, and whether it is new. */
export function recordActivity(projectId: string, userId: string, activity: Activity, now: Date, config: ActivityConfig): Prisma.Sql {
  const { platform, at } = activity;
  const idle = `${config.sessionIdleMinutes} minutes`;
  const cutoff = new Date(now.getTime() - config.sessionRetentionDays * DAY_MS);
  const [device, os, browser, app] = [json(activity.device), json(activity.os), json(activity.browser), json(activity.app)];
  const given = Prisma.sql`${activity.userAgent ?? null}::text, ${device}::jsonb, ${os}::jsonb, ${browser}::jsonb, ${app}::jsonb,
    ${activity.locale ?? null}::text, ${activity.timezone ?? null}::text, ${activity.country ?? null}::text, ${activity.city ?? null}::text`;
  return Prisma.sql`
    WITH given (user_agent, device, os, browser, app, locale, timezone, country, city) AS (VALUES (${given})),
    found AS (
      SELECT s.id FROM sessions s
      WHERE s.project_id = ${projectId}::uuid AND s.user_id = ${userId} AND s.platform = ${platform}::"Platform"
        AND s.last_seen_at >= ${at}::timestamptz - ${idle}::interval AND s.started_at <= ${at}::timestamptz + ${idle}::interval
      ORDER BY s.last_seen_at DESC LIMIT 1
    ),
    continued AS (
      UPDATE sessions s SET
        started_at = least(s.started_at, ${at}::timestamptz), last_seen_at = greatest(s.last_seen_at, ${at}::timestamptz),
        user_agent = coalesce(g.user_agent, s.user_agent), device = coalesce(g.device, s.device), os = coalesce(g.os, s.os),
        browser = coalesce(g.browser, s.browser), app = coalesce(g.app, s.app), locale = coalesce(g.locale, s.locale),
        timezone = coalesce(g.timezone, s.timezone), country = coalesce(g.country, s.country), city = coalesce(g.city, s.city)
      FROM given g WHERE s.id = (SELECT id FROM found)
      RETURNING ${SESSION_COLUMNS}, false AS "isNew"
    ),
    started AS (
      INSERT INTO sessions AS s (id, project_id, user_id, platform, user_agent, device, os, browser, app, locale, timezone, country, city, started_at, last_seen_at)
      SELECT gen_random_uuid(), ${projectId}::uuid, ${userId}, ${platform}::"Platform", g.*, ${at}::timestamptz, ${at}::timestamptz
      FROM given g WHERE NOT EXISTS (SELECT 1 FROM found)
      RETURNING ${SESSION_COLUMNS}, true AS "isNew"
    ),
    on_platform AS (
      INSERT INTO user_platforms AS p (project_id, user_id, platform, device, os, browser, app, sessions_count, last_seen_at)
      SELECT ${projectId}::uuid, ${userId}, ${platform}::"Platform", g.device, g.os, g.browser, g.app,
        (SELECT count(*) FROM started), ${at}::timestamptz
      FROM given g
      ON CONFLICT (project_id, user_id, platform) DO UPDATE SET
        sessions_count = p.sessions_count + EXCLUDED.sessions_count,
        last_seen_at = greatest(p.last_seen_at, EXCLUDED.last_seen_at),
        -- The latest activity tells what the user has now; older activity only fills gaps.
        device = CASE WHEN EXCLUDED.last_seen_at >= p.last_seen_at THEN coalesce(EXCLUDED.device, p.device) ELSE coalesce(p.device, EXCLUDED.device) END,
        os = CASE WHEN EXCLUDED.last_seen_at >= p.last_seen_at THEN coalesce(EXCLUDED.os, p.os) ELSE coalesce(p.os, EXCLUDED.os) END,
        browser = CASE WHEN EXCLUDED.last_seen_at >= p.last_seen_at THEN coalesce(EXCLUDED.browser, p.browser) ELSE coalesce(p.browser, EXCLUDED.browser) END,
        app = CASE WHEN EXCLUDED.last_seen_at >= p.last_seen_at THEN coalesce(EXCLUDED.app, p.app) ELSE coalesce(p.app, EXCLUDED.app) END
    ),
    on_user AS (
      UPDATE users u SET
        sessions_count = u.sessions_count + (SELECT count(*) FROM started),
        last_seen_at = greatest(u.last_seen_at, ${at}::timestamptz),
        platforms = CASE WHEN ${platform}::"Platform" = ANY(u.platforms) THEN u.platforms
                         ELSE array_append(coalesce(u.platforms, '{}'), ${platform}::"Platform") END
      WHERE u.project_id = ${projectId}::uuid AND u.id = ${userId}
    ),
    pruned AS (
      DELETE FROM sessions s
      WHERE s.project_id = ${projectId}::uuid AND s.user_id = ${userId} AND s.last_seen_at < ${cutoff}::timestamptz
        AND s.id IS DISTINCT FROM (SELECT id FROM found)
    )
    SELECT * FROM continued UNION ALL SELECT * FROM started`;
}
