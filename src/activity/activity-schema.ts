import { reachableOrganizations } from "../auth/reach.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { builder } from "../graphql/builder.ts";
import { requestError } from "../graphql/request-errors.ts";
import { resultUnion } from "../graphql/result-union.ts";
import { readUser } from "../users/read/read-user.ts";
import { ROOT, readsUserFields, userSelectionOf } from "../users/read/user-selection.ts";
import { PlatformEnum, UserType } from "../users/schema/user-schema.ts";
import type { ActivityInput as ActivityInputShape, AppInput, DeviceInput, NamedVersionInput, PLATFORMS } from "./activity-input.ts";
import {
  MAX_SESSIONS_PAGE,
  MOBILE_PLATFORMS,
  type PlatformActivity,
  platformActivity,
  readPlatformUsage,
  readSessions,
  type SessionKey,
  WEB_PLATFORMS,
} from "./session-store.ts";
import { type SessionRow, type TrackActivitySuccess as TrackActivityResult, trackActivity } from "./track-activity.ts";
import type { App, Device, NamedVersion } from "./user-agent.ts";

const DeviceType = builder.objectRef<Device>("Device").implement({
  fields: (t) => ({
    manufacturer: t.exposeString("manufacturer", { nullable: true }),
    model: t.exposeString("model", { nullable: true }),
    type: t.exposeString("type", { nullable: true, description: "mobile, tablet, smarttv, … as the user agent tells; null for desktops." }),
  }),
});
const OperatingSystemType = builder.objectRef<NamedVersion>("OperatingSystem").implement({
  fields: (t) => ({ name: t.exposeString("name", { nullable: true }), version: t.exposeString("version", { nullable: true }) }),
});
const BrowserType = builder.objectRef<NamedVersion>("Browser").implement({
  fields: (t) => ({ name: t.exposeString("name", { nullable: true }), version: t.exposeString("version", { nullable: true }) }),
});
const AppType = builder.objectRef<App>("App").implement({
  fields: (t) => ({
    name: t.exposeString("name", { nullable: true }),
    version: t.exposeString("version", { nullable: true }),
    build: t.exposeString("build", { nullable: true }),
  }),
});

const SessionType = builder.objectRef<SessionRow>("Session").implement({
  description: "A stretch of a user's activity on one platform, without a gap longer than SESSION_IDLE_MINUTES.",
  fields: (t) => ({
    id: t.exposeID("id"),
    platform: t.field({ type: PlatformEnum, resolve: (session) => session.platform }),
    userAgent: t.exposeString("userAgent", { nullable: true }),
    device: t.field({ type: DeviceType, nullable: true, resolve: (session) => session.device }),
    os: t.field({ type: OperatingSystemType, nullable: true, resolve: (session) => session.os }),
    browser: t.field({ type: BrowserType, nullable: true, resolve: (session) => session.browser }),
    app: t.field({ type: AppType, nullable: true, resolve: (session) => session.app }),
    locale: t.exposeString("locale", { nullable: true }),
    timezone: t.exposeString("timezone", { nullable: true }),
    country: t.exposeString("country", { nullable: true, description: "ISO 3166-1 alpha-2" }),
    city: t.exposeString("city", { nullable: true }),
    startedAt: t.expose("startedAt", { type: "DateTime" }),
    lastSeenAt: t.expose("lastSeenAt", { type: "DateTime" }),
  }),
});

const PlatformActivityType = builder.objectRef<PlatformActivity>("PlatformActivity").implement({
  description: "A user's activity on one side (web: WEB and DESKTOP; mobile: IOS and ANDROID): its latest platform's details.",
  fields: (t) => ({
    platform: t.field({ type: PlatformEnum, description: "The side's platform seen last.", resolve: (side) => side.platform }),
    device: t.field({ type: DeviceType, nullable: true, resolve: (side) => side.device }),
    os: t.field({ type: OperatingSystemType, nullable: true, resolve: (side) => side.os }),
    browser: t.field({ type: BrowserType, nullable: true, resolve: (side) => side.browser }),
    app: t.field({ type: AppType, nullable: true, resolve: (side) => side.app }),
    lastSeenAt: t.expose("lastSeenAt", { type: "DateTime" }),
    sessionsCount: t.exposeInt("sessionsCount", { description: "Sessions ever started on the side's platforms." }),
  }),
});

const side = (name: "web" | "mobile", platforms: readonly (typeof PLATFORMS)[number][]) =>
  ({
    type: PlatformActivityType,
    nullable: true,
    description: `The user's ${name} activity (${platforms.join(", ")}); null before any.`,
    extensions: readsUserFields([]),
    load: async (userIds: string[], { prisma, auth }: { prisma: Parameters<typeof readPlatformUsage>[0]; auth: { projectId: string } }) => {
      const usage = await readPlatformUsage(prisma, auth.projectId, userIds);
      return userIds.map((id) =>
        platformActivity(
          usage.filter((row) => row.userId === id),
          platforms,
        ),
      );
    },
    resolve: (user: { id: string }) => user.id,
  }) as const;

// Loaders per request: every user of a page shares one statement per field.
builder.prismaObjectFields("User", (t) => ({
  sessionsCount: t.exposeInt("sessionsCount", { description: "Sessions ever started, on every platform; pruning keeps it." }),
  platforms: t.field({
    type: [PlatformEnum],
    description: "The platforms the user was ever active on.",
    resolve: (user) => user.platforms,
  }),
  hasPushToken: t.exposeBoolean("hasPushToken", { description: "Whether the user holds a push token or a web push subscription." }),
  web: t.loadable(side("web", WEB_PLATFORMS)),
  mobile: t.loadable(side("mobile", MOBILE_PLATFORMS)),
  sessions: t.loadableList({
    type: SessionType,
    description: `The user's sessions, newest first (at most ${MAX_SESSIONS_PAGE}); those past SESSION_RETENTION_DAYS are pruned.`,
    extensions: readsUserFields([]),
    args: { first: t.arg.int({ defaultValue: 10 }) },
    load: (keys: SessionKey[], { prisma, auth }) => readSessions(prisma, auth.projectId, keys),
    loaderOptions: { cacheKeyFn: (key) => JSON.stringify([key.userId, key.first]) },
    resolve: (user, { first }) => {
      const count = first ?? 10;
      if (!Number.isInteger(count) || count < 0 || count > MAX_SESSIONS_PAGE) {
        throw requestError("BAD_USER_INPUT", `first must be 0 to ${MAX_SESSIONS_PAGE}.`, { argument: "first", max: MAX_SESSIONS_PAGE });
      }
      return { userId: user.id, first: count };
    },
  }),
}));

const DeviceInputType = builder.inputType("DeviceInput", {
  fields: (t) => ({ manufacturer: t.string(), model: t.string() }) satisfies Record<keyof DeviceInput, unknown>,
});
const OperatingSystemInput = builder.inputType("OperatingSystemInput", {
  fields: (t) => ({ name: t.string(), version: t.string() }) satisfies Record<keyof NamedVersionInput, unknown>,
});
const BrowserInput = builder.inputType("BrowserInput", {
  fields: (t) => ({ name: t.string(), version: t.string() }) satisfies Record<keyof NamedVersionInput, unknown>,
});
const AppInputType = builder.inputType("AppInput", {
  fields: (t) => ({ name: t.string(), version: t.string(), build: t.string() }) satisfies Record<keyof AppInput, unknown>,
});

const ActivityInput = builder.inputType("ActivityInput", {
  description: "What is left out is read from userAgent where it tells (device, os, browser).",
  fields: (t) =>
    ({
      platform: t.field({ type: PlatformEnum, required: true }),
      userAgent: t.string({ description: "The client's User-Agent header; at most 1024 characters." }),
      device: t.field({ type: DeviceInputType }),
      os: t.field({ type: OperatingSystemInput }),
      browser: t.field({ type: BrowserInput }),
      app: t.field({ type: AppInputType }),
      locale: t.string({ description: "A BCP 47 tag (en_US is read as en-US)." }),
      timezone: t.string({ description: "An IANA tz database name." }),
      country: t.string({ description: "ISO 3166-1 alpha-2." }),
      city: t.string(),
      at: t.field({ type: "DateTime", description: "When it happened (default now); not in the future." }),
    }) satisfies Record<keyof ActivityInputShape, unknown>,
});

const TrackActivitySuccess = builder.objectRef<TrackActivityResult>("TrackActivitySuccess").implement({
  fields: (t) => ({
    user: t.field({
      type: UserType,
      description: "The user as the activity left it.",
      // As user(id) reads it: the selected columns only, in one statement.
      resolve: async ({ userId }, _args, { prisma, auth }, info) => {
        const user = await readUser(prisma, auth.projectId, userId, reachableOrganizations(auth), userSelectionOf(info, ROOT));
        if (!user) throw new NotFoundError("user", userId);
        return user;
      },
    }),
    session: t.field({ type: SessionType, resolve: (result) => result.session }),
    newSession: t.exposeBoolean("newSession", { description: "Whether this activity started the session." }),
  }),
});

builder.mutationField("trackActivity", (t) =>
  t.field({
    type: resultUnion("TrackActivity", TrackActivitySuccess, [ValidationError, NotFoundError]),
    description: "Records a user's activity on a platform: continues its session there, or starts a new one after SESSION_IDLE_MINUTES.",
    // A user token tracks its own user from a client; a secret key or a member (within its reach) needs users:write.
    skipTypeScopes: true,
    authScopes: (_root, { userId }) => ({ $any: { scope: "users:write", selfUser: userId } }),
    // The input is validated in the service, reporting every problem as a ValidationError.
    checksOwnArguments: true,
    args: { userId: t.arg.id({ required: true }), input: t.arg({ type: ActivityInput, required: true }) },
    resolve: (_root, { userId, input }, { prisma, auth, activity }) => trackActivity(prisma, auth, userId, input, activity),
  }),
);
