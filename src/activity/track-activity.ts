import type { Auth } from "../auth/caller.ts";
import { reachableOrganizations } from "../auth/reach.ts";
import type { ActivityConfig } from "../config.ts";
import { writeRows } from "../db/direct-reads.ts";
import { Prisma, type PrismaClient } from "../db/generated/prisma/client.ts";
import { retryOnWriteConflict } from "../db/retry.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
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
 * Records one activity of a user in one statement, the database function
 * track_activity (its migration says how): it holds the user's row lock while
 * it decides on the session, so concurrent activity of one user queues up and
 * never opens two sessions. The session on the platform whose span (widened by
 * the idle gap) holds `at` goes on; otherwise a new one starts and is counted
 * on the user and the platform. lastSeenAt only moves forward. Sessions past
 * the retention are pruned on the way; the counts stay.
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
  const [session] = await retryOnWriteConflict(() =>
    writeRows<SessionRow & { isNew: boolean }>(
      prisma,
      recordActivity(caller.projectId, reachableOrganizations(caller), userId, activity, now, config),
    ),
  );
  if (!session) throw new NotFoundError("user", userId);
  await pruneStaleSessions(prisma, now, config.sessionRetentionDays);
  const { isNew, ...row } = session;
  return { userId, session: row, newSession: isNew };
}

/**
 * The one statement that records an activity of a user within `reachable`
 * (null: the whole project): returns the session and whether it is new, or
 * no row when there is no such user.
 */
export function recordActivity(
  projectId: string,
  reachable: readonly string[] | null,
  userId: string,
  activity: Activity,
  now: Date,
  config: ActivityConfig,
): Prisma.Sql {
  const idle = `${config.sessionIdleMinutes} minutes`;
  const cutoff = new Date(now.getTime() - config.sessionRetentionDays * DAY_MS);
  const [device, os, browser, app] = [json(activity.device), json(activity.os), json(activity.browser), json(activity.app)];
  return Prisma.sql`SELECT * FROM track_activity(${projectId}::uuid, ${userId}, ${reachable === null ? null : [...reachable]}::text[],
    ${activity.platform}::"Platform", ${activity.at}::timestamptz, ${idle}::interval, ${cutoff}::timestamptz,
    ${activity.userAgent ?? null}::text, ${device}::jsonb, ${os}::jsonb, ${browser}::jsonb, ${app}::jsonb,
    ${activity.locale ?? null}::text, ${activity.timezone ?? null}::text, ${activity.country ?? null}::text, ${activity.city ?? null}::text)`;
}
