import type { PrismaClient } from "../db/generated/prisma/client.ts";
import type { Platform } from "./activity-input.ts";
import type { SessionRow } from "./track-activity.ts";
import type { App, Device, NamedVersion } from "./user-agent.ts";

export const MAX_SESSIONS_PAGE = 100;

export type SessionKey = { userId: string; first: number };
export type OwnedSession = SessionRow & { userId: string };

/** The newest sessions of each user, as many as each key asks: one statement for every user of a response. */
export async function readSessions(prisma: PrismaClient, projectId: string, keys: readonly SessionKey[]): Promise<SessionRow[][]> {
  const userIds = [...new Set(keys.map((key) => key.userId))];
  const most = Math.max(0, ...keys.map((key) => key.first));
  const rows = await prisma.$queryRaw<OwnedSession[]>`
    SELECT s.user_id AS "userId", s.id, s.platform, s.user_agent AS "userAgent", s.device, s.os, s.browser, s.app,
           s.locale, s.timezone, s.country, s.city, s.started_at AS "startedAt", s.last_seen_at AS "lastSeenAt"
    FROM unnest(${userIds}::text[]) AS k(user_id)
    CROSS JOIN LATERAL (
      SELECT * FROM sessions s WHERE s.project_id = ${projectId}::uuid AND s.user_id = k.user_id
      ORDER BY s.started_at DESC, s.id DESC LIMIT ${most}
    ) s`;
  const byUser = new Map<string, OwnedSession[]>();
  for (const row of rows) byUser.set(row.userId, [...(byUser.get(row.userId) ?? []), row]);
  return keys.map((key) => (byUser.get(key.userId) ?? []).slice(0, key.first).map(({ userId: _userId, ...session }) => session));
}

export type PlatformUsage = {
  userId: string;
  platform: Platform;
  device: Device | null;
  os: NamedVersion | null;
  browser: NamedVersion | null;
  app: App | null;
  sessionsCount: number;
  lastSeenAt: Date;
};

/** Each user's activity per platform: one statement for every user of a response. */
export function readPlatformUsage(prisma: PrismaClient, projectId: string, userIds: readonly string[]): Promise<PlatformUsage[]> {
  return prisma.userPlatform.findMany({
    where: { projectId, userId: { in: [...userIds] } },
    select: {
      userId: true,
      platform: true,
      device: true,
      os: true,
      browser: true,
      app: true,
      sessionsCount: true,
      lastSeenAt: true,
    },
  }) as Promise<PlatformUsage[]>;
}

export const WEB_PLATFORMS: readonly Platform[] = ["WEB", "DESKTOP"];
export const MOBILE_PLATFORMS: readonly Platform[] = ["IOS", "ANDROID"];

/** One side (web or mobile) of a user's activity: the latest platform's details, the sessions of all of the side's platforms. */
export type PlatformActivity = Omit<PlatformUsage, "userId">;

export function platformActivity(usage: readonly PlatformUsage[], side: readonly Platform[]): PlatformActivity | null {
  const mine = usage.filter((row) => side.includes(row.platform));
  if (mine.length === 0) return null;
  const latest = mine.reduce((a, b) => (b.lastSeenAt > a.lastSeenAt ? b : a));
  const { userId: _userId, ...details } = latest;
  return { ...details, sessionsCount: mine.reduce((sum, row) => sum + row.sessionsCount, 0) };
}
